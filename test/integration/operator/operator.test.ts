// bob-controller end to end, in-process (runOperator) against the test
// environment's kube-apiserver and a distribution registry: an OCIRepository
// becomes Ready, its artifact is served with the recorded digest, a new
// revision follows a reconcile request, a registry outage is reported and
// recovered from while the last artifact stays served, metrics and probes
// answer, shutdown is clean; with leader election only the Lease holder
// reconciles and the other replica takes over when it stops.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { freePort } from '../../env/ports.ts';
import type { Registry } from '../../env/registries.ts';
import { kubeFixture, type KubeFixture } from '../kube/support.ts';
import { startTcpRelay, type TcpRelay } from './tcp-proxy.ts';
import { OCI_REPOSITORY_RESOURCE, type RawObject } from '../../../src/controller/index.ts';
import { createKubeClients, type CustomObjectClient, type KubeClients } from '../../../src/kube/index.ts';
import { runOperator } from '../../../src/operator.ts';

interface Condition { type: string; status: string; reason: string; message: string }
interface Status {
  conditions?: Condition[];
  lastHandledReconcileAt?: string;
  url?: string;
  artifact?: { revision: string; digest: string; url: string };
}

interface RunningOperator {
  readonly name: string;
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly healthUrl: string;
  readonly logs: string[];
  readonly done: Promise<number>;
  stop(): Promise<number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function statusOf(object: RawObject | undefined): Status {
  const status = object?.['status'];
  return typeof status === 'object' && status !== null ? status : {};
}

function conditionOf(object: RawObject | undefined, type: string): Condition | undefined {
  return statusOf(object).conditions?.find((c) => c.type === type);
}

/** Polls `probe` until it returns a value; the deadline only bounds a hang, it asserts no speed. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, describe: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + 45_000;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}: ${describe()}${lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`}`);
    }
    await sleep(100);
  }
}

async function sha256Of(url: string): Promise<{ status: number; digest?: string }> {
  const response = await fetch(url);
  if (response.status !== 200) {
    await response.body?.cancel();
    return { status: response.status };
  }
  return { status: 200, digest: `sha256:${createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex')}` };
}

async function refused(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.body?.cancel();
    return false;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
}

describe('bob-controller (runOperator against the real kube-apiserver and registry)', function () {
  this.timeout(120_000);
  let fixture: KubeFixture;
  let kube: KubeClients;
  let objects: CustomObjectClient<RawObject>;
  let reg: Registry;
  let relay: TcpRelay;
  let home: string;
  const running = new Set<RunningOperator>();

  const startOperator = async (name: string, extra: string[] = []): Promise<RunningOperator> => {
    const [metricsPort, healthPort, storagePort] = await Promise.all([freePort(), freePort(), freePort()]);
    const controller = new AbortController();
    const logs: string[] = [];
    const done = runOperator([
      '--kubeconfig', fixture.cluster.kubeconfig, '--namespace', fixture.namespace,
      '--storage-path', join(home, name, 'storage'),
      '--storage-addr', `127.0.0.1:${storagePort}`, '--storage-adv-addr', `127.0.0.1:${storagePort}`,
      '--metrics-addr', `127.0.0.1:${metricsPort}`, '--health-addr', `127.0.0.1:${healthPort}`,
      '--min-retry-delay', '100ms', '--max-retry-delay', '1s', '--log-level', 'debug', ...extra,
    ], {
      env: { POD_NAME: name, TMPDIR: home },
      signal: controller.signal,
      stdout: { write: (line: string) => { logs.push(line); return true; } },
    });
    const operator: RunningOperator = {
      name, logs, done,
      baseUrl: `http://127.0.0.1:${storagePort}`,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      healthUrl: `http://127.0.0.1:${healthPort}`,
      async stop() {
        controller.abort();
        running.delete(operator);
        return done;
      },
    };
    running.add(operator);
    // Fail fast (with its logs) if it exits instead of coming up.
    void done.then((code) => { if (running.has(operator)) logs.push(`exited early with ${code}`); });
    await waitFor(`${name} /healthz`, async () => (await fetch(`${operator.healthUrl}/healthz`)).status === 200 ? true : undefined, () => logs.slice(-5).join(''));
    return operator;
  };

  const get = (name: string) => objects.get(fixture.namespace, name, { signal: AbortSignal.timeout(10_000) });
  const requestReconcile = async (name: string, token: string) => {
    await objects.mergePatch(fixture.namespace, name, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } }, { signal: AbortSignal.timeout(10_000) });
  };
  const waitForObject = async (what: string, name: string, check: (object: RawObject) => boolean, operator?: RunningOperator) => {
    let last: RawObject | undefined;
    return waitFor(what, async () => {
      last = await get(name);
      return check(last) ? last : undefined;
    }, () => `${JSON.stringify(statusOf(last))}\n${operator?.logs.slice(-8).join('') ?? ''}`);
  };

  before(async () => {
    fixture = await kubeFixture('operator');
    kube = createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig });
    objects = kube.customObjects<RawObject>(OCI_REPOSITORY_RESOURCE);
    reg = await registry({ kind: 'distribution' });
    relay = await startTcpRelay(reg.host);
    home = scratchDir('operator');
  });

  after(async () => {
    await Promise.all([...running].map((operator) => operator.stop()));
    await relay.stop();
  });

  it('reconciles to Ready, serves the artifact, follows a requested new revision, rides out a registry outage and shuts down cleanly', async () => {
    const first = await pushTestImage(reg, home, 'operator/app', 'stable', 'first\n');
    // --install-crds over the CRD kubectl applied: server-side apply takes the fields over, nothing changes.
    const operator = await startOperator('solo', ['--install-crds']);
    await fixture.kubectlInput(JSON.stringify({
      apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository',
      metadata: { name: 'app', namespace: fixture.namespace },
      spec: { interval: '10m', insecure: true, url: `oci://${relay.host}/operator/app`, ref: { tag: 'stable' } },
    }), 'apply', '-f', '-');

    const ready = await waitForObject('Ready=True', 'app', (o) => conditionOf(o, 'Ready')?.status === 'True', operator);
    const artifact = statusOf(ready).artifact;
    assert.ok(artifact !== undefined);
    assert.equal(artifact.revision, `stable@${first.digest}`);
    assert.ok(artifact.url.startsWith(`${operator.baseUrl}/ocirepository/${fixture.namespace}/app/`), artifact.url);
    assert.deepEqual(await sha256Of(artifact.url), { status: 200, digest: artifact.digest });
    assert.equal(statusOf(ready).url, `${operator.baseUrl}/ocirepository/${fixture.namespace}/app/latest.tar.gz`);
    assert.deepEqual(await sha256Of(`${operator.baseUrl}/ocirepository/${fixture.namespace}/app/latest.tar.gz`), { status: 200, digest: artifact.digest });

    assert.ok(operator.logs.some((line) => line.includes('"msg":"installed CustomResourceDefinition","name":"ocirepositories.source.k8sstormcenter.io"')));
    const readyz = await fetch(`${operator.healthUrl}/readyz`);
    assert.equal(readyz.status, 200);
    assert.equal(await readyz.text(), 'ok\n');
    const metrics = await (await fetch(operator.metricsUrl)).text();
    const series = `{kind="OCIRepository",name="app",namespace="${fixture.namespace}"}`;
    assert.match(metrics, new RegExp(`^bob_reconcile_duration_seconds_count${escape(series)} [1-9]\\d*$`, 'm'));
    assert.match(metrics, /^bob_reconciles_total\{result="success"\} [1-9]\d*$/m);
    assert.match(metrics, /^bob_workqueue_depth \d+$/m);
    // The registry client's observer: the HEAD that resolved the tag, and the content bytes read.
    assert.match(metrics, new RegExp(`^bob_registry_requests_total${escape(`{host="${relay.host}",method="HEAD",code="200"}`)} [1-9]\\d*$`, 'm'));
    assert.match(metrics, /^bob_fetched_bytes_total [1-9]\d*$/m);

    // A new revision under the same tag, picked up on request (the interval is 10 minutes).
    const second = await pushTestImage(reg, home, 'operator/app', 'stable', 'second\n');
    assert.notEqual(second.digest, first.digest);
    await requestReconcile('app', 'first-request');
    const updated = await waitForObject('the new revision', 'app', (o) =>
      statusOf(o).lastHandledReconcileAt === 'first-request' && conditionOf(o, 'Ready')?.status === 'True', operator);
    const newArtifact = statusOf(updated).artifact;
    assert.equal(newArtifact?.revision, `stable@${second.digest}`);
    assert.deepEqual(await sha256Of(newArtifact.url), { status: 200, digest: newArtifact.digest });

    // The registry goes away: FetchFailed, Ready=False, the last artifact still served.
    await relay.stop();
    await requestReconcile('app', 'while-down');
    const failing = await waitForObject('FetchFailed', 'app', (o) => conditionOf(o, 'FetchFailed')?.status === 'True', operator);
    assert.deepEqual(
      [conditionOf(failing, 'FetchFailed')?.reason, conditionOf(failing, 'Ready')?.status, conditionOf(failing, 'Ready')?.reason],
      ['OCIArtifactPullFailed', 'False', 'OCIArtifactPullFailed'],
    );
    assert.equal(statusOf(failing).artifact?.digest, newArtifact.digest);
    assert.deepEqual(await sha256Of(newArtifact.url), { status: 200, digest: newArtifact.digest });
    // Back: the queue's retries (no new request) bring it to Ready again.
    await relay.start();
    const recovered = await waitForObject('Ready again', 'app', (o) => conditionOf(o, 'Ready')?.status === 'True', operator);
    assert.equal(conditionOf(recovered, 'FetchFailed'), undefined);
    assert.equal(statusOf(recovered).artifact?.digest, newArtifact.digest);
    assert.match(await (await fetch(operator.metricsUrl)).text(), /^bob_reconciles_total\{result="retry"\} [1-9]\d*$/m);

    assert.equal(await operator.stop(), 0);
    assert.ok(await refused(`${operator.healthUrl}/healthz`), 'health server closed');
    assert.ok(await refused(newArtifact.url), 'artifact server closed');
    assert.ok(operator.logs.some((line) => line.includes('"msg":"bob-controller stopped"')), operator.logs.slice(-5).join(''));
  });

  it('with leader election only the Lease holder reconciles and serves; the other takes over when it stops and the Lease is released', async () => {
    const election = [
      '--enable-leader-election', '--leader-election-namespace', fixture.namespace, '--leader-election-id', 'operator-test',
      // A long lease: a takeover within this test can only come from the release on shutdown.
      '--leader-election-lease-duration', '60s', '--leader-election-renew-deadline', '30s', '--leader-election-retry-period', '300ms',
    ];
    const [a, b] = await Promise.all([startOperator('replica-a', election), startOperator('replica-b', election)]);
    const lease = async () => (await kube.leases.get(fixture.namespace, 'operator-test', AbortSignal.timeout(10_000))).spec;
    const holder = await waitFor('a Lease holder', async () => (await lease()).holderIdentity);
    const [leader, follower] = holder.startsWith('replica-a_') ? [a, b] : [b, a];
    assert.match(holder, new RegExp(`^${leader.name}_[0-9a-f]{8}$`));

    // The object of the first test now points at a stopped replica's storage: the leader rebuilds it in its own.
    await requestReconcile('app', 'election');
    const rebuilt = await waitForObject('the leader\'s artifact', 'app', (o) =>
      statusOf(o).lastHandledReconcileAt === 'election' && conditionOf(o, 'Ready')?.status === 'True'
      && (statusOf(o).artifact?.url.startsWith(leader.baseUrl) ?? false), leader);
    const artifact = statusOf(rebuilt).artifact;
    assert.ok(artifact !== undefined);
    assert.deepEqual(await sha256Of(artifact.url), { status: 200, digest: artifact.digest });
    assert.equal((await fetch(`${leader.healthUrl}/readyz`)).status, 200);
    assert.equal((await fetch(`${follower.healthUrl}/readyz`)).status, 503);
    assert.doesNotMatch(await (await fetch(follower.metricsUrl)).text(), /^bob_reconcile_duration_seconds_count/m, 'the follower reconciled nothing');
    assert.ok(await refused(`${follower.baseUrl}/`), 'the follower serves no artifacts');

    assert.equal(await leader.stop(), 0);
    const takenOver = await waitFor('the follower to take the Lease', async () => {
      const spec = await lease();
      return spec.holderIdentity?.startsWith(`${follower.name}_`) === true ? spec : undefined;
    });
    assert.equal(takenOver.leaseTransitions, 1);
    await requestReconcile('app', 'takeover');
    const moved = await waitForObject('the new leader\'s artifact', 'app', (o) =>
      statusOf(o).lastHandledReconcileAt === 'takeover' && conditionOf(o, 'Ready')?.status === 'True'
      && (statusOf(o).artifact?.url.startsWith(follower.baseUrl) ?? false), follower);
    const servedByFollower = statusOf(moved).artifact;
    assert.ok(servedByFollower !== undefined);
    assert.deepEqual(await sha256Of(servedByFollower.url), { status: 200, digest: servedByFollower.digest });
    await waitFor('the new leader to be ready', async () => (await fetch(`${follower.healthUrl}/readyz`)).status === 200 ? true : undefined);

    assert.equal(await follower.stop(), 0);
    assert.equal((await lease()).holderIdentity, undefined, 'released on shutdown');
  });

  it('as a process (node src/operator.ts): SIGTERM ends it with exit code 0 and releases the Lease', async () => {
    const [metricsPort, healthPort, storagePort] = await Promise.all([freePort(), freePort(), freePort()]);
    const child = spawn(process.execPath, [
      join(import.meta.dirname, '..', '..', '..', 'src', 'operator.ts'),
      '--kubeconfig', fixture.cluster.kubeconfig, '--namespace', fixture.namespace, '--storage-path', join(home, 'process', 'storage'),
      '--storage-addr', `127.0.0.1:${storagePort}`, '--metrics-addr', `127.0.0.1:${metricsPort}`, '--health-addr', `127.0.0.1:${healthPort}`,
      '--enable-leader-election', '--leader-election-namespace', fixture.namespace, '--leader-election-id', 'operator-process',
    ], { env: { PATH: process.env['PATH'], POD_NAME: 'process', TMPDIR: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
    try {
      await waitFor('the process to lead and be ready', async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200 ? true : undefined, () => output);
      const lease = await kube.leases.get(fixture.namespace, 'operator-process', AbortSignal.timeout(10_000));
      assert.match(lease.spec.holderIdentity ?? '', /^process_[0-9a-f]{8}$/);
      // The artifact URL prefix derived from --storage-addr 127.0.0.1:<port>.
      assert.match(output, new RegExp(`"artifactBaseUrl":"http://127\\.0\\.0\\.1:${storagePort}/?"`));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, output);
    } finally {
      child.kill('SIGKILL');
    }
    assert.equal((await kube.leases.get(fixture.namespace, 'operator-process', AbortSignal.timeout(10_000))).spec.holderIdentity, undefined);
    assert.match(output, /"msg":"bob-controller stopped","reason":"shutdown requested"/);
  });

  it('refuses a wrong command line with exit code 2 and prints help with 0', async () => {
    const capture = async (argv: string[]) => {
      let out = '';
      const code = await runOperator(argv, { env: {}, signal: new AbortController().signal, stdout: { write: (s: string) => { out += s; return true; } } });
      return { code, out };
    };
    const help = await capture(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: bob-controller --storage-path DIR/);
    assert.deepEqual(await capture([]), { code: 2, out: "bob-controller: --storage-path is required (or STORAGE_PATH)\nRun 'bob-controller --help' for usage.\n" });
    assert.equal((await capture(['--storage-path', home, '--concurrent', '0'])).out.split('\n')[0], 'bob-controller: --concurrent must be an integer from 1 to 1000, got "0"');
    const events = await capture(['--storage-path', home, '--events-addr', 'ftp://notification-controller/']);
    assert.equal(events.code, 2);
    assert.match(events.out, /^bob-controller: --events-addr must be an http or https URL/);
    // Valid flags, an unusable kubeconfig: a start failure (1), not a usage error.
    const badKubeconfig = await capture(['--storage-path', join(home, 'unused'), '--kubeconfig', join(home, 'no-such-kubeconfig'), '--enable-leader-election']);
    assert.equal(badKubeconfig.code, 1);
    assert.match(badKubeconfig.out, /"msg":"bob-controller failed to start".*no-such-kubeconfig cannot be loaded/);
  });

  it('with --events-addr forwards a NewArtifact event to notification-controller\'s endpoint', async () => {
    const receiver = await startEventReceiver();
    try {
      const image = await pushTestImage(reg, home, 'operator/forwarded', 'v1', 'forwarded\n');
      const operator = await startOperator('events', ['--events-addr', receiver.url]);
      await fixture.kubectlInput(JSON.stringify({
        apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository',
        metadata: { name: 'forwarded', namespace: fixture.namespace, annotations: { 'event.toolkit.fluxcd.io/team': 'payments' } },
        spec: { interval: '10m', insecure: true, url: `oci://${relay.host}/operator/forwarded`, ref: { tag: 'v1' } },
      }), 'apply', '-f', '-');
      const ready = await waitForObject('Ready=True', 'forwarded', (o) => conditionOf(o, 'Ready')?.status === 'True', operator);
      const artifact = statusOf(ready).artifact;
      assert.ok(artifact !== undefined);
      const isOurs = (body: Record<string, unknown>): boolean => (body['involvedObject'] as { name?: unknown } | undefined)?.name === 'forwarded';
      const event = await waitFor('the forwarded NewArtifact event', async () => Promise.resolve(receiver.bodies.find((b) => isOurs(b) && b['reason'] === 'NewArtifact')),
        () => JSON.stringify(receiver.bodies));
      const involved = event['involvedObject'] as Record<string, unknown>;
      assert.deepEqual({ ...involved, resourceVersion: typeof involved['resourceVersion'] }, {
        kind: 'OCIRepository', namespace: fixture.namespace, name: 'forwarded', uid: ready.metadata.uid,
        apiVersion: 'source.k8sstormcenter.io/v1alpha1', resourceVersion: 'string',
      });
      assert.equal(event['severity'], 'info');
      assert.match(String(event['timestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(event['message'], `stored artifact with revision 'v1@${image.digest}' from 'oci://${relay.host}/operator/forwarded'`);
      assert.deepEqual(event['metadata'], {
        'source.k8sstormcenter.io/revision': `v1@${image.digest}`,
        'source.k8sstormcenter.io/digest': artifact.digest,
        'event.toolkit.fluxcd.io/team': 'payments',
      });
      assert.equal(event['reportingController'], 'bob-controller');
      assert.equal(event['reportingInstance'], 'events');
      assert.equal(await operator.stop(), 0);
    } finally {
      await receiver.close();
    }
  });
});

/** A stand-in for notification-controller's event endpoint: records each POSTed JSON body, answers 202. */
async function startEventReceiver(): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    bodies,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

/** A literal for a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
