// The controller scenario of `npm run bench`: bob-controller as a child
// process (`node src/operator.ts`) against the test environment's
// kube-apiserver and a distribution registry behind a counting proxy.
//  (b) steady state: BENCH_CONTROLLER_OBJECTS OCIRepositories (default 1,000)
//      on a few unchanged artifacts at interval 1m; over one interval after
//      all are Ready: registry requests, Kubernetes API requests (the
//      apiserver's own apiserver_request_total) and status writes (watched
//      resourceVersion changes), controller CPU and RSS;
//  (c) controller RSS after the initial pass over BENCH_CONTROLLER_LARGE
//      objects (default 3,000; 0 skips) on one artifact at a long interval.
//      The initial pass runs ~17 objects/s on a 2-core machine, so 10,000
//      (BENCH_CONTROLLER_LARGE=10000) adds ~10 minutes to the run;
//  (d) a new digest pushed to a tag → Ready with it, after a reconcile
//      request: p50/p95 with one object, and with the (b) objects running.
// The child runs dist/operator.js when built, else src/operator.ts
// (BENCH_CONTROLLER_ENTRY overrides). Figures are printed, never asserted.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { OCI_REPOSITORY_RESOURCE, type RawObject } from '../src/controller/index.ts';
import { createInformer, createKubeClients, type CustomObjectClient, type Informer, type KubeClients } from '../src/kube/index.ts';
import { startCountingProxy, type CountingProxy } from '../test/env/counting-proxy.ts';
import { kube, registry, scratchDir } from '../test/env/environment.ts';
import { pushTestImage } from '../test/env/fixtures.ts';
import type { KubeCluster } from '../test/env/kube.ts';
import { freePort } from '../test/env/ports.ts';
import type { Registry } from '../test/env/registries.ts';
import { run } from '../test/env/run.ts';
import { toolPath } from '../test/env/tools.ts';

const OBJECTS = Math.max(1, Number(process.env['BENCH_CONTROLLER_OBJECTS'] ?? '1000'));
const LARGE = Math.max(0, Number(process.env['BENCH_CONTROLLER_LARGE'] ?? '3000'));
const SAMPLES = Math.max(1, Number(process.env['BENCH_CONTROLLER_SAMPLES'] ?? '20'));
/** The steady-state window: one full spec.interval. */
const INTERVAL_S = 60;
/** Artifacts the (b) objects share (round robin). */
const ARTIFACTS = 3;
/** Parallel create requests (the API server's default inflight limit is 400). */
const CREATE_PARALLELISM = 24;
/**
 * What runs: the built dist/operator.js as users run it (npm run bench builds it
 * first), else src/operator.ts; BENCH_CONTROLLER_ENTRY overrides.
 */
const ENTRY = process.env['BENCH_CONTROLLER_ENTRY'] ?? (existsSync(join(import.meta.dirname, '..', 'dist', 'operator.js'))
  ? join(import.meta.dirname, '..', 'dist', 'operator.js') : join(import.meta.dirname, '..', 'src', 'operator.ts'));
/** When set, the controller writes a V8 CPU profile of each run into this directory. */
const CPU_PROF_DIR = process.env['BENCH_CONTROLLER_CPU_PROF'];
const GROUP = 'source.k8sstormcenter.io';
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
/** Bounds a hang only; nothing here asserts speed. */
const READY_TIMEOUT_MS = 30 * 60_000;
const SAMPLE_TIMEOUT_MS = 60_000;
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE']);
/** apiserver_request_total series of the controller's resources (the apiserver's own Lease renewals are left out). */
const WATCHED_RESOURCES = new Set(['ocirepositories', 'events', 'secrets', 'serviceaccounts']);

interface Condition { type?: string; status?: string }
interface Status { conditions?: Condition[]; artifact?: { revision?: string }; lastHandledReconcileAt?: string }

function statusOf(object: RawObject): Status {
  const status = object['status'];
  return typeof status === 'object' && status !== null ? status : {};
}

