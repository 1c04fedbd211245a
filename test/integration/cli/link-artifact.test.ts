// `bobctl link artifact` against real registries: the referrer it pushes is
// what `oras discover` lists: through the tag schema on distribution 2.8
// (bobctl writes the `sha256-<hex>` index) and through the referrers API on
// olareg and zot. Blobs are mounted within a registry and streamed across
// registries; linking twice gives the same digest and one index entry.
import assert from 'node:assert/strict';
import { bobctl, bobctlFlags } from '../../env/bobctl.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import type { RegistryKind } from '../../env/registries.ts';
import { BOB_CONFIG, oras, pushBobArtifact } from './helpers.ts';

const LINK_TYPE = 'application/vnd.bob.artifact+yaml';

interface OrasReferrer {
  readonly digest: string;
  readonly artifactType: string;
  readonly annotations?: Record<string, string>;
}

async function orasReferrers(...args: Parameters<typeof oras>): Promise<OrasReferrer[]> {
  const out = JSON.parse(await oras(...args)) as { referrers?: OrasReferrer[]; manifests?: OrasReferrer[] };
  return out.referrers ?? out.manifests ?? [];
}

interface Linked {
  readonly digest: string;
  readonly artifactType: string;
  readonly subject: { readonly digest: string };
  readonly referrers?: string;
}

describe('bobctl link artifact', function () {
  this.timeout(120_000);

  for (const kind of ['distribution', 'olareg', 'zot'] as const satisfies readonly RegistryKind[]) {
    it(`links an artifact to an image so that oras discover lists it, on ${kind}`, async () => {
      const reg = await registry({ kind });
      const home = scratchDir(`link-${kind}`);
      const image = await pushTestImage(reg, home, 'cli/link-image', 'v1');
      const artifact = await pushBobArtifact(reg, home, 'cli/link-artifact', 'v1');
      const args = ['link', 'artifact', `oci://${artifact.ref}`, `oci://${image.ref}`, ...bobctlFlags(reg), '--annotation', 'bob.test/purpose=deploy'];
      const first = await bobctl([...args, '-o', 'json']);
      assert.equal(first.code, 0, first.stderr);
      const linked = JSON.parse(first.stdout) as Linked;
      assert.equal(linked.artifactType, LINK_TYPE);
      assert.equal(linked.subject.digest, image.digest);
      // zot 1.4.3 indexes the subject but answers without OCI-Subject, so the tag index is written there too.
      assert.equal(linked.referrers, kind === 'olareg' ? 'api' : 'tag');

      const again = await bobctl(args);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, `${linked.digest}\n`);

      const listed = await orasReferrers(reg, home, 'discover', image.ref, '--format', 'json');
      assert.equal(listed.length, 1, JSON.stringify(listed));
      assert.equal(listed[0]?.digest, linked.digest);
      const manifest = JSON.parse(await oras(reg, home, 'manifest', 'fetch', `${reg.host}/cli/link-image@${linked.digest}`)) as {
        artifactType: string; subject: { digest: string }; annotations: Record<string, string>; config: { mediaType: string };
      };
      assert.equal(manifest.artifactType, LINK_TYPE);
      assert.equal(manifest.subject.digest, image.digest);
      assert.equal(manifest.annotations['bob.test/purpose'], 'deploy');
      assert.equal(manifest.annotations['org.opencontainers.image.source'], 'https://github.com/k8sstormcenter/bob');
      assert.equal(manifest.config.mediaType, 'application/vnd.k8sstormcenter.bob.config.v1+json');

      // The linked artifact is pullable from the image's repository: its blobs came along.
      await oras(reg, home, 'pull', `${reg.host}/cli/link-image@${linked.digest}`, '-o', scratchDir('link-pull'));

      const discovered = await bobctl(['discover', `oci://${image.ref}`, ...bobctlFlags(reg), '-o', 'json']);
      assert.equal(discovered.code, 0, discovered.stderr);
      const [node] = (JSON.parse(discovered.stdout) as { referrers: { digest: string; artifactType: string }[] }).referrers;
      assert.equal(node?.digest, linked.digest);
      // zot 1.4.3 (pre-release referrers API) reports the config media type, not the manifest's artifactType;
      // the type is useful and present, so bobctl does not spend a request second-guessing it.
      assert.equal(node.artifactType, kind === 'zot' ? BOB_CONFIG : LINK_TYPE);
    });
  }

  it('on distribution, keeps the referrers tag index: one entry per referrer, annotations included', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('link-index');
    const image = await pushTestImage(reg, home, 'cli/link-index', 'v1');
    const artifact = await pushBobArtifact(reg, home, 'cli/link-index', 'artifact');
    for (const type of ['application/vnd.bob.test.one', 'application/vnd.bob.test.two', 'application/vnd.bob.test.one']) {
      const result = await bobctl(['link', 'artifact', `oci://${artifact.ref}`, `oci://${image.ref}`, ...bobctlFlags(reg), '--artifact-type', type]);
      assert.equal(result.code, 0, result.stderr);
    }
    const tag = image.digest.replace(':', '-');
    const index = JSON.parse(await oras(reg, home, 'manifest', 'fetch', `${reg.host}/cli/link-index:${tag}`)) as {
      manifests: { artifactType: string; annotations?: Record<string, string> }[];
    };
    assert.deepEqual(index.manifests.map((m) => m.artifactType).sort(), ['application/vnd.bob.test.one', 'application/vnd.bob.test.two']);
    assert.ok(index.manifests.every((m) => m.annotations?.['org.opencontainers.image.revision'] !== undefined));
  });

  it('copies the blobs across registries (distribution to olareg)', async () => {
    const source = await registry({ kind: 'distribution' });
    const target = await registry({ kind: 'olareg' });
    const home = scratchDir('link-cross');
    const artifact = await pushBobArtifact(source, home, 'cli/link-cross', 'v1');
    const image = await pushTestImage(target, home, 'cli/link-cross-image', 'v1');
    const result = await bobctl(['link', 'artifact', `oci://${artifact.ref}`, `oci://${image.ref}`, '--plain-http', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const linked = JSON.parse(result.stdout) as Linked;
    await oras(target, home, 'pull', `${target.host}/cli/link-cross-image@${linked.digest}`, '-o', scratchDir('link-cross-pull'));
    const listed = await orasReferrers(target, home, 'discover', image.ref, '--format', 'json');
    assert.deepEqual(listed.map((r) => r.digest), [linked.digest]);
  });
});
