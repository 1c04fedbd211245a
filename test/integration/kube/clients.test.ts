// The client facade against the real kube-apiserver: custom objects (patch,
// server-side apply, status with optimistic lock, finalizers), Secrets and
// ServiceAccounts, and the error mapping of real API answers.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../env/environment.ts';
import { isBobError } from '../../../src/shared/index.ts';
import { createKubeClients, type CustomObjectClient, type KubeClients } from '../../../src/kube/index.ts';
import { GROUP, kubeFixture, OCI_REPOSITORIES, type KubeFixture, type OciRepositoryObject } from './support.ts';

const FINALIZER = `finalizers.${GROUP}`;

describe('kube clients (real kube-apiserver)', function () {
  this.timeout(120_000);
  let fixture: KubeFixture;
  let clients: KubeClients;
  let repos: CustomObjectClient<OciRepositoryObject>;
  const signal = (): AbortSignal => AbortSignal.timeout(30_000);

  before(async () => {
    fixture = await kubeFixture('kube-clients');
    clients = createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig });
    repos = clients.customObjects<OciRepositoryObject>(OCI_REPOSITORIES);
  });

  it('loads the kubeconfig and its namespace', () => {
    assert.equal(clients.server, fixture.cluster.server);
    assert.equal(clients.namespace, 'default');
  });

  it('gets, lists (paged) and merge-patches custom objects', async () => {
    for (const name of ['list-a', 'list-b', 'list-c']) await fixture.createRepository(name);
    const got = await repos.get(fixture.namespace, 'list-a', { signal: signal() });
    assert.equal(got.spec.url, 'oci://registry.example.com/team/list-a');
    const listed = await repos.list({ namespace: fixture.namespace, limit: 2, signal: signal() });
    assert.deepEqual(listed.items.map((item) => item.metadata.name).sort(), ['list-a', 'list-b', 'list-c']);
    assert.match(listed.resourceVersion, /^\d+$/);
    const patched = await repos.mergePatch(fixture.namespace, 'list-a', { metadata: { labels: { team: 'blue' } } }, { signal: signal() });
    assert.equal(patched.metadata.labels?.['team'], 'blue');
    const all = await repos.list({ signal: signal() });
    assert.ok(all.items.some((item) => item.metadata.namespace === fixture.namespace && item.metadata.name === 'list-b'));
  });

  it('reports a missing object as KUBE_NOT_FOUND with the server\'s message', async () => {
    await assert.rejects(repos.get(fixture.namespace, 'absent', { signal: signal() }), (error) => {
      assert.ok(isBobError(error, 'KUBE_NOT_FOUND'));
      assert.equal(error.errorClass, 'waiting');
      assert.equal(error.message, `get ocirepositories ${fixture.namespace}/absent: ocirepositories.${GROUP} "absent" not found`);
      return true;
    });
  });

  it('patches status with the resourceVersion as lock: stale → KUBE_CONFLICT, fresh → written', async () => {
    await fixture.createRepository('status');
    const read = await repos.get(fixture.namespace, 'status', { signal: signal() });
    const staleVersion = read.metadata.resourceVersion ?? '';
    // Someone else writes in between.
    await repos.mergePatch(fixture.namespace, 'status', { metadata: { annotations: { touched: 'yes' } } }, { signal: signal() });
    await assert.rejects(
      repos.patchStatus(fixture.namespace, 'status', { observedGeneration: 1 }, { resourceVersion: staleVersion, signal: signal() }),
      (error) => {
        assert.ok(isBobError(error, 'KUBE_CONFLICT'));
        assert.equal(error.details['status'], 409);
        assert.match(error.message, /^patch status of ocirepositories kube-clients-[0-9a-f]+\/status: Operation cannot be fulfilled/);
        return true;
      },
    );
    const fresh = await repos.get(fixture.namespace, 'status', { signal: signal() });
    const written = await repos.patchStatus(fixture.namespace, 'status', { observedGeneration: 1, url: 'http://storage/x.tar.gz' }, {
      resourceVersion: fresh.metadata.resourceVersion ?? '', fieldManager: 'bob-controller', signal: signal(),
    });
    assert.equal(written.status?.observedGeneration, 1);
    assert.equal(written.status.url, 'http://storage/x.tar.gz');
    // The spec is untouched by a status write.
    assert.equal(written.spec.url, 'oci://registry.example.com/team/status');
  });

  it('replaces status with the object\'s resourceVersion as lock', async () => {
    await fixture.createRepository('replace');
    const read = await repos.get(fixture.namespace, 'replace', { signal: signal() });
    const updated = await repos.replaceStatus({ ...read, status: { observedGeneration: 3 } }, { signal: signal() });
    assert.equal(updated.status?.observedGeneration, 3);
    await assert.rejects(repos.replaceStatus({ ...read, status: { observedGeneration: 4 } }, { signal: signal() }), (e) => isBobError(e, 'KUBE_CONFLICT'));
  });

  it('applies objects and status server-side with a field manager', async () => {
    const applied = await repos.apply({
      apiVersion: `${GROUP}/v1alpha1`, kind: 'OCIRepository',
      metadata: { name: 'applied', namespace: fixture.namespace },
      spec: { url: 'oci://registry.example.com/team/applied', interval: '10m' },
    }, { fieldManager: 'bob-test', signal: signal() });
    assert.equal(applied.spec.interval, '10m');
    const withStatus = await repos.applyStatus({
      apiVersion: `${GROUP}/v1alpha1`, kind: 'OCIRepository',
      metadata: { name: 'applied', namespace: fixture.namespace },
      status: { observedGeneration: 1 },
    }, { fieldManager: 'bob-controller', force: true, signal: signal() });
    assert.equal(withStatus.status?.observedGeneration, 1);
    const managers = await fixture.kubectl('get', 'ocirepository', 'applied', '-n', fixture.namespace, '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}');
    assert.deepEqual(managers.split(' ').sort(), ['bob-controller', 'bob-test']);
  });

  it('adds and removes a finalizer, refusing a patch computed from a stale list', async () => {
    await fixture.createRepository('final');
    const read = await repos.get(fixture.namespace, 'final', { signal: signal() });
    const added = await repos.addFinalizer(read, FINALIZER, { signal: signal() });
    assert.deepEqual(added.metadata.finalizers, [FINALIZER]);
    // Adding again is a no-op without a request.
    assert.equal(await repos.addFinalizer(added, FINALIZER, { signal: signal() }), added);
    // Another controller adds its own finalizer; a patch from our old copy must not drop it.
    await fixture.kubectl('patch', 'ocirepository', 'final', '-n', fixture.namespace, '--type=json', '-p', '[{"op":"add","path":"/metadata/finalizers/-","value":"other.example.com/cleanup"}]');
    await assert.rejects(repos.removeFinalizer(added, FINALIZER, { signal: signal() }), (error) => {
      assert.ok(isBobError(error, 'KUBE_CONFLICT'));
      assert.match(error.message, /changed since it was read/);
      return true;
    });
    // The stale first add (resourceVersion test) is refused too.
    await assert.rejects(repos.addFinalizer(read, 'third.example.com/x', { signal: signal() }), (e) => isBobError(e, 'KUBE_CONFLICT'));
    const current = await repos.get(fixture.namespace, 'final', { signal: signal() });
    const removed = await repos.removeFinalizer(current, FINALIZER, { signal: signal() });
    assert.deepEqual(removed.metadata.finalizers, ['other.example.com/cleanup']);
    const cleared = await repos.removeFinalizer(removed, 'other.example.com/cleanup', { signal: signal() });
    assert.equal(cleared.metadata.finalizers, undefined);
  });

  it('reads a Secret as decoded bytes and a ServiceAccount\'s imagePullSecrets', async () => {
    const binary = Buffer.from([0, 1, 2, 254, 255]);
    await fixture.kubectl('create', 'secret', 'generic', 'creds', '-n', fixture.namespace,
      '--from-literal=username=bob', `--from-file=key.bin=${writeTemp('key.bin', binary)}`);
    const secret = await clients.secrets.getSecret(fixture.namespace, 'creds', signal());
    assert.equal(secret.type, 'Opaque');
    assert.equal(Buffer.from(secret.data.get('username') ?? []).toString(), 'bob');
    assert.deepEqual(Buffer.from(secret.data.get('key.bin') ?? []), binary);
    await fixture.kubectlInput(
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: puller, namespace: ${fixture.namespace}}\nimagePullSecrets: [{name: regcred}, {name: other}]\n`,
      'create', '-f', '-',
    );
    assert.deepEqual(await clients.secrets.getImagePullSecretNames(fixture.namespace, 'puller', signal()), ['regcred', 'other']);
    await assert.rejects(clients.secrets.getSecret(fixture.namespace, 'missing', signal()), (e) => isBobError(e, 'KUBE_NOT_FOUND'));
  });

  it('maps a refused credential to KUBE_FORBIDDEN without echoing the token', async () => {
    const dir = scratchDir('kube-badtoken');
    const token = 'not-a-valid-token-0123456789';
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters: [{name: c, cluster: {server: "' + fixture.cluster.server + '", certificate-authority: "' + fixture.cluster.caFile + '"}}]',
      `users: [{name: u, user: {token: ${token}}}]`,
      'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', '',
    ].join('\n'));
    const bad = createKubeClients({ kubeconfigPath: kubeconfig });
    await assert.rejects(bad.secrets.getSecret(fixture.namespace, 'creds', signal()), (error) => {
      assert.ok(isBobError(error, 'KUBE_FORBIDDEN'));
      assert.equal(error.details['status'], 401);
      assert.doesNotMatch(error.message, new RegExp(token));
      return true;
    });
  });

  it('refuses a kubeconfig context that does not exist', () => {
    assert.throws(() => createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig, context: 'nope' }), (error) => {
      assert.ok(isBobError(error, 'KUBE_CONFIG_INVALID'));
      assert.equal(error.errorClass, 'stalling');
      return true;
    });
  });

  it('reports an abort as KUBE_ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(repos.get(fixture.namespace, 'list-a', { signal: controller.signal }), (e) => isBobError(e, 'KUBE_ABORTED'));
  });
});

function writeTemp(name: string, content: Buffer): string {
  const path = join(scratchDir('kube-secret'), name);
  writeFileSync(path, content);
  return path;
}
