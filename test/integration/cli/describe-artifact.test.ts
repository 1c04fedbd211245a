// `bobctl describe artifact` against real registries: a bob artifact over
// TLS with basic auth (config date, layer title, annotations, referrers), and
// a multi-platform index with one section per platform.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bobctl, bobctlFlags } from '../../env/bobctl.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { BOB_CONFIG, BOB_CONTENT, oras, pushBobArtifact } from './helpers.ts';

interface Description {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
  readonly config?: { mediaType: string; created?: string };
  readonly layers?: { mediaType: string; title?: string; size: number }[];
  readonly manifests?: { platform?: string; manifest: Description }[];
  readonly referrers?: { artifactType?: string; digest: string }[];
}

describe('bobctl describe artifact', function () {
  this.timeout(120_000);

  it('describes a bob artifact and its referrers over TLS with basic auth', async () => {
    const reg = await registry({ kind: 'distribution', tls: true, auth: 'basic' });
    const home = scratchDir('describe');
    const artifact = await pushBobArtifact(reg, home, 'cli/describe', 'v1');
    writeFileSync(join(home, 'sig.txt'), 'signature\n');
    await oras(reg, home, 'attach', artifact.ref, '--artifact-type', 'application/vnd.bob.test.signature', 'sig.txt:text/plain');

    const json = await bobctl(['describe', 'artifact', `oci://${artifact.ref}`, ...bobctlFlags(reg), '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const description = JSON.parse(json.stdout) as Description;
    assert.equal(description.digest, artifact.digest);
    assert.equal(description.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(description.config?.mediaType, BOB_CONFIG);
    assert.equal(description.config.created, '2024-05-01T10:00:00Z');
    assert.deepEqual(description.layers?.map((l) => [l.mediaType, l.title]), [[BOB_CONTENT, 'content.tar.gz']]);
    assert.equal(description.annotations?.['org.opencontainers.image.source'], 'https://github.com/k8sstormcenter/bob');
    assert.deepEqual(description.referrers?.map((r) => r.artifactType), ['application/vnd.bob.test.signature']);

    const text = await bobctl(['describe', 'artifact', `oci://${artifact.ref}`, ...bobctlFlags(reg)]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^Reference: +oci://${reg.host}/cli/describe:v1\\nDigest: +${artifact.digest}\\n`));
    assert.match(text.stdout, /\nConfig:\n {2}Media Type: +application\/vnd\.k8sstormcenter\.bob\.config\.v1\+json\n(.*\n){2} {2}Created: +2024-05-01T10:00:00Z\n/);
    assert.match(text.stdout, /\nLayers:\n {2}- Title: +content\.tar\.gz\n {4}Media Type: +application\/vnd\.k8sstormcenter\.bob\.content\.v1\.tar\+gzip\n/);
    assert.match(text.stdout, /\nReferrers:\n {2}ARTIFACT TYPE +DIGEST\n {2}application\/vnd\.bob\.test\.signature +sha256:[0-9a-f]{64}\n$/);
  });

  it('describes each platform of an index', async () => {
    const reg = await registry({ kind: 'olareg' });
    const home = scratchDir('describe-index');
    const amd64 = await pushTestImage(reg, home, 'cli/describe-index', 'amd64');
    const arm64 = await pushTestImage(reg, home, 'cli/describe-index', 'arm64', 'arm content\n');
    const entry = (digest: string, architecture: string) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 0, platform: { os: 'linux', architecture },
    });
    const entries = [];
    for (const [image, arch] of [[amd64, 'amd64'], [arm64, 'arm64']] as const) {
      const bytes = await oras(reg, home, 'manifest', 'fetch', image.pinned);
      entries.push({ ...entry(image.digest, arch), size: Buffer.byteLength(bytes) });
    }
    writeFileSync(join(home, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
    await oras(reg, home, 'manifest', 'push', `${reg.host}/cli/describe-index:multi`, 'index.json', '--media-type', 'application/vnd.oci.image.index.v1+json');

    const json = await bobctl(['describe', 'artifact', `oci://${reg.host}/cli/describe-index:multi`, ...bobctlFlags(reg), '-o', 'yaml']);
    assert.equal(json.code, 0, json.stderr);
    assert.match(json.stdout, /platform: linux\/amd64/);
    const text = await bobctl(['describe', 'artifact', `oci://${reg.host}/cli/describe-index:multi`, ...bobctlFlags(reg)]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`\\nPlatforms:\\n {2}linux/amd64:\\n {4}Digest: +${amd64.digest}\\n`));
    assert.match(text.stdout, new RegExp(`\\n {2}linux/arm64:\\n {4}Digest: +${arm64.digest}\\n`));
    assert.match(text.stdout, /\n {4}Config:\n {6}Media Type: +application\/vnd\.oci\.image\.config\.v1\+json\n/);
    assert.match(text.stdout, /\nReferrers: +<none>\n$/);
  });
});
