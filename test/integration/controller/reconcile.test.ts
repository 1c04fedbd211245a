// The reconciler end to end against the real kube-apiserver and a real
// distribution registry: reconcile() called directly (no queue), status,
// stored files and events asserted; cosign signatures made by the real
// cosign CLI; registry requests counted through a proxy.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { startCountingProxy, type CountingProxy } from '../../env/counting-proxy.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';
import { kubeFixture, type KubeFixture } from '../kube/support.ts';
import { createKubeClients, type KubeClients } from '../../../src/kube/index.ts';
import { ArtifactStore } from '../../../src/storage/index.ts';
import { createSystemClock } from '../../../src/shared/index.ts';
import {
  createReconcilerDependencies, createRegistryClientCache, reconcile, type RawObject, type ReconcilerDependencies,
} from '../../../src/controller/index.ts';

const PASSWORD = 'controller-test';

interface Condition { type: string; status: string; reason: string; message: string }
interface StatusView {
  observedGeneration?: number;
  conditions?: Condition[];
  url?: string;
  artifact?: { revision: string; digest: string; path: string; url: string; size?: number; metadata?: Record<string, string> };
}

function conditionOf(object: RawObject, type: string): Condition | undefined {
  return (object['status'] as StatusView | undefined)?.conditions?.find((c) => c.type === type);
}

function statusOf(object: RawObject): StatusView {
  const status = object['status'];
  return typeof status === 'object' && status !== null ? status : {};
}

