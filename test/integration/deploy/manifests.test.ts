// The deployment manifests on a real kube-apiserver: config/rbac applies,
// config/manager passes a server-side dry run (schema, defaults, Pod Security
// "restricted" admission); the controller's own code paths (src/kube and the
// controller's adapters) succeed with nothing but the ServiceAccount's token;
// and a matrix of access reviews shows that the roles grant exactly the
// verbs those paths use and nothing else.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kube, scratchDir } from '../../env/environment.ts';
import { probe } from '../../env/http-probe.ts';
import type { KubeCluster } from '../../env/kube.ts';
import { freePort } from '../../env/ports.ts';
import { startProcess } from '../../env/processes.ts';
import { run, type RunResult } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';
import { FINALIZER } from '../../../src/api/index.ts';
import { createEventSink, createRepositoryObjects, OCI_REPOSITORY_RESOURCE, type RawObject } from '../../../src/controller/index.ts';
import { createKubeClients, type KubeClients } from '../../../src/kube/index.ts';
import { BobError } from '../../../src/shared/index.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const GROUP = 'source.k8sstormcenter.io';
const SYSTEM_NAMESPACE = 'bob-system';
const SERVICE_ACCOUNT = `system:serviceaccount:${SYSTEM_NAMESPACE}:bob-controller`;
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;
type Verb = (typeof VERBS)[number];

/** One row of the access matrix: a resource in a namespace ('' = cluster-wide) and the verbs the controller must have. */
interface AccessRow {
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: 'object' | 'system' | '';
  readonly allowed: readonly Verb[];
}

const ACCESS: readonly AccessRow[] = [
  { group: GROUP, resource: 'ocirepositories', namespace: 'object', allowed: ['get', 'list', 'watch', 'patch'] },
  { group: GROUP, resource: 'ocirepositories', namespace: '', allowed: ['get', 'list', 'watch', 'patch'] },
  { group: GROUP, resource: 'ocirepositories', subresource: 'status', namespace: 'object', allowed: ['patch'] },
  { group: GROUP, resource: 'ocirepositories', subresource: 'finalizers', namespace: 'object', allowed: [] },
  { group: '', resource: 'secrets', namespace: 'object', allowed: ['get'] },
  { group: '', resource: 'secrets', namespace: 'system', allowed: ['get'] },
  { group: '', resource: 'serviceaccounts', namespace: 'object', allowed: ['get'] },
  { group: '', resource: 'serviceaccounts', subresource: 'token', namespace: 'object', allowed: [] },
  { group: 'events.k8s.io', resource: 'events', namespace: 'object', allowed: ['create', 'patch'] },
  { group: '', resource: 'events', namespace: 'object', allowed: [] },
  { group: 'coordination.k8s.io', resource: 'leases', namespace: 'system', allowed: ['get', 'create', 'update'] },
  { group: 'coordination.k8s.io', resource: 'leases', namespace: 'object', allowed: [] },
  { group: '', resource: 'configmaps', namespace: 'object', allowed: [] },
  { group: '', resource: 'configmaps', namespace: 'system', allowed: [] },
  { group: '', resource: 'pods', namespace: 'object', allowed: [] },
  { group: '', resource: 'pods', subresource: 'exec', namespace: 'system', allowed: [] },
  { group: 'apps', resource: 'deployments', namespace: 'system', allowed: [] },
  { group: '', resource: 'namespaces', namespace: '', allowed: [] },
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', namespace: '', allowed: [] },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', namespace: '', allowed: [] },
];

interface ListedObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

/** The parts of an OCIRepository and of an Event list the operator run reads back. */
interface Seen {
  metadata: { finalizers?: string[] };
  status?: { conditions?: { type: string; status: string; reason: string }[] };
}
interface EventList {
  items: { type: string; reportingController: string; regarding: { name: string } }[];
}

