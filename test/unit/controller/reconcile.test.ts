// Whole reconciles on in-memory ports and an in-process registry: the order
// of the steps, what is written (and when nothing is), which requests are
// made, and the conditions and events of each outcome.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { reconcile, type RawObject } from '../../../src/controller/index.ts';
import type { Verifier } from '../../../src/verify/index.ts';
import { NAMESPACE, repository, startFakeRegistry, testWorld, type FakeRegistry, type TestWorld } from './helpers.ts';

const FINALIZER = 'source.k8sstormcenter.io/finalizer';
const signal = (): AbortSignal => AbortSignal.timeout(30_000);

interface Condition { type: string; status: string; reason: string; message: string; observedGeneration?: number }
interface Status {
  observedGeneration?: number;
  conditions?: Condition[];
  artifact?: { revision: string; digest: string; path: string; metadata?: Record<string, string> };
  url?: string;
  lastHandledReconcileAt?: string;
}
const statusOf = (object: RawObject): Status => {
  const status = object['status'];
  return typeof status === 'object' && status !== null ? status : {};
};
const condition = (object: RawObject, type: string): Condition | undefined => statusOf(object).conditions?.find((c) => c.type === type);
const brief = (c: Condition | undefined): [string, string, string] | undefined => (c === undefined ? undefined : [c.status, c.reason, c.message]);

function rejecting(provider: 'policy' | 'cosign', reason: string, calls: { count: number }): Verifier {
  return {
    provider,
    verify: () => {
      calls.count++;
      return Promise.resolve({ outcome: 'rejected', provider, code: 'POLICY_REJECTED', reason, attempts: [] });
    },
  };
}

