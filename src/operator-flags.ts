/**
 * bob-controller's command line, parsed at the edge (house rule 1): flag
 * names, defaults and environment fallbacks follow source-controller's
 * (research/flux.md §4.3, §4.5, §4.6), so a Flux deployment's args port
 * over. Everything is checked here; operator.ts trusts the result.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { parseGoDuration } from './api/index.ts';
import type { LogLevel, RetryBackoff } from './runtime/index.ts';
import { BobError } from './shared/index.ts';
import type { RetentionPolicy } from './storage/index.ts';

/** The error code of a wrong command line (exit code 2). */
export const OPERATOR_USAGE = 'OPERATOR_USAGE';

/** Flux's default Lease name is `source-controller-leader-election`; bob's is its own. */
export const DEFAULT_LEADER_ELECTION_ID = 'bob-controller-leader-election';

/** host and port to listen on; no host means every interface. */
export interface ListenAddress {
  readonly host?: string;
  readonly port: number;
}

/** Leader election settings (Flux `runtime/leaderelection` flags). */
export interface LeaderElectionFlags {
  readonly enabled: boolean;
  /** Undefined: the kube clients' namespace (in a pod: the pod's), else RUNTIME_NAMESPACE. */
  readonly namespace?: string;
  readonly id: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/** The cluster-wide trust floor files (controller loadTrustFloor). */
export interface TrustFloorFlags {
  readonly policyFile: string;
  readonly keysDir: string;
  readonly registriesDir?: string;
}

/** The parsed command line. */
export interface OperatorFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Watch only this namespace; undefined watches all. */
  readonly namespace?: string;
  readonly concurrent: number;
  readonly storagePath: string;
  readonly storageAddr: ListenAddress;
  /** host[:port] written into artifact URLs (`http://<this>/<path>`). */
  readonly storageAdvAddr: string;
  /** Undefined when turned off with `0`. */
  readonly metricsAddr?: ListenAddress;
  readonly healthAddr?: ListenAddress;
  readonly leaderElection: LeaderElectionFlags;
  readonly retention: RetentionPolicy;
  readonly intervalJitterPercent: number;
  readonly retryBackoff: RetryBackoff;
  readonly logLevel: LogLevel;
  readonly trustFloor?: TrustFloorFlags;
  readonly installCrds: boolean;
  /** notification-controller's event endpoint; undefined: Kubernetes Events only. */
  readonly eventsAddr?: string;
}

/** What the command line asks for. */
export type OperatorCommand = { readonly kind: 'help' } | { readonly kind: 'run'; readonly flags: OperatorFlags };

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string' },
  concurrent: { type: 'string' },
  'storage-path': { type: 'string' },
  'storage-addr': { type: 'string' },
  'storage-adv-addr': { type: 'string' },
  'metrics-addr': { type: 'string' },
  'health-addr': { type: 'string' },
  'enable-leader-election': { type: 'boolean' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  'leader-election-lease-duration': { type: 'string' },
  'leader-election-renew-deadline': { type: 'string' },
  'leader-election-retry-period': { type: 'string' },
  'artifact-retention-ttl': { type: 'string' },
  'artifact-retention-records': { type: 'string' },
  'interval-jitter-percentage': { type: 'string' },
  'min-retry-delay': { type: 'string' },
  'max-retry-delay': { type: 'string' },
  'log-level': { type: 'string' },
  policy: { type: 'string' },
  'trusted-keys-dir': { type: 'string' },
  'registries-d': { type: 'string' },
  'events-addr': { type: 'string' },
  'install-crds': { type: 'boolean' },
} as const;

const BOOLEAN_FLAGS = new Set(Object.entries(OPTIONS).filter(([, option]) => option.type === 'boolean').map(([name]) => `--${name}`));

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'error'];