describe('controller reconcile (real kube-apiserver and registry)', function () {
  this.timeout(180_000);
  let fixture: KubeFixture;
  let kube: KubeClients;
  let reg: Registry;
  let proxy: CountingProxy;
  let deps: ReconcilerDependencies;
  let storageRoot: string;
  let home: string;
  let cosignEnv: NodeJS.ProcessEnv;
  const signal = (): AbortSignal => AbortSignal.timeout(60_000);

  const get = async (name: string): Promise<RawObject | undefined> => deps.objects.get(fixture.namespace, name, signal());
  const mustGet = async (name: string): Promise<RawObject> => {
    const object = await get(name);
    assert.ok(object !== undefined, `${name} exists`);
    return object;
  };
  const apply = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await fixture.kubectlInput(JSON.stringify({
      apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository',
      metadata: { name, namespace: fixture.namespace }, spec: { interval: '5m', insecure: true, ...spec },
    }), 'apply', '-f', '-');
  };
  const events = async (name: string): Promise<{ reason: string; type: string; note: string; annotations?: Record<string, string> }[]> => {
    const out = await fixture.kubectl('get', 'events.events.k8s.io', '-n', fixture.namespace, '-o', 'json');
    const list = JSON.parse(out) as { items: { reason: string; type: string; note: string; regarding: { name: string }; metadata: { annotations?: Record<string, string> } }[] };
    return list.items.filter((e) => e.regarding.name === name).map((e) => ({
      reason: e.reason, type: e.type, note: e.note, ...(e.metadata.annotations === undefined ? {} : { annotations: e.metadata.annotations }),
    }));
  };
  const cosign = async (...args: string[]): Promise<void> => {
    await run(toolPath('cosign2'), args, { env: cosignEnv, cwd: home });
  };
  const keySecret = async (name: string, pubFile: string): Promise<void> => {
    await fixture.kubectl('-n', fixture.namespace, 'delete', 'secret', name, '--ignore-not-found');
    await fixture.kubectl('-n', fixture.namespace, 'create', 'secret', 'generic', name, `--from-file=cosign.pub=${join(home, pubFile)}`);
  };

  before(async () => {
    fixture = await kubeFixture('controller');
    kube = createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig });
    reg = await registry({ kind: 'distribution' });
    proxy = await startCountingProxy(reg.host);
    home = scratchDir('controller');
    storageRoot = join(home, 'storage');
    const workDir = join(home, 'work');
    mkdirSync(workDir, { recursive: true });
    cosignEnv = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
    const clock = createSystemClock();
    deps = createReconcilerDependencies({
      kube, reportingInstance: 'controller-test', clock, workDir,
      store: new ArtifactStore({ root: storageRoot, baseUrl: 'http://storage.test', clock }),
      registries: createRegistryClientCache({ base: { clock } }),
    });
  });

  after(async () => {
    await proxy.stop();
  });

  it('stores a tagged artifact: Ready, artifact, finalizer, file on disk, NewArtifact event; a second run writes nothing and costs one request', async () => {
    const pushed = await pushTestImage(reg, home, 'controller/plain', 'v1');
    await apply('plain', { url: `oci://${proxy.host}/controller/plain`, ref: { tag: 'v1' } });
    const result = await reconcile(`${fixture.namespace}/plain`, deps, signal());
    assert.equal(result.kind, 'success');
    const object = await mustGet('plain');
    assert.ok(object.metadata.finalizers?.includes('source.k8sstormcenter.io/finalizer'));
    const status = statusOf(object);
    const revision = `v1@${pushed.digest}`;
    assert.equal(status.observedGeneration, object.metadata.generation);
    assert.deepEqual(conditionOf(object, 'Ready'), { ...conditionOf(object, 'Ready'), status: 'True', reason: 'Succeeded', message: `stored artifact for digest '${revision}'` });
    assert.equal(conditionOf(object, 'ArtifactInStorage')?.status, 'True');
    assert.equal(conditionOf(object, 'Reconciling'), undefined);
    assert.equal(conditionOf(object, 'SourceVerified'), undefined);
    const artifact = status.artifact;
    assert.ok(artifact !== undefined);
    assert.equal(artifact.revision, revision);
    assert.match(artifact.path, new RegExp(`^ocirepository/${fixture.namespace}/plain/[0-9a-f]{64}\\.tar\\.gz$`));
    assert.equal(artifact.url, `http://storage.test/${artifact.path}`);
    assert.equal(status.url, `http://storage.test/ocirepository/${fixture.namespace}/plain/latest.tar.gz`);
    const file = readFileSync(join(storageRoot, artifact.path));
    assert.equal(`sha256:${createHash('sha256').update(file).digest('hex')}`, artifact.digest);
    assert.equal(file.length, artifact.size);
    const recorded = await events('plain');
    const newArtifact = recorded.find((e) => e.reason === 'NewArtifact');
    assert.ok(newArtifact !== undefined, JSON.stringify(recorded));
    assert.equal(newArtifact.type, 'Normal');
    assert.equal(newArtifact.note, `stored artifact with revision '${revision}' from 'oci://${proxy.host}/controller/plain'`);
    assert.equal(newArtifact.annotations?.['source.k8sstormcenter.io/revision'], revision);
    assert.equal(newArtifact.annotations['source.k8sstormcenter.io/digest'], artifact.digest);

    proxy.requests.length = 0;
    const again = await reconcile(`${fixture.namespace}/plain`, deps, signal());
    assert.deepEqual(again, { kind: 'success', requeueAfterMs: 300_000 });
    const unchanged = await mustGet('plain');
    assert.equal(unchanged.metadata.resourceVersion, object.metadata.resourceVersion, 'no status write');
    assert.deepEqual(proxy.requests, [{ method: 'HEAD', path: '/v2/controller/plain/manifests/v1' }]);
  });

  it('verifies with cosign keys before fetching: signed → SourceVerified True; unsigned → VerificationError and nothing fetched or stored', async () => {
    await cosign('generate-key-pair');
    await keySecret('cosign-keys', 'cosign.pub');
    const signed = await pushTestImage(reg, home, 'controller/signed', 'v1', 'signed content\n');
    await cosign('sign', '--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--yes', `${proxy.host}/controller/signed@${signed.digest}`);
    await apply('signed', { url: `oci://${proxy.host}/controller/signed`, ref: { tag: 'v1' }, verify: { provider: 'cosign', secretRef: { name: 'cosign-keys' } } });
    assert.equal((await reconcile(`${fixture.namespace}/signed`, deps, signal())).kind, 'success');
    const object = await mustGet('signed');
    const verified = conditionOf(object, 'SourceVerified');
    assert.equal(verified?.status, 'True');
    assert.equal(verified.reason, 'Succeeded');
    assert.equal(verified.message, `verified signature of revision v1@${signed.digest}`);
    assert.equal(conditionOf(object, 'Ready')?.status, 'True');

    await pushTestImage(reg, home, 'controller/unsigned', 'v1', 'unsigned content\n');
    await apply('unsigned', { url: `oci://${proxy.host}/controller/unsigned`, ref: { tag: 'v1' }, verify: { provider: 'cosign', secretRef: { name: 'cosign-keys' } } });
    proxy.requests.length = 0;
    const result = await reconcile(`${fixture.namespace}/unsigned`, deps, signal());
    assert.equal(result.kind, 'retry');
    const rejected = await mustGet('unsigned');
    const message = "failed to verify the signature using provider 'cosign': no matching signatures were found";
    assert.deepEqual(
      [conditionOf(rejected, 'SourceVerified')?.status, conditionOf(rejected, 'SourceVerified')?.reason, conditionOf(rejected, 'SourceVerified')?.message],
      ['False', 'VerificationError', message],
    );
    assert.deepEqual([conditionOf(rejected, 'Ready')?.status, conditionOf(rejected, 'Ready')?.reason, conditionOf(rejected, 'Ready')?.message], ['False', 'VerificationError', message]);
    assert.equal(statusOf(rejected).artifact, undefined);
    assert.equal(existsSync(join(storageRoot, 'ocirepository', fixture.namespace, 'unsigned')), false);
    // Only the subject's manifest HEAD and signature lookups: no content blob, no manifest GET of the subject.
    const signatureLookup = /^\/v2\/controller\/unsigned\/(?:manifests\/sha256-[0-9a-f]{64}(?:\.sig)?|referrers\/sha256:[0-9a-f]{64}.*)$/;
    const unexpected = proxy.requests.filter((r) => !(r.method === 'HEAD' && r.path === '/v2/controller/unsigned/manifests/v1') && !signatureLookup.test(r.path));
    assert.deepEqual(unexpected, [], 'nothing but the resolve and signature lookups');
    assert.ok(proxy.requests.every((r) => !r.path.includes('/blobs/')), 'no blob read');
    const warning = (await events('unsigned')).find((e) => e.type === 'Warning');
    assert.equal(warning?.reason, 'VerificationError');
    assert.equal(warning.note, message);
  });

  it('re-verifies after the key Secret is rotated to a key that did not sign', async () => {
    await run(toolPath('cosign2'), ['generate-key-pair', '--output-key-prefix', 'rotated'], { env: cosignEnv, cwd: home });
    await keySecret('cosign-keys', 'rotated.pub');
    const result = await reconcile(`${fixture.namespace}/signed`, deps, signal());
    assert.equal(result.kind, 'retry');
    const object = await mustGet('signed');
    assert.equal(conditionOf(object, 'SourceVerified')?.status, 'False');
    assert.equal(conditionOf(object, 'SourceVerified')?.reason, 'VerificationError');
    // The artifact verified under the old key stays served.
    assert.ok(statusOf(object).artifact !== undefined);
  });

  it('does nothing for a suspended object', async () => {
    await apply('plain', { url: `oci://${proxy.host}/controller/plain`, ref: { tag: 'v1' }, suspend: true });
    const before = await mustGet('plain');
    proxy.requests.length = 0;
    assert.deepEqual(await reconcile(`${fixture.namespace}/plain`, deps, signal()), { kind: 'done' });
    assert.equal((await mustGet('plain')).metadata.resourceVersion, before.metadata.resourceVersion);
    assert.deepEqual(proxy.requests, []);
  });

  it('retries a status patch that conflicts, against the re-read object', async () => {
    await pushTestImage(reg, home, 'controller/conflict', 'v1', 'conflict content\n');
    await apply('conflict', { url: `oci://${proxy.host}/controller/conflict`, ref: { tag: 'v1' } });
    let patches = 0;
    const conflicting: ReconcilerDependencies = {
      ...deps,
      objects: {
        ...deps.objects,
        async patchStatus(namespace, name, patch, resourceVersion, patchSignal) {
          patches++;
          // Someone else writes first: the resourceVersion we hold is stale, the API server answers 409.
          if (patches === 1) await fixture.kubectl('-n', namespace, 'label', 'ocirepository', name, 'touched=yes');
          return deps.objects.patchStatus(namespace, name, patch, resourceVersion, patchSignal);
        },
      },
    };
    assert.equal((await reconcile(`${fixture.namespace}/conflict`, conflicting, signal())).kind, 'success');
    assert.equal(patches, 2);
    const object = await mustGet('conflict');
    assert.equal(conditionOf(object, 'Ready')?.status, 'True');
    assert.equal(object.metadata.labels?.['touched'], 'yes');
  });

  it('stalls an object whose spec breaks a rule the schema cannot check, without retry', async () => {
    await apply('badsemver', { url: `oci://${proxy.host}/controller/plain`, ref: { semver: '!=1.0.0' } });
    const result = await reconcile(`${fixture.namespace}/badsemver`, deps, signal());
    assert.equal(result.kind, 'stalled');
    const object = await mustGet('badsemver');
    assert.equal(conditionOf(object, 'Stalled')?.status, 'True');
    assert.equal(conditionOf(object, 'Stalled')?.reason, 'SpecInvalid');
    assert.equal(conditionOf(object, 'Ready')?.status, 'False');
    assert.equal(statusOf(object).observedGeneration, object.metadata.generation);
  });

  it('on deletion removes the stored artifacts, then the finalizer', async () => {
    const dir = join(storageRoot, 'ocirepository', fixture.namespace, 'conflict');
    assert.ok(existsSync(dir));
    await fixture.kubectl('-n', fixture.namespace, 'delete', 'ocirepository', 'conflict', '--wait=false');
    assert.deepEqual(await reconcile(`${fixture.namespace}/conflict`, deps, signal()), { kind: 'done' });
    assert.equal(existsSync(dir), false);
    assert.equal(await get('conflict'), undefined);
  });
});