describe('controller: reconcile on in-memory ports', () => {
  let world: TestWorld;
  let registry: FakeRegistry;

  beforeEach(async () => {
    world = testWorld();
    registry = await startFakeRegistry('app/config', 'v1', { 'deploy.yaml': 'kind: ConfigMap\n', 'logo.png': 'png', '.sourceignore': '' }, {
      'org.opencontainers.image.source': 'https://git.example/app', 'org.opencontainers.image.revision': 'main@sha1:abc',
    });
  });

  afterEach(async () => {
    await world.close();
    await registry.close();
  });

  const key = (name: string): string => `${NAMESPACE}/${name}`;
  const put = (name: string, spec: Record<string, unknown> = {}, extra: Parameters<typeof repository>[2] = {}): RawObject =>
    world.objects.put(repository(name, { url: `oci://${registry.host}/app/config`, insecure: true, ref: { tag: 'v1' }, ...spec }, extra));

  it('stores a new artifact: finalizer first, one status write, Flux conditions and a NewArtifact event with origin', async () => {
    put('app');
    const result = await reconcile(key('app'), world.deps, signal());
    assert.deepEqual(result, { kind: 'success', requeueAfterMs: 300_000 });
    const object = world.objects.current('app');
    assert.deepEqual(object.metadata.finalizers, [FINALIZER]);
    assert.equal(world.objects.patches.length, 1);
    const revision = `v1@${registry.manifestDigest}`;
    assert.deepEqual(brief(condition(object, 'Ready')), ['True', 'Succeeded', `stored artifact for digest '${revision}'`]);
    assert.deepEqual(brief(condition(object, 'ArtifactInStorage')), ['True', 'Succeeded', `stored artifact for digest '${revision}'`]);
    assert.deepEqual(statusOf(object).conditions?.map((c) => c.type), ['Ready', 'ArtifactInStorage']);
    assert.equal(statusOf(object).observedGeneration, 1);
    assert.equal(statusOf(object).artifact?.revision, revision);
    assert.deepEqual(statusOf(object).artifact?.metadata, {
      'org.opencontainers.image.source': 'https://git.example/app', 'org.opencontainers.image.revision': 'main@sha1:abc',
    });
    assert.deepEqual(registry.requests(), [
      'HEAD /v2/app/config/manifests/v1', `GET /v2/app/config/manifests/${registry.manifestDigest}`, `GET /v2/app/config/blobs/${registry.layerDigest}`,
    ]);
    const [event] = world.events.events;
    assert.equal(world.events.events.length, 1);
    assert.equal(event?.reason, 'NewArtifact');
    assert.equal(event.message, `stored artifact with revision '${revision}' from 'oci://${registry.host}/app/config', origin source 'https://git.example/app', origin revision 'main@sha1:abc'`);
    assert.deepEqual(event.annotations, {
      'source.k8sstormcenter.io/revision': revision,
      'source.k8sstormcenter.io/digest': statusOf(object).artifact?.digest,
      'source.k8sstormcenter.io/originRevision': 'main@sha1:abc',
    });
  });

  it('applies Flux default ignore rules when no pattern is given: logo.png is left out', async () => {
    put('app');
    await reconcile(key('app'), world.deps, signal());
    const path = statusOf(world.objects.current('app')).artifact?.path ?? '';
    const listing = execFileSync('tar', ['-tzf', join(world.root, 'storage', path)], { encoding: 'utf8' });
    assert.deepEqual(listing.split('\n').filter((l) => l !== '').sort(), ['.sourceignore', 'deploy.yaml']);
  });

  it('keeps only VCS defaults once spec.ignore gives a pattern', async () => {
    put('app', { ignore: 'deploy.yaml\n' });
    await reconcile(key('app'), world.deps, signal());
    const object = world.objects.current('app');
    const listing = execFileSync('tar', ['-tzf', join(world.root, 'storage', statusOf(object).artifact?.path ?? '')], { encoding: 'utf8' });
    assert.deepEqual(listing.split('\n').filter((l) => l !== '').sort(), ['.sourceignore', 'logo.png']);
    assert.equal((object['status'] as { observedIgnore?: string }).observedIgnore, 'deploy.yaml\n');
  });

  it('an unchanged object costs one HEAD, no status write and no event', async () => {
    put('app');
    await reconcile(key('app'), world.deps, signal());
    const version = world.objects.current('app').metadata.resourceVersion;
    registry.server.requests.length = 0;
    world.clock.advance(60_000);
    assert.equal((await reconcile(key('app'), world.deps, signal())).kind, 'success');
    assert.deepEqual(registry.requests(), ['HEAD /v2/app/config/manifests/v1']);
    assert.equal(world.objects.current('app').metadata.resourceVersion, version);
    assert.equal(world.objects.patches.length, 1);
    assert.equal(world.events.events.length, 1);
  });

  it('a digest ref whose artifact is stored and intact makes no request at all', async () => {
    put('pinned', { ref: { digest: registry.manifestDigest } });
    await reconcile(key('pinned'), world.deps, signal());
    assert.equal(statusOf(world.objects.current('pinned')).artifact?.revision, registry.manifestDigest);
    registry.server.requests.length = 0;
    await reconcile(key('pinned'), world.deps, signal());
    assert.deepEqual(registry.requests(), []);
    assert.equal(world.objects.patches.length, 1);
  });

  it('rebuilds a corrupt stored artifact with an ArtifactVerificationFailed warning', async () => {
    put('app');
    await reconcile(key('app'), world.deps, signal());
    const path = join(world.root, 'storage', statusOf(world.objects.current('app')).artifact?.path ?? '');
    const good = readFileSync(path);
    writeFileSync(path, 'tampered');
    assert.equal((await reconcile(key('app'), world.deps, signal())).kind, 'success');
    assert.ok(world.events.events.some((e) => e.type === 'Warning' && e.reason === 'ArtifactVerificationFailed'));
    assert.deepEqual(readFileSync(path), good);
  });

  it('a rejected verification fetches nothing: SourceVerified and Ready False with Flux\'s exact message', async () => {
    const calls = { count: 0 };
    world = { ...world, deps: { ...world.deps, trustFloor: rejecting('policy', 'Running image docker://x is rejected by policy.', calls) } };
    put('app');
    const result = await reconcile(key('app'), world.deps, signal());
    assert.equal(result.kind, 'retry');
    assert.equal(calls.count, 1);
    assert.deepEqual(registry.requests(), ['HEAD /v2/app/config/manifests/v1']);
    const object = world.objects.current('app');
    const message = "failed to verify the signature using provider 'policy': Running image docker://x is rejected by policy.";
    assert.deepEqual(brief(condition(object, 'SourceVerified')), ['False', 'VerificationError', message]);
    assert.deepEqual(brief(condition(object, 'Ready')), ['False', 'VerificationError', message]);
    assert.deepEqual(brief(condition(object, 'Reconciling')), ['True', 'ProgressingWithRetry', `building artifact: new revision 'v1@${registry.manifestDigest}' for 'oci://${registry.host}/app/config'`]);
    assert.equal(statusOf(object).artifact, undefined);
    assert.equal(statusOf(object).observedGeneration, -1, 'observedGeneration moves on success or stall only');
    assert.equal(existsSync(join(world.root, 'storage', 'ocirepository')), false);
    const warning = world.events.events.find((e) => e.type === 'Warning');
    assert.deepEqual([warning?.reason, warning?.message], ['VerificationError', message]);
  });

  it('verifies a digest ref against the descriptor the registry serves (one HEAD) before fetching', async () => {
    const seen: string[] = [];
    const floor: Verifier = {
      provider: 'policy',
      verify: (subject) => {
        seen.push(`${subject.descriptor.mediaType} ${subject.descriptor.digest} ${String(subject.descriptor.size > 0)}`);
        seen.push(...registry.requests());
        return Promise.resolve({ outcome: 'verified', provider: 'policy', signatures: [], warnings: [] });
      },
    };
    world = { ...world, deps: { ...world.deps, trustFloor: floor } };
    put('pinned', { ref: { digest: registry.manifestDigest } });
    assert.equal((await reconcile(key('pinned'), world.deps, signal())).kind, 'success');
    assert.deepEqual(seen, [`application/vnd.oci.image.manifest.v1+json ${registry.manifestDigest} true`, `HEAD /v2/app/config/manifests/${registry.manifestDigest}`]);
    // Passing the floor alone claims no SourceVerified.
    assert.equal(condition(world.objects.current('pinned'), 'SourceVerified'), undefined);
  });

  it('a missing credentials Secret is FetchFailed AuthenticationFailed, with no anonymous fallback and no request', async () => {
    put('app', { secretRef: { name: 'pull' } });
    assert.equal((await reconcile(key('app'), world.deps, signal())).kind, 'retry');
    const object = world.objects.current('app');
    const message = `failed to get credential: secret '${NAMESPACE}/pull' not found`;
    assert.deepEqual(brief(condition(object, 'FetchFailed')), ['True', 'AuthenticationFailed', message]);
    assert.deepEqual(brief(condition(object, 'Ready')), ['False', 'AuthenticationFailed', message]);
    assert.deepEqual(registry.requests(), []);
    assert.equal(world.registries.accesses.length, 0);
  });

  it('recovers from a fetch failure with a Succeeded event once the artifact is unchanged', async () => {
    put('app');
    await reconcile(key('app'), world.deps, signal());
    world.secrets.set('pull', { '.dockerconfigjson': JSON.stringify({ auths: {} }) }, 'kubernetes.io/dockerconfigjson');
    put('app', { secretRef: { name: 'missing' } }, { metadata: { finalizers: [FINALIZER], generation: 2 }, status: world.objects.current('app')['status'] });
    await reconcile(key('app'), world.deps, signal());
    assert.equal(condition(world.objects.current('app'), 'FetchFailed')?.status, 'True');
    put('app', { secretRef: { name: 'pull' } }, { metadata: { finalizers: [FINALIZER], generation: 3 }, status: world.objects.current('app')['status'] });
    world.events.events.length = 0;
    assert.equal((await reconcile(key('app'), world.deps, signal())).kind, 'success');
    const object = world.objects.current('app');
    assert.equal(condition(object, 'FetchFailed'), undefined);
    assert.deepEqual(world.events.events.map((e) => [e.type, e.reason]), [['Normal', 'Succeeded']]);
    assert.equal(statusOf(object).observedGeneration, 3);
  });

  it('records a missing layer media type as OCIArtifactLayerOperationFailed, keeping nothing', async () => {
    put('app', { layerSelector: { mediaType: 'application/x-missing' } });
    assert.equal((await reconcile(key('app'), world.deps, signal())).kind, 'retry');
    assert.deepEqual(brief(condition(world.objects.current('app'), 'FetchFailed')), [
      'True', 'OCIArtifactLayerOperationFailed', "failed to find layer with media type 'application/x-missing' in artifact",
    ]);
  });

  it('copies the layer unmodified with operation copy: the artifact digest is the layer digest', async () => {
    put('app', { layerSelector: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', operation: 'copy' } });
    assert.equal((await reconcile(key('app'), world.deps, signal())).kind, 'success');
    const object = world.objects.current('app');
    assert.equal(statusOf(object).artifact?.digest, registry.layerDigest);
    assert.deepEqual((object['status'] as { observedLayerSelector?: unknown }).observedLayerSelector, {
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', operation: 'copy',
    });
  });

  it('echoes the reconcile request token and reports the generation change while working', async () => {
    put('app', {}, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-03-01T09:00:00Z' } } });
    await reconcile(key('app'), world.deps, signal());
    assert.equal(statusOf(world.objects.current('app')).lastHandledReconcileAt, '2026-03-01T09:00:00Z');
  });

  it('suspended: no write, no request, done', async () => {
    put('app', { suspend: true }, { metadata: { finalizers: [FINALIZER] } });
    assert.deepEqual(await reconcile(key('app'), world.deps, signal()), { kind: 'done' });
    assert.deepEqual(world.objects.patches, []);
    assert.deepEqual(registry.requests(), []);
  });

  it('deleted: removes the storage directory, then the finalizer', async () => {
    put('app');
    await reconcile(key('app'), world.deps, signal());
    const dir = join(world.root, 'storage', 'ocirepository', NAMESPACE, 'app');
    assert.ok(existsSync(dir));
    const current = world.objects.current('app');
    world.objects.put({ ...current, metadata: { ...current.metadata, deletionTimestamp: '2026-03-01T10:05:00Z' } });
    assert.deepEqual(await reconcile(key('app'), world.deps, signal()), { kind: 'done' });
    assert.equal(existsSync(dir), false);
    assert.equal(world.objects.objects.has(key('app')), false);
  });

  it('gone: done, nothing written', async () => {
    assert.deepEqual(await reconcile(key('nothing'), world.deps, signal()), { kind: 'done' });
  });

  it('an invalid spec stalls with the parser reason and every bad field, keeping other conditions', async () => {
    world.objects.put(repository('bad', { url: 'https://not-oci', interval: '5m' }, { metadata: { generation: 4 } }));
    const result = await reconcile(key('bad'), world.deps, signal());
    assert.equal(result.kind, 'stalled');
    const object = world.objects.current('bad');
    assert.equal(condition(object, 'Stalled')?.reason, 'URLInvalid');
    assert.match(condition(object, 'Stalled')?.message ?? '', /spec\.url/);
    assert.equal(condition(object, 'Ready')?.status, 'False');
    assert.equal(condition(object, 'Ready')?.reason, 'URLInvalid');
    assert.equal(statusOf(object).observedGeneration, 4);
    assert.equal(world.events.events[0]?.reason, 'URLInvalid');
    // Stalled again on the same spec: nothing new to write.
    await reconcile(key('bad'), world.deps, signal());
    assert.equal(world.objects.patches.length, 1);
  });

  it('retries a conflicting status patch against the re-read object, and gives up after the bound', async () => {
    put('app');
    world.objects.conflicts = 1;
    assert.equal((await reconcile(key('app'), world.deps, signal())).kind, 'success');
    assert.equal(world.objects.patches.length, 1);
    put('other');
    world.objects.conflicts = 5;
    const result = await reconcile(key('other'), world.deps, signal());
    assert.ok(result.kind === 'retry');
    assert.equal((result.error as { code?: string }).code, 'KUBE_CONFLICT');
  });

  it('a cloud provider without pull secrets stalls with AuthenticationFailed instead of pulling anonymously', async () => {
    put('cloud', { provider: 'aws' });
    const result = await reconcile(key('cloud'), world.deps, signal());
    assert.equal(result.kind, 'stalled');
    const object = world.objects.current('cloud');
    assert.deepEqual([condition(object, 'FetchFailed')?.reason, condition(object, 'Stalled')?.reason], ['AuthenticationFailed', 'AuthenticationFailed']);
    assert.match(condition(object, 'Ready')?.message ?? '', /^failed to get credential from 'aws': cloud provider authentication is not supported yet/);
    assert.deepEqual(registry.requests(), []);
  });

  it('keyless without a trusted root stalls (no TUF), before any request', async () => {
    put('keyless', {
      verify: { provider: 'cosign', matchOIDCIdentity: [{ issuer: '^https://issuer$', subject: '^me@example.com$' }] },
    });
    const result = await reconcile(key('keyless'), world.deps, signal());
    assert.equal(result.kind, 'stalled');
    const object = world.objects.current('keyless');
    assert.equal(condition(object, 'Stalled')?.reason, 'VerificationConfigInvalid');
    assert.equal(condition(object, 'SourceVerified')?.status, 'False');
    assert.match(condition(object, 'SourceVerified')?.message ?? '', /^failed to verify the signature using provider 'cosign keyless': keyless verification needs spec\.verify\.trustedRootSecretRef/);
    assert.deepEqual(registry.requests(), []);
  });
});
