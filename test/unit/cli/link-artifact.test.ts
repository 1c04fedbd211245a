import assert from 'node:assert/strict';
import { parseAnnotations } from '../../../src/cli/annotations-flag.ts';
import { buildReferrerManifest } from '../../../src/cli/commands/link-artifact.ts';
import { parseManifest, type ImageManifest } from '../../../src/oci/index.ts';
import { bobctl } from './capture.ts';

const D = (c: string): string => `sha256:${c.repeat(64)}`;

const ARTIFACT: ImageManifest = {
  kind: 'manifest', schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.k8sstormcenter.bob.config.v1+json', digest: D('b'), size: 100 },
  layers: [
    { mediaType: 'application/vnd.k8sstormcenter.bob.content.v1.tar+gzip', digest: D('c'), size: 5, annotations: { 'org.opencontainers.image.title': 'a.tgz' } },
    { mediaType: 'text/plain', digest: D('e'), size: 3 },
  ],
  annotations: { 'org.opencontainers.image.source': 'https://example.com/app', purpose: 'artifact' },
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('9'), size: 1 },
};
const SUBJECT = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: D('a'), size: 321, artifactType: 'x/y', annotations: { no: 'copy' } };

describe('bobctl link artifact (manifest and flags)', () => {
  it('builds a referrer that keeps every layer and sets subject and artifactType', () => {
    const bytes = buildReferrerManifest({ artifact: ARTIFACT, subject: SUBJECT, artifactType: 'application/vnd.bob.artifact+yaml', annotations: { purpose: 'link', extra: 'x=y' } });
    const manifest = parseManifest(bytes);
    assert.ok(manifest.kind === 'manifest');
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(manifest.artifactType, 'application/vnd.bob.artifact+yaml');
    assert.deepEqual(manifest.subject, { mediaType: SUBJECT.mediaType, digest: SUBJECT.digest, size: SUBJECT.size });
    assert.deepEqual([manifest.config, manifest.layers], [ARTIFACT.config, ARTIFACT.layers]);
    assert.deepEqual(manifest.annotations, { extra: 'x=y', 'org.opencontainers.image.source': 'https://example.com/app', purpose: 'link' });
    assert.deepEqual(Object.keys(manifest.annotations ?? {}), ['extra', 'org.opencontainers.image.source', 'purpose']);
  });

  it('gives the same bytes for the same inputs, whatever the annotation order', () => {
    const a = buildReferrerManifest({ artifact: ARTIFACT, subject: SUBJECT, artifactType: 't/a', annotations: { x: '1', y: '2' } });
    const b = buildReferrerManifest({ artifact: ARTIFACT, subject: SUBJECT, artifactType: 't/a', annotations: { y: '2', x: '1' } });
    assert.deepEqual(a, b);
  });

  it('parses --annotation key=value, values may hold =', () => {
    assert.deepEqual(parseAnnotations(['a=1', 'b=x=y', 'c=', 'a=2']), { a: '2', b: 'x=y', c: '' });
    assert.throws(() => parseAnnotations(['=v']), { code: 'CLI_USAGE' });
    assert.throws(() => parseAnnotations(['novalue']), { code: 'CLI_USAGE' });
  });

  for (const [name, argv] of [
    ['a missing image reference', ['oci://r.example/a:v1']],
    ['three references', ['oci://r.example/a:v1', 'oci://r.example/b:v1', 'oci://r.example/c:v1']],
    ['an artifact type that is not a media type', ['oci://r.example/a:v1', 'oci://r.example/b:v1', '--artifact-type', 'sbom']],
    ['a bad annotation', ['oci://r.example/a:v1', 'oci://r.example/b:v1', '--annotation', 'oops']],
  ] as const) {
    it(`exits 2 for ${name}`, async () => {
      const result = await bobctl(['link', 'artifact', ...argv]);
      assert.equal(result.code, 2, result.stderr);
    });
  }
});