/** `bob-controller --help`. */
export const OPERATOR_HELP = `Usage: bob-controller --storage-path DIR [flags]

Reconciles source.k8sstormcenter.io OCIRepository objects: resolves, verifies,
fetches and serves OCI artifacts (docs/operator.md).

Kubernetes:
  --kubeconfig FILE                    kubeconfig (default: KUBECONFIG, in-cluster, ~/.kube/config)
  --context NAME                       kubeconfig context (default: its current-context)
  --namespace NS                       watch only NS (default: all namespaces)
  --install-crds                       server-side apply config/crd before starting, wait until Established

Reconciling:
  --concurrent N                       OCIRepositories reconciled at once (default 2)
  --interval-jitter-percentage P       spread spec.interval by +-P % (default 5, below 100)
  --min-retry-delay DURATION           first retry after a failure (default 750ms)
  --max-retry-delay DURATION           longest retry backoff (default 15m)
  --policy FILE                        cluster-wide trust floor: containers-policy.json applied to every object
  --trusted-keys-dir DIR               where the policy's key and certificate paths resolve (required with --policy)
  --registries-d DIR                   registries.d (*.yaml) for the policy's signature lookaside

Storage (env STORAGE_PATH, STORAGE_ADDRESS, STORAGE_ADV_ADDR):
  --storage-path DIR                   artifact storage root (required)
  --storage-addr [HOST]:PORT           artifact server address (default :9090)
  --storage-adv-addr HOST[:PORT]       address in artifact URLs (default: from --storage-addr; empty host
                                       -> localhost, 0.0.0.0 -> HOSTNAME)
  --artifact-retention-ttl DURATION    keep replaced artifacts at least this long (default 1m)
  --artifact-retention-records N       keep the newest N artifacts per object (default 2)

Operations:
  --metrics-addr [HOST]:PORT           /metrics, /healthz, /readyz (default :8080, env METRICS_ADDR; 0 turns off)
  --health-addr [HOST]:PORT            /healthz, /readyz, /metrics (default :9440; 0 turns off)
  --log-level LEVEL                    debug, info or error (default info)
  --enable-leader-election             only the Lease holder reconciles and serves artifacts
  --leader-election-namespace NS       namespace of the Lease (default: the kubeconfig's or pod's namespace,
                                       else RUNTIME_NAMESPACE)
  --leader-election-id NAME            Lease name (default ${DEFAULT_LEADER_ELECTION_ID})
  --leader-election-lease-duration D   (default 35s)
  --leader-election-renew-deadline D   (default 30s)
  --leader-election-retry-period D     (default 5s)
  --events-addr URL                    also POST events to Flux's notification-controller at this http(s) URL
  -h, --help                           this text

Exit codes: 0 clean shutdown, 1 failure, 2 wrong command line.
`;

/** A wrong command line: exit code 2. */
export function operatorUsageError(message: string): BobError {
  return new BobError(OPERATOR_USAGE, message, { errorClass: 'stalling' });
}

/**
 * Parses `argv` (without node and script) with `env` as the fallback of the
 * flags Flux reads from the environment. Throws OPERATOR_USAGE for anything
 * wrong, naming the flag.
 */