function isReady(object: RawObject): boolean {
  return statusOf(object).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && statusOf(object).artifact !== undefined;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** A request as a short line: digests and object numbers folded so equal requests group. */
function toTraceLine(method: string, path: string): string {
  return `${method} ${path.replace(/sha256:[0-9a-f]{64}/g, 'sha256:…').replace(/\/app-\d+\//, '/app-N/')}`;
}

function countLines(lines: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

// ---------------------------------------------------------------- processes

interface ProcSample { readonly cpuSeconds: number; readonly rssMiB: number; readonly hwmMiB: number }

let clockTicks: number | undefined;

/** CPU (utime+stime, /proc/<pid>/stat fields 14 and 15) and memory (VmRSS, VmHWM) of one process. */
function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { cpuSeconds: ticks / (clockTicks ?? 100), rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

interface OperatorProcess {
  readonly pid: number;
  readonly metricsUrl: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** `node src/operator.ts` for one namespace; resolves once /readyz answers 200 (informer synced, queue running). */
async function startOperator(name: string, cluster: KubeCluster, namespace: string, work: string): Promise<OperatorProcess> {
  const [metricsPort, storagePort] = await Promise.all([freePort(), freePort()]);
  const home = join(work, name);
  mkdirSync(home, { recursive: true });
  const logFile = join(home, 'controller.log');
  const log = openSync(logFile, 'a');
  const nodeFlags = CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`, `--cpu-prof-name=${name}.cpuprofile`];
  const child: ChildProcess = spawn(process.execPath, [
    ...nodeFlags, ENTRY,
    '--kubeconfig', cluster.kubeconfig, '--namespace', namespace, '--storage-path', join(home, 'storage'),
    '--storage-addr', `127.0.0.1:${storagePort}`, '--metrics-addr', `127.0.0.1:${metricsPort}`, '--health-addr', '0',
    '--log-level', 'info',
  ], { env: { PATH: process.env['PATH'], POD_NAME: name, TMPDIR: home }, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const pid = child.pid;
  if (pid === undefined) throw new Error('bob-controller did not start');
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bob-controller exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    const status = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`bob-controller not ready after 120 s:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    await sleep(100);
  }
  return {
    pid, metricsUrl, logFile,
    async stop() {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

/** Sums of bob-controller's own counters: reconciles by result, and all reconcile durations. */
async function scrapeOperator(url: string): Promise<{ reconciles: number; seconds: number; results: Map<string, number> }> {
  const text = await (await fetch(url)).text();
  let reconciles = 0;
  let seconds = 0;
  const results = new Map<string, number>();
  for (const line of text.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('bob_reconcile_duration_seconds_count{')) reconciles += value;
    else if (line.startsWith('bob_reconcile_duration_seconds_sum{')) seconds += value;
    else if (line.startsWith('bob_reconciles_total{')) results.set(/result="([^"]*)"/.exec(line)?.[1] ?? '?', value);
  }
  return { reconciles, seconds, results };
}

// ---------------------------------------------------------------- kube

/** apiserver_request_total of the controller's resources as `VERB resource[/sub]` → count. */
async function scrapeApiserver(cluster: KubeCluster): Promise<Map<string, number>> {
  const ca = readFileSync(cluster.caFile);
  const text = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest(`${cluster.server}/metrics`, { ca, headers: { authorization: `Bearer ${cluster.adminToken}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')); });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = new Map([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    const resource = labels.get('resource') ?? '';
    if (!WATCHED_RESOURCES.has(resource)) continue;
    const subresource = labels.get('subresource') ?? '';
    const key = `${labels.get('verb') ?? '?'} ${resource}${subresource === '' ? '' : `/${subresource}`}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

function diffCounts(after: Map<string, number>, before: Map<string, number>): [string, number][] {
  return [...after].map(([key, value]): [string, number] => [key, value - (before.get(key) ?? 0)])
    .filter(([key, value]) => value > 0 && !key.startsWith('WATCH ')).sort((a, b) => b[1] - a[1]);
}

/** A watch over one namespace's OCIRepositories: who is Ready, how many writes happened, waiters for a state. */
interface Tracker {
  readonly informer: Informer<RawObject>;
  readyCount(): number;
  /** resourceVersion changes seen (each a write: status patch, finalizer, annotation). */
  updates(): number;
  /** Resolves with the time the first event that satisfies `check` for `name` arrived (or undefined on timeout). */
  waitFor(name: string, check: (object: RawObject) => boolean, timeoutMs: number): Promise<number | undefined>;
  stop(): Promise<void>;
}

async function startTracker(objects: CustomObjectClient<RawObject>, namespace: string): Promise<Tracker> {
  const ready = new Set<string>();
  let updates = 0;
  const waiters = new Set<{ name: string; check: (object: RawObject) => boolean; resolve: (at: number) => void }>();
  const informer = createInformer<RawObject>({
    resyncPeriodMs: 0,
    list: (signal) => objects.list({ namespace, signal }),
    watch: (options, signal) => objects.watch({ ...options, namespace }, signal),
    onEvent: (event) => {
      const at = performance.now();
      if (event.type === 'deleted') {
        ready.delete(event.key);
        return;
      }
      if (event.type === 'updated' && event.previous?.metadata.resourceVersion !== event.object.metadata.resourceVersion) updates += 1;
      if (isReady(event.object)) ready.add(event.key);
      else ready.delete(event.key);
      for (const waiter of waiters) {
        if (waiter.name === event.object.metadata.name && waiter.check(event.object)) waiter.resolve(at);
      }
    },
  });
  informer.start();
  await informer.waitForSync(AbortSignal.timeout(120_000));
  return {
    informer,
    readyCount: () => ready.size,
    updates: () => updates,
    async waitFor(name, check, timeoutMs) {
      const cached = informer.get(`${namespace}/${name}`);
      if (cached !== undefined && check(cached)) return performance.now();
      let waiter: { name: string; check: (object: RawObject) => boolean; resolve: (at: number) => void } | undefined;
      const reached = new Promise<number>((resolve) => { waiter = { name, check, resolve }; waiters.add(waiter); });
      // Cancelled when reached: a pending timer would keep the bench process alive.
      const cancel = new AbortController();
      const timedOut = sleep(timeoutMs, undefined, { signal: cancel.signal }).then(() => undefined, () => undefined);
      try {
        return await Promise.race([reached, timedOut]);
      } finally {
        cancel.abort();
        if (waiter !== undefined) waiters.delete(waiter);
      }
    },
    stop: () => informer.stop(),
  };
}

async function createNamespace(kube: KubeClients, prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}`;
  await kube.transport.request({
    method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    operation: `create namespace ${name}`, signal: AbortSignal.timeout(30_000),
  });
  return name;
}

/** Creates `count` OCIRepositories `<prefix>-<i>` through the API, CREATE_PARALLELISM at a time. */
async function createRepositories(
  kube: KubeClients, namespace: string, count: number, prefix: string, spec: (index: number) => Record<string, unknown>,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      const name = `${prefix}-${index}`;
      await kube.transport.request({
        method: 'POST', path: `/apis/${GROUP}/v1alpha1/namespaces/${namespace}/ocirepositories`, operation: `create ${name}`,
        body: { apiVersion: `${GROUP}/v1alpha1`, kind: 'OCIRepository', metadata: { name, namespace }, spec: spec(index) },
        signal: AbortSignal.timeout(60_000),
      });
    }
  };
  await Promise.all(Array.from({ length: CREATE_PARALLELISM }, worker));
  return (performance.now() - started) / 1000;
}

async function waitAllReady(tracker: Tracker, count: number, operator: OperatorProcess): Promise<number> {
  const started = performance.now();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (tracker.readyCount() < count) {
    if (Date.now() > deadline) throw new Error(`only ${tracker.readyCount()}/${count} Ready; see ${operator.logFile}`);
    await sleep(200);
  }
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------- scenarios

interface Env {
  readonly cluster: KubeCluster;
  readonly kube: KubeClients;
  readonly objects: CustomObjectClient<RawObject>;
  readonly registry: Registry;
  readonly proxy: CountingProxy;
  readonly work: string;
}

interface InitialPass { readonly objects: number; readonly createSeconds: number; readonly syncSeconds: number; readonly cpuSeconds: number; readonly registryRequests: number; readonly memory: ProcSample }

interface Steady {
  readonly initial: InitialPass;
  readonly windowSeconds: number;
  readonly reconciles: number;
  readonly results: [string, number][];
  readonly reconcileMs: number;
  readonly registryTrace: [string, number][];
  readonly registryRequests: number;
  readonly apiRequests: [string, number][];
  readonly statusWrites: number;
  readonly cpuSeconds: number;
  readonly memory: ProcSample;
}

interface Latency { readonly label: string; readonly ms: number[]; readonly timeouts: number }

/** (d): push a new digest to the probe's tag, request a reconcile, time until the watch shows it Ready with that revision. */
async function measureLatency(env: Env, tracker: Tracker, namespace: string, label: string): Promise<Latency> {
  const repository = `bench/latency-${namespace}`;
  const dir = scratchDir('bench-latency');
  const pushed = await pushTestImage(env.registry, dir, repository, 'live', 'sample -1\n');
  await createRepositories(env.kube, namespace, 1, 'latency', () => ({ interval: '1h', insecure: true, url: `oci://${env.proxy.host}/${repository}`, ref: { tag: 'live' } }));
  const probe = 'latency-0';
  const first = await tracker.waitFor(probe, (o) => isReady(o) && statusOf(o).artifact?.revision === `live@${pushed.digest}`, READY_TIMEOUT_MS);
  if (first === undefined) throw new Error(`${probe} never became Ready`);
  const ms: number[] = [];
  let timeouts = 0;
  for (let sample = 0; sample < SAMPLES; sample++) {
    const next = await pushTestImage(env.registry, dir, repository, 'live', `sample ${sample}\n`);
    const token = `bench-${Date.now()}-${sample}`;
    const started = performance.now();
    const reached = tracker.waitFor(probe, (o) => isReady(o) && statusOf(o).artifact?.revision === `live@${next.digest}`, SAMPLE_TIMEOUT_MS);
    await env.objects.mergePatch(namespace, probe, { metadata: { annotations: { [REQUESTED_AT]: token } } }, { signal: AbortSignal.timeout(30_000) });
    const at = await reached;
    if (at === undefined) timeouts += 1;
    else ms.push(at - started);
  }
  return { label, ms, timeouts };
}

async function initialPass(env: Env, namespace: string, count: number, spec: (index: number) => Record<string, unknown>, name: string):
Promise<{ tracker: Tracker; operator: OperatorProcess; initial: InitialPass }> {
  const createSeconds = await createRepositories(env.kube, namespace, count, 'repo', spec);
  const tracker = await startTracker(env.objects, namespace);
  env.proxy.requests.length = 0;
  const operator = await startOperator(name, env.cluster, namespace, env.work);
  const cpuBefore = sampleProcess(operator.pid).cpuSeconds;
  const syncSeconds = await waitAllReady(tracker, count, operator);
  const memory = sampleProcess(operator.pid);
  return {
    tracker, operator,
    initial: { objects: count, createSeconds, syncSeconds, cpuSeconds: memory.cpuSeconds - cpuBefore, registryRequests: env.proxy.requests.length, memory },
  };
}

/** (b) and (d) under load. */
async function steadyState(env: Env): Promise<{ steady: Steady; loaded: Latency }> {
  const namespace = await createNamespace(env.kube, 'bench-steady');
  const dir = scratchDir('bench-artifacts');
  for (let i = 0; i < ARTIFACTS; i++) await pushTestImage(env.registry, dir, `bench/app-${i}`, 'v1', `artifact ${i}\n`);
  const spec = (index: number): Record<string, unknown> => ({
    interval: `${INTERVAL_S}s`, insecure: true, url: `oci://${env.proxy.host}/bench/app-${index % ARTIFACTS}`, ref: { tag: 'v1' },
  });
  const { tracker, operator, initial } = await initialPass(env, namespace, OBJECTS, spec, 'steady');
  try {
    // One full interval after everything is Ready: every object is due exactly once (± the 5 % jitter).
    env.proxy.requests.length = 0;
    const apiBefore = await scrapeApiserver(env.cluster);
    const opBefore = await scrapeOperator(operator.metricsUrl);
    const cpuBefore = sampleProcess(operator.pid).cpuSeconds;
    const updatesBefore = tracker.updates();
    const started = performance.now();
    await sleep(INTERVAL_S * 1000);
    const windowSeconds = (performance.now() - started) / 1000;
    const cpuAfter = sampleProcess(operator.pid);
    const updates = tracker.updates() - updatesBefore;
    const requests = env.proxy.requests.map((r) => toTraceLine(r.method, r.path));
    const opAfter = await scrapeOperator(operator.metricsUrl);
    const apiAfter = await scrapeApiserver(env.cluster);
    const reconciles = opAfter.reconciles - opBefore.reconciles;
    const steady: Steady = {
      initial, windowSeconds, reconciles,
      results: [...opAfter.results].map(([k, v]): [string, number] => [k, v - (opBefore.results.get(k) ?? 0)]).filter(([, v]) => v > 0),
      reconcileMs: reconciles === 0 ? Number.NaN : ((opAfter.seconds - opBefore.seconds) / reconciles) * 1000,
      registryTrace: countLines(requests), registryRequests: requests.length,
      apiRequests: diffCounts(apiAfter, apiBefore), statusWrites: updates,
      cpuSeconds: cpuAfter.cpuSeconds - cpuBefore, memory: cpuAfter,
    };
    const loaded = await measureLatency(env, tracker, namespace, `with ${OBJECTS} objects at ${INTERVAL_S}s`);
    return { steady, loaded };
  } finally {
    await operator.stop();
    await tracker.stop();
  }
}

/** (d) with nothing else to do, and the controller's idle footprint. */
async function idleLatency(env: Env): Promise<{ latency: Latency; memory: ProcSample }> {
  const namespace = await createNamespace(env.kube, 'bench-latency');
  const tracker = await startTracker(env.objects, namespace);
  const operator = await startOperator('latency', env.cluster, namespace, env.work);
  try {
    const latency = await measureLatency(env, tracker, namespace, 'one object');
    return { latency, memory: sampleProcess(operator.pid) };
  } finally {
    await operator.stop();
    await tracker.stop();
  }
}

/** (c): the initial pass over LARGE objects on one artifact, then memory. */
async function largeFootprint(env: Env): Promise<InitialPass> {
  const namespace = await createNamespace(env.kube, 'bench-large');
  const dir = scratchDir('bench-large');
  await pushTestImage(env.registry, dir, 'bench/large', 'v1', 'large\n');
  const spec = (): Record<string, unknown> => ({ interval: '10h', insecure: true, url: `oci://${env.proxy.host}/bench/large`, ref: { tag: 'v1' } });
  const { tracker, operator, initial } = await initialPass(env, namespace, LARGE, spec, 'large');
  await operator.stop();
  await tracker.stop();
  return initial;
}

// ---------------------------------------------------------------- report

function printReport(steady: Steady, latencies: Latency[], idle: ProcSample, large: InitialPass | undefined): void {
  const perReconcile = (n: number): string => (steady.reconciles === 0 ? 'n/a' : (n / steady.reconciles).toFixed(2));
  const perObject = (n: number): string => (n / steady.initial.objects / (steady.windowSeconds / INTERVAL_S)).toFixed(2);
  const apiWrites = steady.apiRequests.filter(([key]) => WRITE_VERBS.has(key.split(' ')[0] ?? '')).reduce((sum, [, n]) => sum + n, 0);
  const apiTotal = steady.apiRequests.reduce((sum, [, n]) => sum + n, 0);
  const { initial } = steady;

  console.log(`\nbob-controller (child process: node ${process.version} ${relative(process.cwd(), ENTRY)}) against kube-apiserver + distribution 2.8 on loopback, ${availableCores()} cores`);
  console.log(`\n(b) steady state: ${initial.objects} OCIRepositories on ${ARTIFACTS} unchanged artifacts, interval ${INTERVAL_S}s, window ${steady.windowSeconds.toFixed(1)} s after all Ready`);
  console.log(`    initial pass: created in ${initial.createSeconds.toFixed(1)} s, all Ready ${initial.syncSeconds.toFixed(1)} s after start `
    + `(${(initial.objects / initial.syncSeconds).toFixed(0)} objects/s), controller CPU ${initial.cpuSeconds.toFixed(1)} s `
    + `(${((initial.cpuSeconds / initial.objects) * 1000).toFixed(1)} ms/object), registry requests ${(initial.registryRequests / initial.objects).toFixed(2)}/object`);
  const rows: [string, string, string, string][] = [
    ['reconciles in the window', String(steady.reconciles), '1.00', (steady.reconciles / initial.objects).toFixed(2)],
    ['registry requests', String(steady.registryRequests), perReconcile(steady.registryRequests), perObject(steady.registryRequests)],
    ['status writes (resourceVersion changes)', String(steady.statusWrites), perReconcile(steady.statusWrites), perObject(steady.statusWrites)],
    ['kube API writes (apiserver_request_total)', String(apiWrites), perReconcile(apiWrites), perObject(apiWrites)],
    ['kube API requests, all verbs', String(apiTotal), perReconcile(apiTotal), perObject(apiTotal)],
    ['controller CPU ms', (steady.cpuSeconds * 1000).toFixed(0), perReconcile(steady.cpuSeconds * 1000), perObject(steady.cpuSeconds * 1000)],
  ];
  console.log(`\n    ${'measure'.padEnd(42)} ${'total'.padStart(8)} ${'/reconcile'.padStart(11)} ${'/object/interval'.padStart(17)}`);
  for (const [name, total, a, b] of rows) console.log(`    ${name.padEnd(42)} ${total.padStart(8)} ${a.padStart(11)} ${b.padStart(17)}`);
  console.log(`    controller CPU over the window: ${((steady.cpuSeconds / steady.windowSeconds) * 100).toFixed(1)} % of one core; `
    + `mean reconcile ${steady.reconcileMs.toFixed(1)} ms; results ${steady.results.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(`    registry requests: ${steady.registryTrace.map(([line, n]) => `${line} ×${n}`).join('; ') || 'none'}`);
  console.log(`    kube API requests: ${steady.apiRequests.map(([line, n]) => `${line} ×${n}`).join('; ') || 'none'}`);
  console.log('    target: 1 registry request and 0 status writes per unchanged reconcile');

  console.log('\n(c) controller memory after every object was reconciled once (target: 10,000 objects under 200 MiB RSS)');
  console.log(`    ${'objects'.padEnd(10)} ${'VmRSS MiB'.padStart(10)} ${'VmHWM MiB'.padStart(10)} ${'all Ready s'.padStart(12)} ${'objects/s'.padStart(10)} ${'CPU ms/object'.padStart(14)}`);
  const memoryRow = (objects: number, memory: ProcSample, seconds?: number, cpu?: number): void => {
    console.log(`    ${String(objects).padEnd(10)} ${memory.rssMiB.toFixed(0).padStart(10)} ${memory.hwmMiB.toFixed(0).padStart(10)} `
      + `${(seconds === undefined ? '' : seconds.toFixed(1)).padStart(12)} ${(seconds === undefined ? '' : (objects / seconds).toFixed(0)).padStart(10)} `
      + (cpu === undefined ? '' : ((cpu / objects) * 1000).toFixed(1)).padStart(14));
  };
  memoryRow(1, idle);
  memoryRow(initial.objects, initial.memory, initial.syncSeconds, initial.cpuSeconds);
  console.log(`    ${String(initial.objects).padEnd(10)} ${steady.memory.rssMiB.toFixed(0).padStart(10)} ${steady.memory.hwmMiB.toFixed(0).padStart(10)}   (after the steady-state window)`);
  if (large === undefined) console.log('    large run skipped (BENCH_CONTROLLER_LARGE=0)');
  else memoryRow(large.objects, large.memory, large.syncSeconds, large.cpuSeconds);

  console.log(`\n(d) new digest on the tag → Ready with it, after a ${REQUESTED_AT} request (target: p50 under 1 s)`);
  console.log(`    ${'controller load'.padEnd(32)} ${'samples'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'timeouts'.padStart(9)}`);
  for (const latency of latencies) {
    console.log(`    ${latency.label.padEnd(32)} ${String(latency.ms.length).padStart(8)} ${percentile(latency.ms, 50).toFixed(0).padStart(8)} `
      + `${percentile(latency.ms, 95).toFixed(0).padStart(8)} ${percentile(latency.ms, 100).toFixed(0).padStart(8)} ${String(latency.timeouts).padStart(9)}`);
  }
}

function availableCores(): number {
  return /^Cpus_allowed_list:\s*(.*)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]?.split(',')
    .reduce((sum, range) => { const [a = 0, b = a] = range.split('-').map(Number); return sum + b - a + 1; }, 0) ?? 0;
}

/** Runs scenarios (b), (c) and (d) and prints their figures. */
export async function runControllerBench(): Promise<void> {
  clockTicks = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  const cluster = await kube();
  const kubectl = toolPath('kubectl');
  await run(kubectl, [`--kubeconfig=${cluster.kubeconfig}`, 'apply', '-f', join(import.meta.dirname, '..', 'config', 'crd')]);
  await run(kubectl, [`--kubeconfig=${cluster.kubeconfig}`, 'wait', '--for=condition=Established', '--timeout=60s', `crd/ocirepositories.${GROUP}`]);
  const reg = await registry({ kind: 'distribution' });
  const proxy = await startCountingProxy(reg.host);
  const kubeClients = createKubeClients({ kubeconfigPath: cluster.kubeconfig });
  const env: Env = {
    cluster, kube: kubeClients, objects: kubeClients.customObjects<RawObject>(OCI_REPOSITORY_RESOURCE), registry: reg, proxy,
    work: scratchDir('bench-controller'),
  };
  try {
    const started = performance.now();
    const idle = await idleLatency(env);
    const { steady, loaded } = await steadyState(env);
    const large = LARGE > 0 ? await largeFootprint(env) : undefined;
    printReport(steady, [idle.latency, loaded], idle.memory, large);
    console.log(`\ncontroller scenario took ${((performance.now() - started) / 1000).toFixed(0)} s${CPU_PROF_DIR === undefined ? '' : `; CPU profiles in ${CPU_PROF_DIR}`}`);
  } finally {
    await proxy.stop();
  }
}
