// bob-controller's command line and watch predicates: pure functions, no
// servers (kept next to the operator's end-to-end test they belong to).
import assert from 'node:assert/strict';
import type { RawObject } from '../../../src/controller/index.ts';
import type { InformerEvent } from '../../../src/kube/index.ts';
import { isReconcileTrigger } from '../../../src/operator.ts';
import {
  OPERATOR_USAGE, parseOperatorFlags, toAdvertisedAddress, toListenAddress, type OperatorFlags,
} from '../../../src/operator-flags.ts';

const run = (argv: string[], env: Record<string, string> = {}): OperatorFlags => {
  const command = parseOperatorFlags(argv, env);
  assert.equal(command.kind, 'run');
  return command.flags;
};

const usage = (argv: string[], message: string, env: Record<string, string> = {}) => {
  assert.throws(() => parseOperatorFlags(argv, env), (error: unknown) => {
    assert.equal((error as { code?: string }).code, OPERATOR_USAGE);
    assert.equal((error as Error).message, message);
    return true;
  });
};

describe('bob-controller flags', () => {
  it('has Flux defaults', () => {
    assert.deepEqual(run(['--storage-path', '/data'], { HOSTNAME: 'pod-1' }), {
      concurrent: 2,
      storagePath: '/data',
      storageAddr: { port: 9090 },
      storageAdvAddr: 'localhost:9090',
      metricsAddr: { port: 8080 },
      healthAddr: { port: 9440 },
      leaderElection: { enabled: false, id: 'bob-controller-leader-election', leaseDurationMs: 35_000, renewDeadlineMs: 30_000, retryPeriodMs: 5000 },
      retention: { keep: 2, ttlMs: 60_000 },
      intervalJitterPercent: 5,
      retryBackoff: { minMs: 750, maxMs: 900_000 },
      logLevel: 'info',
      installCrds: false,
    });
  });

  it('reads everything given, Go boolean forms included', () => {
    const flags = run([
      '--kubeconfig', '/k', '--context', 'c', '--namespace', 'team-a', '--concurrent', '8', '--storage-path', '/s',
      '--storage-addr', '0.0.0.0:9091', '--metrics-addr', '0', '--health-addr', '[::1]:9441',
      '--enable-leader-election=true', '--install-crds=false', '--leader-election-namespace', 'bob-system', '--leader-election-id', 'x.y',
      '--artifact-retention-ttl', '90s', '--artifact-retention-records', '0', '--interval-jitter-percentage', '0',
      '--min-retry-delay', '1s', '--max-retry-delay', '1m30s', '--log-level', 'debug',
      '--policy', '/p.json', '--trusted-keys-dir', '/keys', '--registries-d', '/r',
    ], { HOSTNAME: 'pod-1' });
    assert.deepEqual(flags, {
      kubeconfig: '/k', context: 'c', namespace: 'team-a', concurrent: 8, storagePath: '/s',
      storageAddr: { host: '0.0.0.0', port: 9091 }, storageAdvAddr: 'pod-1:9091', healthAddr: { host: '::1', port: 9441 },
      leaderElection: { enabled: true, namespace: 'bob-system', id: 'x.y', leaseDurationMs: 35_000, renewDeadlineMs: 30_000, retryPeriodMs: 5000 },
      retention: { keep: 0, ttlMs: 90_000 }, intervalJitterPercent: 0, retryBackoff: { minMs: 1000, maxMs: 90_000 }, logLevel: 'debug',
      trustFloor: { policyFile: '/p.json', keysDir: '/keys', registriesDir: '/r' }, installCrds: false,
    });
  });

  it('falls back to Flux environment variables; flags win', () => {
    const env = { STORAGE_PATH: '/env', STORAGE_ADDRESS: ':7000', STORAGE_ADV_ADDR: 'svc.ns.svc.cluster.local.', METRICS_ADDR: '127.0.0.1:7001' };
    const fromEnv = run([], env);
    assert.deepEqual([fromEnv.storagePath, fromEnv.storageAddr, fromEnv.storageAdvAddr, fromEnv.metricsAddr],
      ['/env', { port: 7000 }, 'svc.ns.svc.cluster.local.', { host: '127.0.0.1', port: 7001 }]);
    assert.equal(run(['--storage-path', '/flag'], env).storagePath, '/flag');
  });

  it('refuses wrong values, naming the flag', () => {
    usage([], '--storage-path is required (or STORAGE_PATH)');
    usage(['--storage-path', '/s', 'extra'], "Unexpected argument 'extra'. This command does not take positional arguments");
    usage(['--storage-path', '/s', '--concurrent', '1.5'], '--concurrent must be an integer from 1 to 1000, got "1.5"');
    usage(['--storage-path', '/s', '--interval-jitter-percentage', '100'], '--interval-jitter-percentage must be an integer from 0 to 99, got "100"');
    usage(['--storage-path', '/s', '--min-retry-delay', '2m', '--max-retry-delay', '1m'], '--min-retry-delay must not be longer than --max-retry-delay');
    usage(['--storage-path', '/s', '--artifact-retention-ttl=-1s'], '--artifact-retention-ttl must be a non-negative Go duration such as 30s or 1m, got "-1s"');
    usage(['--storage-path', '/s', '--min-retry-delay', '10'], '--min-retry-delay must be a positive Go duration such as 30s or 1m, got "10"');
    usage(['--storage-path', '/s', '--storage-addr', '9090'], '--storage-addr must be [host]:port, got "9090"');
    usage(['--storage-path', '/s', '--storage-addr', ':0'], '--storage-addr with port 0 needs --storage-adv-addr: the port is not known before listening');
    usage(['--storage-path', '/s', '--storage-adv-addr', 'user@host'], '--storage-adv-addr must be host[:port], got "user@host"');
    usage(['--storage-path', '/s', '--storage-adv-addr', 'host/path'], '--storage-adv-addr must be host[:port], got "host/path"');
    usage(['--storage-path', '/s', '--log-level', 'trace'], '--log-level must be one of debug, info, error, got "trace"');
    usage(['--storage-path', '/s', '--namespace', 'Bad_NS'], '--namespace "Bad_NS" is not a valid namespace');
    usage(['--storage-path', '/s', '--policy', '/p.json'], '--policy needs --trusted-keys-dir (the only place its key paths resolve)');
    usage(['--storage-path', '/s', '--registries-d', '/r'], '--trusted-keys-dir and --registries-d need --policy');
    usage(['--storage-path', '/s', '--leader-election-renew-deadline', '40s'], 'leader election needs lease duration > renew deadline > 1.2 x retry period');
    usage(['--storage-path', '/s', '--enable-leader-election=maybe'], "Option '--enable-leader-election' does not take an argument");
  });

  it('forwards events only to an http(s) --events-addr; empty means off, as in Flux', () => {
    assert.equal(run(['--storage-path', '/s', '--events-addr', 'http://nc.flux-system.svc/']).eventsAddr, 'http://nc.flux-system.svc/');
    assert.equal(run(['--storage-path', '/s', '--events-addr', '']).eventsAddr, undefined);
    assert.equal(run(['--storage-path', '/s']).eventsAddr, undefined);
    usage(['--storage-path', '/s', '--events-addr', 'ftp://nc/'], '--events-addr must be an http or https URL such as http://notification-controller.flux-system.svc.cluster.local./');
  });

  it('parses listen addresses like net.SplitHostPort and derives the advertised one like Flux', () => {
    assert.deepEqual(toListenAddress(':8080', 'f'), { port: 8080 });
    assert.deepEqual(toListenAddress('127.0.0.1:0', 'f'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(toListenAddress('[::]:1', 'f'), { host: '::', port: 1 });
    assert.equal(toListenAddress('0', 'f'), undefined);
    assert.throws(() => toListenAddress(':65536', 'f'), /must be \[host\]:port/);
    assert.throws(() => toListenAddress('::1:80', 'f'), /must be \[host\]:port/);
    assert.equal(toAdvertisedAddress({ port: 9090 }, 'pod'), 'localhost:9090');
    assert.equal(toAdvertisedAddress({ host: '0.0.0.0', port: 9090 }, 'pod'), 'pod:9090');
    assert.equal(toAdvertisedAddress({ host: '::', port: 9090 }, 'pod'), 'pod:9090');
    assert.equal(toAdvertisedAddress({ host: '::1', port: 9090 }, 'pod'), '[::1]:9090');
  });
});

describe('bob-controller watch predicates (Flux GenerationChanged or ReconcileRequested)', () => {
  const object = (generation: number, annotations: Record<string, string> = {}, deletionTimestamp?: string): RawObject => ({
    metadata: { name: 'app', namespace: 'ns', generation, annotations, ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }) },
  });
  const updated = (previous: RawObject, next: RawObject): InformerEvent<RawObject> => ({ type: 'updated', key: 'ns/app', object: next, previous });

  it('enqueues added and resync events, never deleted ones', () => {
    assert.equal(isReconcileTrigger({ type: 'added', key: 'ns/app', object: object(1) }), true);
    assert.equal(isReconcileTrigger({ type: 'resync', key: 'ns/app', object: object(1) }), true);
    assert.equal(isReconcileTrigger({ type: 'deleted', key: 'ns/app', object: object(1) }), false);
  });

  it('enqueues an update for a new generation, a new request token or a deletion, and ignores status or label churn', () => {
    assert.equal(isReconcileTrigger(updated(object(1), object(2))), true);
    assert.equal(isReconcileTrigger(updated(object(1), object(1, { 'reconcile.fluxcd.io/requestedAt': 't1' }))), true);
    assert.equal(isReconcileTrigger(updated(object(1, { 'source.k8sstormcenter.io/requestedAt': 't1' }), object(1, { 'source.k8sstormcenter.io/requestedAt': 't2' }))), true);
    assert.equal(isReconcileTrigger(updated(object(1), object(1, {}, '2026-01-01T00:00:00Z'))), true);
    assert.equal(isReconcileTrigger(updated(object(1, { 'reconcile.fluxcd.io/requestedAt': 't1' }), object(1, { 'reconcile.fluxcd.io/requestedAt': 't1' }))), false);
    assert.equal(isReconcileTrigger(updated(object(1, { 'reconcile.fluxcd.io/requestedAt': 't1' }), object(1))), false);
    assert.equal(isReconcileTrigger(updated(object(1, { team: 'a' }), object(1, { team: 'b' }))), false);
    assert.equal(isReconcileTrigger(updated(object(1, {}, 'x'), object(1, {}, 'x'))), false);
  });
});