export function parseOperatorFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): OperatorCommand {
  let values;
  try {
    ({ values } = parseArgs({ args: toBooleanSwitches(argv), options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw operatorUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: 'help' };
  const fromEnv = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const storagePath = values['storage-path'] ?? fromEnv('STORAGE_PATH');
  if (storagePath === undefined || storagePath === '') throw operatorUsageError('--storage-path is required (or STORAGE_PATH)');
  const storageAddrText = values['storage-addr'] ?? fromEnv('STORAGE_ADDRESS') ?? ':9090';
  const storageAddr = toListenAddress(storageAddrText, '--storage-addr');
  if (storageAddr === undefined) throw operatorUsageError('--storage-addr cannot be turned off');
  const advertised = values['storage-adv-addr'] ?? fromEnv('STORAGE_ADV_ADDR');
  if (advertised === undefined && storageAddr.port === 0) {
    throw operatorUsageError('--storage-addr with port 0 needs --storage-adv-addr: the port is not known before listening');
  }
  const storageAdvAddr = advertised ?? toAdvertisedAddress(storageAddr, fromEnv('HOSTNAME') ?? hostname());
  assertAdvertisedAddress(storageAdvAddr);

  const minRetry = toDuration(values['min-retry-delay'] ?? '750ms', '--min-retry-delay', { positive: true });
  const maxRetry = toDuration(values['max-retry-delay'] ?? '15m', '--max-retry-delay', { positive: true });
  if (minRetry > maxRetry) throw operatorUsageError('--min-retry-delay must not be longer than --max-retry-delay');

  const leaseDurationMs = toDuration(values['leader-election-lease-duration'] ?? '35s', '--leader-election-lease-duration', { positive: true });
  const renewDeadlineMs = toDuration(values['leader-election-renew-deadline'] ?? '30s', '--leader-election-renew-deadline', { positive: true });
  const retryPeriodMs = toDuration(values['leader-election-retry-period'] ?? '5s', '--leader-election-retry-period', { positive: true });
  // client-go's rule; the elector would refuse it later with a less helpful message.
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs * 1.2)) {
    throw operatorUsageError('leader election needs lease duration > renew deadline > 1.2 x retry period');
  }
  const leaderNamespace = values['leader-election-namespace'];
  if (leaderNamespace === '') throw operatorUsageError('--leader-election-namespace must not be empty');
  const leaderId = values['leader-election-id'] ?? DEFAULT_LEADER_ELECTION_ID;
  if (!DNS1123_SUBDOMAIN.test(leaderId)) throw operatorUsageError(`--leader-election-id "${leaderId}" is not a valid Lease name`);

  const logLevel = values['log-level'] ?? 'info';
  if (!isLogLevel(logLevel)) throw operatorUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const namespace = values.namespace;
  if (namespace !== undefined && !DNS1123_LABEL.test(namespace)) throw operatorUsageError(`--namespace "${namespace}" is not a valid namespace`);

  const metricsAddr = toListenAddress(values['metrics-addr'] ?? fromEnv('METRICS_ADDR') ?? ':8080', '--metrics-addr');
  const healthAddr = toListenAddress(values['health-addr'] ?? ':9440', '--health-addr');
  const trustFloor = toTrustFloor(values.policy, values['trusted-keys-dir'], values['registries-d']);
  const eventsAddr = toEventsAddress(values['events-addr']);
  return {
    kind: 'run',
    flags: {
      ...(values.kubeconfig === undefined ? {} : { kubeconfig: nonEmpty(values.kubeconfig, '--kubeconfig') }),
      ...(values.context === undefined ? {} : { context: nonEmpty(values.context, '--context') }),
      ...(namespace === undefined ? {} : { namespace }),
      concurrent: toInteger(values.concurrent ?? '2', '--concurrent', 1, 1000),
      storagePath,
      storageAddr,
      storageAdvAddr,
      ...(metricsAddr === undefined ? {} : { metricsAddr }),
      ...(healthAddr === undefined ? {} : { healthAddr }),
      leaderElection: {
        enabled: values['enable-leader-election'] === true,
        ...(leaderNamespace === undefined ? {} : { namespace: leaderNamespace }),
        id: leaderId, leaseDurationMs, renewDeadlineMs, retryPeriodMs,
      },
      retention: {
        keep: toInteger(values['artifact-retention-records'] ?? '2', '--artifact-retention-records', 0, 1000),
        ttlMs: toDuration(values['artifact-retention-ttl'] ?? '1m', '--artifact-retention-ttl', { positive: false }),
      },
      // Flux takes a uint8 below 100.
      intervalJitterPercent: toInteger(values['interval-jitter-percentage'] ?? '5', '--interval-jitter-percentage', 0, 99),
      retryBackoff: { minMs: minRetry, maxMs: maxRetry },
      logLevel,
      ...(trustFloor === undefined ? {} : { trustFloor }),
      installCrds: values['install-crds'] === true,
      ...(eventsAddr === undefined ? {} : { eventsAddr }),
    },
  };
}

const DNS1123_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Go's flag package takes `--flag=true` and `--flag=false` for booleans
 * (Flux deployments write `--enable-leader-election=true`); parseArgs does
 * not, so those forms become the bare switch or nothing.
 */
function toBooleanSwitches(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    const match = /^(--[a-z-]+)=(true|false)$/.exec(arg);
    if (match?.[1] !== undefined && BOOLEAN_FLAGS.has(match[1])) {
      if (match[2] === 'true') out.push(match[1]);
      continue;
    }
    out.push(arg);
  }
  return out;
}