describe('deploy: config/rbac and config/manager on a real kube-apiserver', function () {
  this.timeout(120_000);
  let cluster: KubeCluster;
  let namespace: string;
  let controller: KubeClients;
  let controllerKubeconfig: string;
  const signal = (): AbortSignal => AbortSignal.timeout(30_000);

  const kubectl = (args: readonly string[], input?: string): Promise<RunResult> =>
    run(toolPath('kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, ...args], { allowFailure: true, ...(input === undefined ? {} : { input }) });
  const mustKubectl = async (args: readonly string[], input?: string): Promise<string> => {
    const result = await kubectl(args, input);
    assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  before(async () => {
    cluster = await kube();
    await mustKubectl(['apply', '-f', join(repoRoot, 'config/crd')]);
    await mustKubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/ocirepositories.${GROUP}`]);
    const applied = await kubectl(['apply', '-k', join(repoRoot, 'config/rbac')]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.doesNotMatch(applied.stderr, /warning/i);

    namespace = `deploy-${randomBytes(3).toString('hex')}`;
    await mustKubectl(['create', 'namespace', namespace]);
    await mustKubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: `${GROUP}/v1alpha1`, kind: 'OCIRepository', metadata: { name: 'honey', namespace },
          spec: { url: 'oci://registry.example.com/team/honey', interval: '5m', serviceAccountName: 'puller', secretRef: { name: 'pull' } } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull', namespace }, type: 'kubernetes.io/dockerconfigjson',
          stringData: { '.dockerconfigjson': '{"auths":{}}' } },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller', namespace }, imagePullSecrets: [{ name: 'pull' }, { name: 'more' }] },
      ],
    }));

    // The controller's own credentials: a token of its ServiceAccount, as a pod would mount it.
    const token = (await mustKubectl(['create', 'token', 'bob-controller', '-n', SYSTEM_NAMESPACE, '--duration=10m'])).trim();
    const kubeconfig = join(scratchDir('deploy'), 'kubeconfig');
    controllerKubeconfig = kubeconfig;
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'sa',
      clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority': cluster.caFile } }],
      users: [{ name: 'bob-controller', user: { token } }],
      contexts: [{ name: 'sa', context: { cluster: 'test', user: 'bob-controller', namespace: SYSTEM_NAMESPACE } }],
    }), { mode: 0o600 });
    controller = createKubeClients({ kubeconfigPath: kubeconfig });
  });

  it('passes a server-side dry run of config/manager with Pod Security "restricted" enforced', async () => {
    const result = await kubectl(['apply', '-k', join(repoRoot, 'config/manager'), '--dry-run=server', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /warning/i);
    const items = (JSON.parse(result.stdout) as { items: ListedObject[] }).items;
    assert.deepEqual(items.map((item) => `${item.kind}/${item.metadata.namespace ?? ''}/${item.metadata.name}`).sort(), [
      'Deployment/bob-system/bob-controller', 'Service/bob-system/bob-controller', 'Service/bob-system/bob-controller-metrics',
    ]);
    const service = items.find((item) => item.kind === 'Service' && item.metadata.name === 'bob-controller');
    assert.deepEqual((service?.spec?.['ports'] as { name: string; port: number; targetPort: string }[]).map(({ name, port, targetPort }) => ({ name, port, targetPort })),
      [{ name: 'http', port: 80, targetPort: 'http' }]);
  });

  it('refuses, in the same namespace, a pod template that breaks "restricted" (so the check above can fail)', async () => {
    const loose = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'loose', namespace: SYSTEM_NAMESPACE },
      spec: {
        selector: { matchLabels: { app: 'loose' } },
        template: { metadata: { labels: { app: 'loose' } }, spec: { containers: [{ name: 'c', image: 'example.com/loose:1' }] } },
      },
    };
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(loose));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /would violate PodSecurity "restricted:latest"/);
    assert.match(result.stderr, /allowPrivilegeEscalation != false/);
    assert.match(result.stderr, /seccompProfile/);
  });

  it('runs every API call of the controller with only its ServiceAccount token', async () => {
    const client = controller.customObjects<RawObject>(OCI_REPOSITORY_RESOURCE);
    const objects = createRepositoryObjects(client);

    // Informer: list and watch across all namespaces.
    const listed = await client.list({ signal: signal() });
    assert.ok(listed.items.some((item) => item.metadata.namespace === namespace && item.metadata.name === 'honey'));
    const watchAbort = new AbortController();
    const watch = client.watch({ resourceVersion: listed.resourceVersion, timeoutSeconds: 60 }, watchAbort.signal)[Symbol.asyncIterator]();
    const firstChange = watch.next();

    // Reconcile: fresh read, finalizer added (JSON patch of the object), status patched, finalizer removed.
    const object = await objects.get(namespace, 'honey', signal());
    assert.ok(object !== undefined);
    const finalized = await objects.addFinalizer(object, FINALIZER, signal());
    assert.deepEqual(finalized.metadata.finalizers, [FINALIZER]);
    const change = await firstChange;
    assert.equal(change.done, false);
    assert.equal(change.value.type, 'MODIFIED');
    assert.ok('object' in change.value && change.value.object.metadata.finalizers?.includes(FINALIZER));
    watchAbort.abort();
    await watch.return?.();

    const resourceVersion = finalized.metadata.resourceVersion;
    assert.ok(resourceVersion !== undefined);
    const patched = await objects.patchStatus(namespace, 'honey', { observedGeneration: 1 }, resourceVersion, signal());
    assert.equal((patched['status'] as { observedGeneration?: number }).observedGeneration, 1);
    const released = await objects.removeFinalizer(patched, FINALIZER, signal());
    assert.equal(released.metadata.finalizers, undefined);

    // Registry access: the Secret named by spec.secretRef and the ServiceAccount's imagePullSecrets.
    const secret = await controller.secrets.getSecret(namespace, 'pull', signal());
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(Buffer.from(secret.data.get('.dockerconfigjson') ?? []).toString('utf8'), '{"auths":{}}');
    assert.deepEqual(await controller.secrets.getImagePullSecretNames(namespace, 'puller', signal()), ['pull', 'more']);

    // Events: the first occurrence is created, the repeat patches its series.
    const sink = createEventSink(controller.eventRecorder({ reportingInstance: 'bob-controller-deploy-test' }));
    const uid = released.metadata.uid;
    assert.ok(uid !== undefined);
    const subject = { apiVersion: `${GROUP}/v1alpha1`, kind: 'OCIRepository', name: 'honey', namespace, uid };
    const event = { type: 'Warning' as const, reason: 'OCIArtifactPullFailed', message: 'deploy test' };
    await sink.record(subject, event, signal());
    await sink.record(subject, event, signal());
    const stored = JSON.parse(await mustKubectl(['get', 'events.events.k8s.io', '-n', namespace, '-o', 'json'])) as {
      items: { reason: string; regarding: { uid: string }; series?: { count: number } }[];
    };
    const ours = stored.items.filter((item) => item.regarding.uid === uid);
    assert.deepEqual(ours.map((item) => [item.reason, item.series?.count]), [['OCIArtifactPullFailed', 2]]);

    // Leader election: create, read and update a Lease in bob-system, and nowhere else.
    const leaseName = `deploy-test-${randomBytes(3).toString('hex')}`;
    const created = await controller.leases.create(SYSTEM_NAMESPACE, leaseName, { holderIdentity: 'a', leaseDurationSeconds: 35 }, signal());
    const read = await controller.leases.get(SYSTEM_NAMESPACE, leaseName, signal());
    assert.equal(read.resourceVersion, created.resourceVersion);
    const updated = await controller.leases.update(SYSTEM_NAMESPACE, leaseName, { holderIdentity: 'b', leaseDurationSeconds: 35 }, read.resourceVersion, signal());
    assert.equal(updated.spec.holderIdentity, 'b');
    await assert.rejects(controller.leases.create(namespace, leaseName, { holderIdentity: 'a' }, signal()),
      (error: unknown) => error instanceof BobError && error.code === 'KUBE_FORBIDDEN');
  });

  it('grants the ServiceAccount exactly the verbs those calls need (SelfSubjectAccessReview with its token)', async () => {
    const denied: string[] = [];
    const granted: string[] = [];
    for (const row of ACCESS) {
      const reviewNamespace = row.namespace === 'object' ? namespace : row.namespace === 'system' ? SYSTEM_NAMESPACE : '';
      for (const verb of VERBS) {
        const review = await controller.transport.request({
          method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', operation: 'access review', signal: signal(),
          body: {
            apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { namespace: reviewNamespace, verb, group: row.group, resource: row.resource, subresource: row.subresource ?? '' } },
          },
        }) as { status?: { allowed?: boolean } };
        const label = `${verb} ${row.resource}${row.subresource === undefined ? '' : `/${row.subresource}`}.${row.group || 'core'} in ${reviewNamespace || '(cluster)'}`;
        const allowed = review.status?.allowed === true;
        const expected = row.allowed.includes(verb);
        if (expected && !allowed) denied.push(label);
        if (!expected && allowed) granted.push(label);
      }
    }
    assert.deepEqual({ missing: denied, excess: granted }, { missing: [], excess: [] });
  });

  it('answers kubectl auth can-i --as the controller as role.yaml says', async () => {
    const canI = async (...args: string[]): Promise<string> => (await kubectl(['auth', 'can-i', `--as=${SERVICE_ACCOUNT}`, ...args])).stdout.trim();
    assert.equal(await canI('watch', `ocirepositories.${GROUP}`, '--all-namespaces'), 'yes');
    assert.equal(await canI('patch', `ocirepositories.${GROUP}`, '-n', namespace), 'yes');
    assert.equal(await canI('patch', `ocirepositories.${GROUP}`, '--subresource=status', '-n', namespace), 'yes');
    assert.equal(await canI('update', `ocirepositories.${GROUP}`, '--subresource=status', '-n', namespace), 'no');
    assert.equal(await canI('delete', `ocirepositories.${GROUP}`, '-n', namespace), 'no');
    assert.equal(await canI('get', 'secrets', '-n', namespace), 'yes');
    assert.equal(await canI('list', 'secrets', '-n', namespace), 'no');
    assert.equal(await canI('create', 'secrets', '-n', namespace), 'no');
    assert.equal(await canI('update', 'secrets', '-n', namespace), 'no');
    assert.equal(await canI('delete', 'secrets', '-n', namespace), 'no');
    assert.equal(await canI('create', 'events.events.k8s.io', '-n', namespace), 'yes');
    assert.equal(await canI('update', 'leases.coordination.k8s.io', '-n', SYSTEM_NAMESPACE), 'yes');
    assert.equal(await canI('delete', 'leases.coordination.k8s.io', '-n', SYSTEM_NAMESPACE), 'no');
    assert.equal(await canI('create', 'pods', '-n', SYSTEM_NAMESPACE), 'no');
    assert.equal(await canI('update', 'configmaps', '-n', namespace), 'no');
  });

  it('runs the operator (src/operator.ts) on its ServiceAccount token alone: Lease, informer, finalizer, status, event, release', async () => {
    const dir = scratchDir('deploy-operator');
    mkdirSync(join(dir, 'tmp'));
    const [storagePort, healthPort, closedPort] = [await freePort(), await freePort(), await freePort()];
    const leaseName = `bob-controller-${randomBytes(3).toString('hex')}`;
    const logFile = join(dir, 'operator.log');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, TMPDIR: join(dir, 'tmp'), POD_NAME: 'bob-controller-deploy-test' };
    delete env['KUBECONFIG'];
    // Flags as config/manager/deployment.yaml passes them, on loopback ports.
    const operator = await startProcess({
      name: 'bob-controller', command: process.execPath, logFile, env, timeoutMs: 60_000,
      args: [
        join(repoRoot, 'src/operator.ts'), `--kubeconfig=${controllerKubeconfig}`,
        `--storage-path=${join(dir, 'data')}`, `--storage-addr=127.0.0.1:${storagePort}`, `--storage-adv-addr=127.0.0.1:${storagePort}`,
        '--metrics-addr=0', `--health-addr=127.0.0.1:${healthPort}`,
        '--enable-leader-election', `--leader-election-namespace=${SYSTEM_NAMESPACE}`, `--leader-election-id=${leaseName}`, '--log-level=info',
      ],
      // Ready means the informer has synced and this replica holds the Lease.
      ready: async () => (await probe(`http://127.0.0.1:${healthPort}/readyz`)).status === 200,
    });
    const holder = async (): Promise<string> =>
      (await mustKubectl(['get', 'lease', leaseName, '-n', SYSTEM_NAMESPACE, '-o', 'jsonpath={.spec.holderIdentity}'])).trim();
    /** Polls `read` until `done` holds (bounded), returning the last value read. */
    const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
      let value = await read();
      for (let tries = 0; tries < 240 && !done(value); tries++) {
        await sleep(250);
        value = await read();
      }
      return value;
    };
    try {
      assert.match(await holder(), /^bob-controller-deploy-test_/);
      // A registry on a closed loopback port: the reconcile fails to fetch, and says so in status and an event.
      await mustKubectl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: `${GROUP}/v1alpha1`, kind: 'OCIRepository', metadata: { name: 'closed', namespace },
        spec: { url: `oci://127.0.0.1:${closedPort}/team/closed`, interval: '5m', insecure: true, ref: { tag: 'v1' } },
      }));
      const readObject = async (): Promise<Seen> => JSON.parse(await mustKubectl(['get', 'ocirepository', 'closed', '-n', namespace, '-o', 'json'])) as Seen;
      const seen = await until(readObject, (object) => object.status?.conditions?.some((c) => c.type === 'Ready' && c.status !== 'Unknown') === true);
      assert.deepEqual(seen.metadata.finalizers, [FINALIZER]);
      const ready = seen.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'False', JSON.stringify(seen.status));
      const events = await until(
        async () => (JSON.parse(await mustKubectl(['get', 'events.events.k8s.io', '-n', namespace, '-o', 'json'])) as EventList).items
          .filter((item) => item.regarding.name === 'closed'),
        (items) => items.length > 0,
      );
      assert.deepEqual([...new Set(events.map((item) => `${item.type} ${item.reportingController}`))], ['Warning source.k8sstormcenter.io/bob-controller']);
      // Deleting waits for the controller to take its finalizer off.
      await mustKubectl(['delete', 'ocirepository', 'closed', '-n', namespace, '--wait=true', '--timeout=60s']);
    } finally {
      await operator.stop();
    }
    const log = readFileSync(logFile, 'utf8');
    assert.doesNotMatch(log, /forbidden/i, log);
    // On shutdown the leader hands the Lease back (an update that clears the holder).
    assert.equal(await holder(), '');
  });
});
