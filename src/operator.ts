/**
 * bob-controller's composition root (ARCHITECTURE.md "The shape"): flags →
 * logger → kube clients → artifact store → registry clients → trust floor →
 * reconciler → work queue → informer → operations servers → leader election,
 * run by one manager that starts them in that order and stops them in
 * reverse. Only the leader sweeps storage, serves artifacts and reconciles
 * (Flux starts its file server after election, research/flux.md §4.3,
 * §4.6); every replica keeps its informer warm so a takeover starts at once.
 * Nothing here reads process.* except the entry point at the bottom.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { KIND, REQUESTED_AT_ANNOTATIONS } from './api/index.ts';
import {
  FIELD_MANAGER, OCI_REPOSITORY_RESOURCE, createReconcilerDependencies, createRegistryClientCache, loadTrustFloor, reconcile,
  toQueueResult, type EventSink, type RawObject, type ReconcileResult, type ReconcilerDependencies,
} from './controller/index.ts';
import {
  APPLY_PATCH, createInformer, parseObjectKey, toObjectKey, type Informer, type InformerEvent, type KubeClients,
  createKubeClients,
} from './kube/index.ts';
import type { RegistryObserver } from './oci/index.ts';
import { OPERATOR_HELP, OPERATOR_USAGE, operatorUsageError, parseOperatorFlags, type OperatorFlags } from './operator-flags.ts';
import {
  WorkQueue, createEventForwarder, createLogger, createManager, createMetricsRegistry, createOperationsServer, jitteredInterval,
  registerBobMetrics, type BobMetrics, type Component, type EventForwarder, type Logger, type LogStream, type ManagerOutcome,
  type MetricsRegistry, type OperationsServer,
} from './runtime/index.ts';
import { BobError, createSystemClock, describeError, isBobError, redactUrl, type Clock } from './shared/index.ts';
import { ArtifactStore, createArtifactServer, type ArtifactServer } from './storage/index.ts';

/** Where runOperator reads its environment and writes its output. */
export interface OperatorIo {
  /** The process environment (KUBECONFIG, STORAGE_PATH, POD_NAME, TMPDIR...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborting it is SIGTERM: the operator shuts down cleanly and resolves with 0. */
  readonly signal: AbortSignal;
  /** JSON log lines and --help. */
  readonly stdout: LogStream;
  /** Command-line errors; default stdout. */
  readonly stderr?: LogStream;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * Runs bob-controller until `io.signal` aborts or something fails; resolves
 * with the exit code: 0 after a clean shutdown, 1 on failure (including
 * lost leadership: a former leader's memory is not to be trusted, as in
 * Flux), 2 for a wrong command line.
 */
export async function runOperator(argv: readonly string[], io: OperatorIo): Promise<number> {
  const stderr = io.stderr ?? io.stdout;
  let flags: OperatorFlags;
  try {
    const command = parseOperatorFlags(argv, io.env);
    if (command.kind === 'help') {
      io.stdout.write(OPERATOR_HELP);
      return EXIT_OK;
    }
    flags = command.flags;
  } catch (error) {
    stderr.write(`bob-controller: ${describeError(error)}\nRun 'bob-controller --help' for usage.\n`);
    return EXIT_USAGE;
  }
  const clock = io.clock ?? createSystemClock();
  const logger = createLogger({ level: flags.logLevel, stream: io.stdout, clock });
  try {
    return await operate(flags, io, clock, logger);
  } catch (error) {
    if (isBobError(error, OPERATOR_USAGE)) {
      stderr.write(`bob-controller: ${error.message}\nRun 'bob-controller --help' for usage.\n`);
      return EXIT_USAGE;
    }
    logger.error('bob-controller failed to start', { error: describeError(error) });
    return EXIT_FAILED;
  }
}

/** The labels of an object's metric series. */
function toObjectLabels(key: string): { kind: string; namespace: string; name: string } {
  const { namespace, name } = parseObjectKey(key);
  return { kind: KIND, namespace: namespace ?? '', name };
}

/**
 * Flux's watch predicates (research/flux.md §4.5): a new generation or a new
 * reconcile request token. A deletion of an object with our finalizer is an
 * update too (deletionTimestamp set, generation bumped); it is checked
 * explicitly so the finalizer path never depends on the bump. Status-only
 * and label-only updates are ignored: the reconcile itself caused most.
 */
export function isReconcileTrigger(event: InformerEvent<RawObject>): boolean {
  if (event.type !== 'updated') return event.type !== 'deleted';
  const previous = event.previous?.metadata;
  const next = event.object.metadata;
  if (previous === undefined) return true;
  if (previous.generation !== next.generation) return true;
  if (previous.deletionTimestamp === undefined && next.deletionTimestamp !== undefined) return true;
  return REQUESTED_AT_ANNOTATIONS.some((name) => {
    const token = next.annotations?.[name];
    return token !== undefined && token !== previous.annotations?.[name];
  });
}

/** The Ready condition's status as the metrics gauge takes it. */
function readyStatusOf(object: RawObject): 'True' | 'False' | 'Unknown' {
  const status = object['status'];
  if (typeof status !== 'object' || status === null) return 'Unknown';
  const conditions = (status as { conditions?: unknown }).conditions;
  if (!Array.isArray(conditions)) return 'Unknown';
  for (const condition of conditions as unknown[]) {
    if (typeof condition !== 'object' || condition === null) continue;
    const { type, status: value } = condition as { type?: unknown; status?: unknown };
    if (type === 'Ready') return value === 'True' || value === 'False' ? value : 'Unknown';
  }
  return 'Unknown';
}

function isSuspended(object: RawObject): boolean {
  const spec = object['spec'];
  return typeof spec === 'object' && spec !== null && (spec as { suspend?: unknown }).suspend === true;
}

/** reportingController of forwarded events (Flux sends its controller name, `source-controller`). */
const EVENTS_REPORTING_CONTROLLER = 'bob-controller';
/** How long shutdown waits for queued events to reach notification-controller. */
const EVENTS_CLOSE_GRACE_MS = 3_000;

/** Counts every registry API response and content byte into bob's metrics; token fetches are not registry API requests and are left out. */
function toRegistryObserver(metrics: BobMetrics): RegistryObserver {
  return {
    onResponse: ({ host, method, status, purpose }) => {
      if (purpose !== 'token') metrics.registryRequests.inc({ host, method, code: String(status) });
    },
    onBytes: (_host, bytes) => { metrics.fetchedBytes.inc({}, bytes); },
  };
}

/**
 * The reconciler's events to Kubernetes and, with --events-addr, to
 * notification-controller too. The forwarder only queues (it never waits or
 * throws) and reads the object's `event.toolkit.fluxcd.io/*` annotations
 * from the informer's cache, as Flux's recorder reads them from the object.
 */
function composeEventSinks(kubeEvents: EventSink, forwarder: EventForwarder | undefined, cached: (key: string) => RawObject | undefined): EventSink {
  if (forwarder === undefined) return kubeEvents;
  return {
    async record(subject, event, signal) {
      const annotations = cached(toObjectKey(subject.namespace === '' ? undefined : subject.namespace, subject.name))?.metadata.annotations;
      forwarder.forward({
        involvedObject: subject, type: event.type, reason: event.reason, message: event.message,
        ...(event.annotations === undefined ? {} : { metadata: event.annotations }),
        ...(annotations === undefined ? {} : { objectAnnotations: annotations }),
      });
      await kubeEvents.record(subject, event, signal);
    },
  };
}

/** controller-runtime's default cache SyncPeriod (10 h). */
const RESYNC_PERIOD_MS = 10 * 60 * 60 * 1000;

const CRD_DIR = new URL('../config/crd/', import.meta.url);
const CRD_API = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const CRD_ESTABLISH_TIMEOUT_MS = 60_000;

/** Server-side applies every CRD of config/crd as bob-controller (forcing ownership), then waits until each is Established. */
async function installCrds(kube: KubeClients, clock: Clock, logger: Logger, signal: AbortSignal): Promise<void> {
  const dir = fileURLToPath(CRD_DIR);
  const files = (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort();
  const names: string[] = [];
  for (const file of files) {
    const documents = parseAllDocuments(await readFile(join(dir, file), 'utf8'));
    if (!Array.isArray(documents)) continue;
    for (const document of documents) {
      if (document.errors.length > 0) throw new BobError('OPERATOR_CRD_INVALID', `config/crd/${file} is not valid YAML`, { errorClass: 'stalling' });
      const crd: unknown = document.toJS();
      if (crd === null || crd === undefined) continue;
      const name = (crd as { metadata?: { name?: unknown } }).metadata?.name;
      if ((crd as { kind?: unknown }).kind !== 'CustomResourceDefinition' || typeof name !== 'string') {
        throw new BobError('OPERATOR_CRD_INVALID', `config/crd/${file} holds something other than a CustomResourceDefinition`, { errorClass: 'stalling' });
      }
      await kube.transport.request({
        method: 'PATCH', path: `${CRD_API}/${name}`, query: { fieldManager: FIELD_MANAGER, force: true },
        body: crd, contentType: APPLY_PATCH, operation: `apply CustomResourceDefinition ${name}`, signal,
      });
      names.push(name);
    }
  }
  const deadline = clock.now() + CRD_ESTABLISH_TIMEOUT_MS;
  for (const name of names) {
    for (;;) {
      const crd = await kube.transport.request({ method: 'GET', path: `${CRD_API}/${name}`, operation: `get CustomResourceDefinition ${name}`, signal });
      const conditions = (crd as { status?: { conditions?: { type?: unknown; status?: unknown }[] } } | undefined)?.status?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (clock.now() > deadline) throw new BobError('OPERATOR_CRD_NOT_ESTABLISHED', `CustomResourceDefinition ${name} not Established after 60 s`);
      await clock.sleep(250, signal);
    }
    logger.info('installed CustomResourceDefinition', { name });
  }
}

/** Records one reconcile's duration and outcome; a deleted object's series are dropped instead. */
function recordReconcile(metrics: BobMetrics, informer: Informer<RawObject>, key: string, result: ReconcileResult, seconds: number): void {
  const labels = toObjectLabels(key);
  if (result.kind === 'done' && informer.get(key) === undefined) {
    metrics.deleteObject(labels);
    return;
  }
  metrics.reconcileDuration.observe(labels, seconds);
  if (result.kind !== 'done') metrics.reconciles.inc({ result: result.kind });
}

function logResult(logger: Logger, key: string, result: ReconcileResult): void {
  switch (result.kind) {
    case 'success':
      logger.debug('reconciled', { object: key, requeueAfterMs: result.requeueAfterMs });
      return;
    case 'retry':
      logger.error('reconcile failed, retrying with backoff', { object: key, error: describeError(result.error) });
      return;
    case 'stalled':
      logger.error('reconcile stalled until the object changes', { object: key, error: describeError(result.error) });
      return;
    case 'done':
      logger.debug('nothing to reconcile', { object: key });
      return;
  }
}

/** A component over one operations server; `name` tells the two apart. */
function serverComponent(name: string, server: OperationsServer, address: { host?: string; port: number }, logger: Logger): Component {
  return {
    name,
    async start(signal) {
      const bound = await server.listen(address, signal);
      logger.info('listening', { server: name, address: bound.address, port: bound.port });
    },
    stop: () => server.close(),
  };
}

/** What only the leader does: sweep staging files, serve artifacts, run the queue. Idempotent stop. */
interface Leadership {
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  readonly leading: boolean;
}

function createLeadership(flags: OperatorFlags, store: ArtifactStore, server: ArtifactServer, queue: WorkQueue<string>, logger: Logger): Leadership {
  let started: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  let leading = false;
  const start = async (signal: AbortSignal): Promise<void> => {
    // A killed predecessor may have left temporary files (reliability.md §4.4); only the writer may remove them.
    const swept = await store.sweepStaging({ signal });
    if (swept.length > 0) logger.info('removed leftover temporary files', { count: swept.length });
    const bound = await server.listen(flags.storageAddr);
    logger.info('serving artifacts', { address: bound.address, port: bound.port, baseUrl: store.baseUrl });
    queue.start();
    leading = true;
  };
  const stop = async (): Promise<void> => {
    leading = false;
    await started?.catch(() => undefined);
    // A start that was still running has set it again.
    leading = false;
    const report = await queue.shutdown();
    if (report.unfinished.length > 0) logger.error('reconciles still running at shutdown', { objects: report.unfinished.join(',') });
    await server.close();
  };
  return {
    start(signal) {
      started ??= start(signal);
      return started;
    },
    stop() {
      stopped ??= stop();
      return stopped;
    },
    get leading() {
      return leading;
    },
  };
}

/** Runs leadership directly, or on the Lease when election is on; lost leadership shuts the manager down. */
function leaderComponent(
  flags: OperatorFlags, kube: KubeClients, leadership: Leadership, identity: string, namespace: string | undefined, clock: Clock, logger: Logger,
  shutdown: (reason: string, error?: unknown) => void,
): Component {
  const election = new AbortController();
  let running: Promise<void> | undefined;
  return {
    name: 'leader-election',
    async start(signal) {
      if (!flags.leaderElection.enabled || namespace === undefined) {
        await leadership.start(signal);
        return;
      }
      const { id, leaseDurationMs, renewDeadlineMs, retryPeriodMs } = flags.leaderElection;
      const elector = kube.leaderElector({
        namespace, name: id, identity, leaseDurationMs, renewDeadlineMs, retryPeriodMs, clock,
        onStartedLeading: (lead) => {
          logger.info('became leader', { lease: `${namespace}/${id}`, identity });
          leadership.start(AbortSignal.any([lead, signal])).catch((error: unknown) => { shutdown('starting as leader failed', error); });
        },
        onStoppedLeading: async () => {
          logger.info('stopped leading', { lease: `${namespace}/${id}` });
          await leadership.stop();
        },
        onError: (error) => { logger.error('leader election', { error: describeError(error) }); },
      });
      logger.info('campaigning for leadership', { lease: `${namespace}/${id}`, identity });
      running = elector.run(election.signal).then(() => {
        if (!election.signal.aborted) shutdown('lost leadership', new BobError('OPERATOR_LEADERSHIP_LOST', `lost the Lease ${namespace}/${id}`));
      }, (error: unknown) => { shutdown('leader election failed', error); });
    },
    async stop() {
      election.abort();
      // The elector stops leadership (queue drained, artifact server closed), then releases the Lease.
      await running;
      await leadership.stop();
    },
  };
}

async function operate(flags: OperatorFlags, io: OperatorIo, clock: Clock, logger: Logger): Promise<number> {
  const { env } = io;
  const kube = createKubeClients({
    ...(flags.kubeconfig === undefined ? {} : { kubeconfigPath: flags.kubeconfig }),
    ...(flags.context === undefined ? {} : { context: flags.context }),
    env,
  });
  const podName = env['POD_NAME'] ?? env['HOSTNAME'] ?? hostname();
  const identity = `${podName}_${randomBytes(4).toString('hex')}`;
  const leaseNamespace = flags.leaderElection.namespace ?? kube.namespace ?? env['RUNTIME_NAMESPACE'];
  if (flags.leaderElection.enabled && leaseNamespace === undefined) {
    throw operatorUsageError('--enable-leader-election needs --leader-election-namespace (the kubeconfig names no namespace)');
  }
  const trustFloor = flags.trustFloor === undefined ? undefined : await loadTrustFloor(flags.trustFloor);
  await mkdir(flags.storagePath, { recursive: true });
  const store = new ArtifactStore({ root: flags.storagePath, baseUrl: `http://${flags.storageAdvAddr}`, clock });
  // Scratch space outside the served root: nothing half-extracted is ever downloadable.
  const workDir = await mkdtemp(join(env['TMPDIR'] ?? tmpdir(), 'bob-controller-'));
  const metricsRegistry = createMetricsRegistry();
  const metrics = registerBobMetrics(metricsRegistry);
  const registries = createRegistryClientCache({ base: { clock, observer: toRegistryObserver(metrics) } });
  const forwarder = flags.eventsAddr === undefined ? undefined : createEventForwarder({
    address: flags.eventsAddr, reportingController: EVENTS_REPORTING_CONTROLLER, reportingInstance: podName, clock,
    logger: logger.child({ component: 'event-forwarder' }),
  });
  logger.info('starting bob-controller', {
    apiServer: kube.server, namespace: flags.namespace ?? '*', storage: store.root, artifactBaseUrl: store.baseUrl,
    concurrent: flags.concurrent, leaderElection: flags.leaderElection.enabled, trustFloor: trustFloor !== undefined,
    ...(flags.eventsAddr === undefined ? {} : { eventsAddr: redactUrl(flags.eventsAddr) }),
  });
  try {
    const deps: ReconcilerDependencies = createReconcilerDependencies({
      kube, reportingInstance: podName, store, clock, workDir, registries, retention: flags.retention,
      logger: logger.child({ component: 'reconciler' }),
      ...(trustFloor === undefined ? {} : { trustFloor }),
    });
    const outcome = await runComponents(flags, io, clock, logger, kube, deps, store, identity, leaseNamespace, { metricsRegistry, metrics, forwarder });
    return toExitCode(outcome, logger);
  } finally {
    // Normally closed by its component already; this covers a failed start.
    await forwarder?.close({ graceMs: 0 });
    await registries.close();
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** What operate() builds before the components: metrics (the registry clients count into them) and the event forwarder. */
interface Observability {
  readonly metricsRegistry: MetricsRegistry;
  readonly metrics: BobMetrics;
  readonly forwarder: EventForwarder | undefined;
}

async function runComponents(
  flags: OperatorFlags, io: OperatorIo, clock: Clock, logger: Logger, kube: KubeClients, baseDeps: ReconcilerDependencies, store: ArtifactStore,
  identity: string, leaseNamespace: string | undefined, { metricsRegistry, metrics, forwarder }: Observability,
): Promise<ManagerOutcome> {
  const manager = createManager({ clock, logger });
  // Built before `watched` below and used only after it exists (reconciles start after the informer).
  const deps: ReconcilerDependencies = { ...baseDeps, events: composeEventSinks(baseDeps.events, forwarder, (key) => watched.get(key)) };
  const queue = new WorkQueue<string>({
    clock, concurrency: flags.concurrent, backoff: flags.retryBackoff,
    handler: async (key, signal) => {
      const started = clock.now();
      const result = await reconcile(key, deps, signal);
      // The handler runs only after start(), when `watched` below exists.
      recordReconcile(metrics, watched, key, result, (clock.now() - started) / 1000);
      logResult(logger, key, result);
      return toQueueResult(result, (intervalMs) => jitteredInterval(intervalMs, flags.intervalJitterPercent));
    },
    onSettled: ({ key, aborted }) => {
      if (aborted) logger.info('reconcile ended by shutdown', { object: key });
      const depth = queue.depth();
      metrics.workqueueDepth.set({}, depth.waiting + depth.delayed);
    },
  });
  const repositories = kube.customObjects<RawObject>(OCI_REPOSITORY_RESOURCE);
  const scope = flags.namespace === undefined ? {} : { namespace: flags.namespace };
  const watched = createInformer<RawObject>({
    clock,
    // controller-runtime's default SyncPeriod: a safety net only. Every resync runs every object
    // (a registry request each), so it must stay well above typical spec.interval values.
    resyncPeriodMs: RESYNC_PERIOD_MS,
    list: (signal) => repositories.list({ ...scope, signal }),
    watch: (options, signal) => repositories.watch({ ...options, ...scope }, signal),
    onEvent: (event) => {
      const labels = toObjectLabels(event.key);
      if (event.type === 'deleted') {
        queue.forget(event.key);
        metrics.deleteObject(labels);
        return;
      }
      metrics.recordCondition(labels, 'Ready', readyStatusOf(event.object));
      metrics.recordSuspend(labels, isSuspended(event.object));
      if (isReconcileTrigger(event)) queue.add(event.key);
    },
    onError: (error) => { logger.error('watching OCIRepositories', { error: describeError(error) }); },
  });
  const artifactServer = createArtifactServer({ root: store.root, clock });
  const leadership = createLeadership(flags, store, artifactServer, queue, logger);
  const operations = {
    metrics: metricsRegistry,
    readiness: () => watched.hasSynced && leadership.leading,
    beforeScrape: () => {
      const depth = queue.depth();
      metrics.workqueueDepth.set({}, depth.waiting + depth.delayed);
    },
    clock,
  };
  if (forwarder !== undefined) {
    // Added first, stopped last: the events of the reconciles stopped before it still go out.
    manager.add({ name: 'event-forwarder', start: () => Promise.resolve(), stop: () => forwarder.close({ graceMs: EVENTS_CLOSE_GRACE_MS }) });
  }
  if (flags.installCrds) {
    manager.add({ name: 'crds', start: (signal) => installCrds(kube, clock, logger, signal), stop: () => Promise.resolve() });
  }
  if (flags.metricsAddr !== undefined) manager.add(serverComponent('metrics', createOperationsServer(operations), flags.metricsAddr, logger));
  if (flags.healthAddr !== undefined) manager.add(serverComponent('health', createOperationsServer(operations), flags.healthAddr, logger));
  manager.add({
    name: 'informer',
    async start(signal) {
      watched.start();
      await watched.waitForSync(signal);
      logger.info('informer synced', { objects: watched.keys().length });
    },
    stop: () => watched.stop(),
  });
  manager.add(leaderComponent(flags, kube, leadership, identity, leaseNamespace, clock, logger, (reason, error) => { manager.shutdown(reason, error); }));
  const onAbort = (): void => { manager.shutdown('shutdown requested'); };
  if (io.signal.aborted) onAbort();
  else io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await manager.run();
  } finally {
    io.signal.removeEventListener('abort', onAbort);
  }
}

function toExitCode(outcome: ManagerOutcome, logger: Logger): number {
  let failed = false;
  if (outcome.error !== undefined) {
    failed = true;
    logger.error('bob-controller stopped after a failure', {
      reason: outcome.reason, error: describeError(outcome.error), ...(outcome.failedComponent === undefined ? {} : { component: outcome.failedComponent }),
    });
  }
  if (outcome.stopFailures.length > 0 || outcome.stopTimedOut.length > 0) {
    failed = true;
    logger.error('bob-controller did not stop cleanly', {
      failed: outcome.stopFailures.map((f) => f.name).join(','), timedOut: outcome.stopTimedOut.join(','),
    });
  }
  if (!failed) logger.info('bob-controller stopped', { reason: outcome.reason });
  return failed ? EXIT_FAILED : EXIT_OK;
}

// The entry point (`node src/operator.ts`, dist/operator.js): signals in, exit code out.
if (import.meta.main) {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: string): void => {
    signals += 1;
    // A second signal means "now": skip the graceful path.
    if (signals > 1) process.exit(EXIT_FAILED);
    controller.abort(new Error(`received ${name}`));
  };
  process.on('SIGTERM', () => { onSignal('SIGTERM'); });
  process.on('SIGINT', () => { onSignal('SIGINT'); });
  const code = await runOperator(process.argv.slice(2), { env: process.env, signal: controller.signal, stdout: process.stdout, stderr: process.stderr });
  // Flux's release-on-cancel contract: the binary ends as soon as the manager has stopped.
  process.exit(code);
}