function nonEmpty(value: string, flag: string): string {
  if (value === '') throw operatorUsageError(`${flag} must not be empty`);
  return value;
}

/**
 * `[host]:port` as Go's net.SplitHostPort reads it (IPv6 in brackets).
 * `0` alone turns the server off (controller-runtime's convention for
 * `--metrics-addr=0`), returned as undefined.
 */
export function toListenAddress(text: string, flag: string): ListenAddress | undefined {
  if (text === '0') return undefined;
  const match = /^(?:\[([0-9a-fA-F:.%a-zA-Z]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65_535) {
    throw operatorUsageError(`${flag} must be [host]:port, got "${text}"`);
  }
  const host = match[1] ?? match[2] ?? '';
  return host === '' ? { port } : { host, port };
}

/** Flux's determineAdvStorageAddr: an empty host is localhost, an unspecified one this host's name. */
export function toAdvertisedAddress(address: ListenAddress, hostName: string): string {
  let host = address.host ?? 'localhost';
  if (host === '0.0.0.0' || host === '::') host = hostName;
  return host.includes(':') ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}

function assertAdvertisedAddress(value: string): void {
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    throw operatorUsageError(`--storage-adv-addr must be host[:port], got "${value}"`);
  }
  // Anything beyond host and port would end up in every artifact URL.
  if (url.host === '' || url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[/?#@]/.test(value)) {
    throw operatorUsageError(`--storage-adv-addr must be host[:port], got "${value}"`);
  }
}

function toInteger(text: string, flag: string, min: number, max: number): number {
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw operatorUsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  return value;
}

/** A Go duration (`750ms`, `1m`) in ms, as Flux's flags take them. */
function toDuration(text: string, flag: string, { positive }: { positive: boolean }): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0 || (positive && ms === 0)) {
    throw operatorUsageError(`${flag} must be a ${positive ? 'positive' : 'non-negative'} Go duration such as 30s or 1m, got "${text}"`);
  }
  return ms;
}

/** Flux's `--events-addr`: empty (its default) forwards nothing; otherwise an http(s) URL. */
function toEventsAddress(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') {
    throw operatorUsageError('--events-addr must be an http or https URL such as http://notification-controller.flux-system.svc.cluster.local./');
  }
  return url.href;
}

function toTrustFloor(policy: string | undefined, keysDir: string | undefined, registriesDir: string | undefined): TrustFloorFlags | undefined {
  if (policy === undefined) {
    if (keysDir !== undefined || registriesDir !== undefined) throw operatorUsageError('--trusted-keys-dir and --registries-d need --policy');
    return undefined;
  }
  if (keysDir === undefined) throw operatorUsageError('--policy needs --trusted-keys-dir (the only place its key paths resolve)');
  return {
    policyFile: nonEmpty(policy, '--policy'),
    keysDir: nonEmpty(keysDir, '--trusted-keys-dir'),
    ...(registriesDir === undefined ? {} : { registriesDir: nonEmpty(registriesDir, '--registries-d') }),
  };
}
