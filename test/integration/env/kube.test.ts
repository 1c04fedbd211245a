// The control plane is real: kubectl applies the CRD and RBAC from config/,
// the API serves the custom resource back, kubectl describe works through
// aggregated discovery, events and leases are stored, and a service account's
// token is authorized by RBAC exactly as config/rbac says.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CoordinationV1Api, CustomObjectsApi, EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import { kube } from '../../env/environment.ts';
import type { KubeCluster } from '../../env/kube.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const GROUP = 'source.k8sstormcenter.io';

describe('test env: kube-apiserver + etcd', function () {
  this.timeout(180_000);
  let cluster: KubeCluster;
  let kubeConfig: KubeConfig;

  const kubectl = async (...args: string[]) =>
    (await run(toolPath('kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, ...args])).stdout;

  before(async () => {
    cluster = await kube();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfig);
    await kubectl('apply', '-f', join(repoRoot, 'config/crd'));
    await kubectl('wait', '--for=condition=Established', '--timeout=60s', `crd/ocirepositories.${GROUP}`);
  });

  it('applies the CRD and an example with kubectl and reads the resource back through the API', async () => {
    await kubectl('apply', '-f', join(repoRoot, 'examples/ocirepository-tag.yaml'));
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const object = (await api.getNamespacedCustomObject({
      group: GROUP, version: 'v1alpha1', namespace: 'default', plural: 'ocirepositories', name: 'honey',
    })) as { spec: { url: string; interval: string; timeout: string }; status?: { observedGeneration: number } };
    assert.equal(object.spec.url, 'oci://registry.example.com/team/manifests/honey');
    // Defaults come from the CRD schema: the server applied them.
    assert.equal(object.spec.timeout, '60s');
  });

  it('rejects a resource that breaks the schema', async () => {
    const result = await run(toolPath('kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, 'apply', '-f', '-'], {
      allowFailure: true,
      input: `apiVersion: ${GROUP}/v1alpha1\nkind: OCIRepository\nmetadata: {name: bad}\nspec: {url: "https://x", interval: "5m"}\n`,
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /spec\.url/);
  });

  it('stores events and leases, and kubectl describe shows the events', async () => {
    const uid = (await kubectl('get', 'ocirepository', 'honey', '-o', 'jsonpath={.metadata.uid}')).trim();
    const events = kubeConfig.makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { generateName: 'honey-' },
        // MicroTime wants six fractional digits; client-node would send three.
        eventTime: new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date,
        reportingController: 'bob-controller',
        reportingInstance: 'bob-controller-test',
        action: 'Reconcile',
        reason: 'NewArtifact',
        note: 'stored artifact for revision stable@sha256:0000',
        type: 'Normal',
        // kubectl describe finds events by the regarding object's uid.
        regarding: { apiVersion: `${GROUP}/v1alpha1`, kind: 'OCIRepository', name: 'honey', namespace: 'default', uid },
      },
    });
    const described = await kubectl('describe', 'ocirepository', 'honey');
    assert.match(described, /oci:\/\/registry\.example\.com\/team\/manifests\/honey/);
    assert.match(described, /NewArtifact/);

    const leases = kubeConfig.makeApiClient(CoordinationV1Api);
    await leases.createNamespacedLease({
      namespace: 'default',
      body: { metadata: { name: 'bob-controller-leader' }, spec: { holderIdentity: 'test', leaseDurationSeconds: 15 } },
    });
    const lease = await leases.readNamespacedLease({ namespace: 'default', name: 'bob-controller-leader' });
    assert.equal(lease.spec?.holderIdentity, 'test');
  });

  it('issues service-account tokens that RBAC authorizes as config/rbac says', async () => {
    await kubectl('apply', '-k', join(repoRoot, 'config/rbac'));
    const token = (await kubectl('create', 'token', 'bob-controller', '-n', 'bob-system', '--duration=10m')).trim();
    assert.match(token, /^eyJ/);
    const canI = async (...args: string[]) => {
      const result = await run(toolPath('kubectl'), [
        `--server=${cluster.server}`, `--certificate-authority=${cluster.caFile}`, `--token=${token}`,
        '--kubeconfig=/dev/null', 'auth', 'can-i', ...args,
      ], { allowFailure: true });
      return result.stdout.trim();
    };
    assert.equal(await canI('watch', `ocirepositories.${GROUP}`, '-A'), 'yes');
    assert.equal(await canI('patch', `ocirepositories.${GROUP}`, '--subresource=status', '-n', 'default'), 'yes');
    assert.equal(await canI('create', 'leases.coordination.k8s.io', '-n', 'bob-system'), 'yes');
    assert.equal(await canI('create', 'leases.coordination.k8s.io', '-n', 'default'), 'no');
    assert.equal(await canI('delete', 'secrets', '-n', 'default'), 'no');
    const whoami = await run(toolPath('kubectl'), [
      `--server=${cluster.server}`, `--certificate-authority=${cluster.caFile}`, `--token=${token}`,
      '--kubeconfig=/dev/null', 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}',
    ]);
    assert.equal(whoami.stdout, 'system:serviceaccount:bob-system:bob-controller');
  });
});
