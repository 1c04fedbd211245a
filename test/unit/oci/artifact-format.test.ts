import assert from 'node:assert/strict';
import {
  BOB_CONTENT_MEDIA_TYPE, FLUX_CONTENT_MEDIA_TYPE, OCI_MANIFEST, buildArtifactConfig, buildArtifactIndex, buildArtifactManifest,
  formatPlatform, parseManifest, parsePlatform, selectContentLayer, toArtifactFormat, type Descriptor, type ImageManifest,
} from '../../../src/oci/index.ts';

const D = (n: number, mediaType: string): Descriptor => ({ mediaType, digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: n });
const CONFIG = D(1, 'application/vnd.k8sstormcenter.bob.config.v1+json');

function manifestWith(layers: Descriptor[]): ImageManifest {
  return { kind: 'manifest', schemaVersion: 2, mediaType: OCI_MANIFEST, config: CONFIG, layers };
}

describe('oci/artifact-format', () => {
  it('builds a manifest that parses back, with sorted annotations and an optional subject', () => {
    const bytes = buildArtifactManifest({
      config: CONFIG, layer: D(2, BOB_CONTENT_MEDIA_TYPE), annotations: { z: '1', a: '2' },
      subject: { ...D(3, OCI_MANIFEST), annotations: { dropped: 'yes' } }, artifactType: 'application/vnd.bob.artifact+yaml',
    });
    const text = new TextDecoder().decode(bytes);
    assert.ok(text.indexOf('"a"') < text.indexOf('"z"'));
    assert.doesNotMatch(text, /dropped/);
    const parsed = parseManifest(bytes);
    assert.equal(parsed.kind, 'manifest');
    assert.equal(parsed.artifactType, 'application/vnd.bob.artifact+yaml');
    assert.equal(parsed.subject?.digest, D(3, OCI_MANIFEST).digest);
    assert.equal(toArtifactFormat(parsed), 'bob');
  });

  it('builds the same bytes for the same input (deterministic digests)', () => {
    const input = { created: '1970-01-01T00:00:00Z', diffId: D(4, 'x').digest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } };
    assert.deepEqual(buildArtifactConfig(input), buildArtifactConfig(input));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(buildArtifactConfig(input))), {
      created: '1970-01-01T00:00:00Z', architecture: 'arm64', os: 'linux', variant: 'v8', rootfs: { type: 'layers', diff_ids: [D(4, 'x').digest] },
    });
    const index = parseManifest(buildArtifactIndex([{ ...D(5, OCI_MANIFEST), platform: { os: 'linux', architecture: 'amd64' } }], {}));
    assert.equal(index.kind, 'index');
  });

  it('selects the layer to extract: asked-for type, else bob or Flux content, else the first', () => {
    const other = D(6, 'application/octet-stream');
    assert.equal(selectContentLayer(manifestWith([other, D(7, FLUX_CONTENT_MEDIA_TYPE)])).mediaType, FLUX_CONTENT_MEDIA_TYPE);
    assert.equal(selectContentLayer(manifestWith([D(7, FLUX_CONTENT_MEDIA_TYPE), D(8, BOB_CONTENT_MEDIA_TYPE)])).mediaType, BOB_CONTENT_MEDIA_TYPE);
    assert.equal(selectContentLayer(manifestWith([other])), other);
    assert.equal(selectContentLayer(manifestWith([other, D(9, 'text/plain')]), 'text/plain').mediaType, 'text/plain');
  });

  it('refuses an artifact without layers or without the asked-for layer (hostile row 21)', () => {
    assert.throws(() => selectContentLayer(manifestWith([])), { code: 'MANIFEST_INVALID', message: /no layers/ });
    assert.throws(() => selectContentLayer(manifestWith([D(6, 'a/b')]), 'text/plain'), { code: 'MANIFEST_INVALID', message: /no layer of media type text\/plain/ });
  });

  it('parses and formats platforms', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    for (const bad of ['linux', 'linux/', 'a/b/c/d', 'Linux/AMD64', 'linux/amd64 ']) assert.equal(parsePlatform(bad), undefined, bad);
    assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64');
  });
});
