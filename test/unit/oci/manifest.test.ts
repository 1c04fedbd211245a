import assert from 'node:assert/strict';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, parseManifest, toArtifactType, toDescriptor } from '../../../src/oci/index.ts';
import { isBobError } from '../../../src/shared/index.ts';

const D = `sha256:${'a'.repeat(64)}`;
const desc = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ mediaType: 'application/x', digest: D, size: 3, ...extra });
const image = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc({ mediaType: 'application/vnd.cncf.flux.config.v1+json' }), layers: [desc()], ...extra,
});
const bytes = (doc: unknown): Buffer => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));

describe('oci/manifest parseManifest', () => {
  it('parses an OCI manifest and its artifact type', () => {
    const m = parseManifest(bytes(image({ annotations: { a: 'b' } })), { contentType: `${OCI_MANIFEST}; charset=utf-8` });
    assert.equal(m.kind, 'manifest');
    assert.equal(m.mediaType, OCI_MANIFEST);
    assert.equal(toArtifactType(m), 'application/vnd.cncf.flux.config.v1+json');
  });

  it('parses an index without mediaType from structure and Content-Type', () => {
    const m = parseManifest(bytes({ schemaVersion: 2, manifests: [desc({ platform: { os: 'linux', architecture: 'amd64' } })] }), { contentType: OCI_INDEX });
    assert.ok(m.kind === 'index');
    assert.equal(m.manifests[0]?.platform?.os, 'linux');
  });

  it('infers the kind when nothing names it', () => {
    assert.equal(parseManifest(bytes({ schemaVersion: 2, config: desc(), layers: [] })).mediaType, OCI_MANIFEST);
  });

  it('accepts a generic Content-Type when the body says what it is', () => {
    assert.equal(parseManifest(bytes(image()), { contentType: 'application/json' }).mediaType, OCI_MANIFEST);
  });

  const rejects: [string, unknown, { contentType?: string; expectedMediaType?: string }, string][] = [
    ['not JSON', '{', {}, 'MANIFEST_INVALID'],
    ['not UTF-8', Buffer.from([0xff, 0xfe]), {}, 'MANIFEST_INVALID'],
    ['an array', [], {}, 'MANIFEST_INVALID'],
    ['schema 1 by version', { schemaVersion: 1, name: 'x', fsLayers: [] }, {}, 'MANIFEST_UNSUPPORTED'],
    ['schema 1 by content type', image(), { contentType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' }, 'MANIFEST_UNSUPPORTED'],
    ['schemaVersion 3', image({ schemaVersion: 3 }), {}, 'MANIFEST_UNSUPPORTED'],
    ['schemaVersion missing', image({ schemaVersion: undefined }), {}, 'MANIFEST_UNSUPPORTED'],
    ['manifests and layers', image({ manifests: [] }), {}, 'MANIFEST_AMBIGUOUS'],
    ['manifests and config', { schemaVersion: 2, manifests: [], config: desc() }, { contentType: OCI_INDEX }, 'MANIFEST_AMBIGUOUS'],
    ['body vs content type', image(), { contentType: OCI_INDEX }, 'MANIFEST_MEDIA_TYPE_MISMATCH'],
    ['body vs expectation', image(), { expectedMediaType: DOCKER_MANIFEST }, 'MANIFEST_MEDIA_TYPE_MISMATCH'],
    ['content type vs expectation', { schemaVersion: 2, config: desc(), layers: [] }, { contentType: OCI_MANIFEST, expectedMediaType: OCI_INDEX }, 'MANIFEST_MEDIA_TYPE_MISMATCH'],
    ['unknown media type', image({ mediaType: 'application/vnd.evil+json' }), {}, 'MANIFEST_UNSUPPORTED'],
    ['index type without manifests', { schemaVersion: 2, mediaType: OCI_INDEX }, {}, 'MANIFEST_INVALID'],
    ['manifest without config', { schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }, {}, 'MANIFEST_INVALID'],
    ['layers not an array', image({ layers: {} }), {}, 'MANIFEST_INVALID'],
    ['negative size', image({ layers: [desc({ size: -1 })] }), {}, 'MANIFEST_INVALID'],
    ['size 2^62', image({ layers: [desc({ size: 2 ** 62 })] }), {}, 'MANIFEST_INVALID'],
    ['fractional size', image({ layers: [desc({ size: 1.5 })] }), {}, 'MANIFEST_INVALID'],
    ['size as string', image({ layers: [desc({ size: '3' })] }), {}, 'MANIFEST_INVALID'],
    ['digest traversal', image({ layers: [desc({ digest: 'sha256:../../x' })] }), {}, 'MANIFEST_INVALID'],
    ['uppercase digest', image({ layers: [desc({ digest: D.toUpperCase() })] }), {}, 'MANIFEST_INVALID'],
    ['annotation not a string', image({ annotations: { a: 1 } }), {}, 'MANIFEST_INVALID'],
    ['bad subject', image({ subject: { digest: 'x' } }), {}, 'MANIFEST_INVALID'],
  ];
  for (const [name, doc, options, code] of rejects) {
    it(`rejects ${name} with ${code}`, () => {
      assert.throws(() => parseManifest(Buffer.isBuffer(doc) ? doc : bytes(doc), options), (error: unknown) => {
        assert.ok(isBobError(error, code), String(error));
        assert.equal(error.errorClass, 'stalling');
        return true;
      });
    });
  }

  it('lists every bad field path at once', () => {
    assert.throws(() => parseManifest(bytes(image({ layers: [desc({ size: -1 }), desc({ digest: 'x' })] }))), /layers\[0\]\.size.*layers\[1\]\.digest/);
  });

  it('toDescriptor validates one descriptor', () => {
    assert.equal(toDescriptor(desc()).size, 3);
    assert.throws(() => toDescriptor(desc({ size: Number.MAX_SAFE_INTEGER + 2 })), (e: unknown) => isBobError(e, 'DESCRIPTOR_INVALID'));
  });
});
