import assert from 'node:assert/strict';
import {
  FLUX_REQUESTED_AT_ANNOTATION, hasContentConfigChanged, isReconcileRequested, parseOCIRepository, REQUESTED_AT_ANNOTATION,
  toArtifactRef, toObservedLayerSelector, toReconcileRequest, toRevision, toRevisionDigest, type OCIRepositoryRef,
  type OCIRepositorySpec, type OCIRepositoryStatus,
} from '../../../src/api/index.ts';

const DIGEST = `sha256:${'3b6c'.repeat(16)}`;

function specOf(extra: Record<string, unknown>): OCIRepositorySpec {
  return parseOCIRepository({
    metadata: { name: 'a', namespace: 'b' }, spec: { url: 'oci://r.io/a', interval: '5m', ...extra },
  }).object.spec;
}

describe('api: revisions and refs', () => {
  it('toRevision: <tag>@<digest> for tags, the digest alone for digest refs (Flux getRevision)', () => {
    assert.equal(toRevision('latest', DIGEST), `latest@${DIGEST}`);
    assert.equal(toRevision('6.1.6', DIGEST), `6.1.6@${DIGEST}`);
    assert.equal(toRevision(undefined, DIGEST), DIGEST);
  });

  it('toRevisionDigest: the text after the last @', () => {
    assert.equal(toRevisionDigest(`latest@${DIGEST}`), DIGEST);
    assert.equal(toRevisionDigest(DIGEST), DIGEST);
  });

  const cases: { name: string; ref: Record<string, unknown> | undefined; expected: unknown }[] = [
    { name: 'no ref: latest', ref: undefined, expected: { kind: 'tag', tag: 'latest' } },
    { name: 'empty ref: latest', ref: {}, expected: { kind: 'tag', tag: 'latest' } },
    { name: 'tag', ref: { tag: 'stable' }, expected: { kind: 'tag', tag: 'stable' } },
    { name: 'semver beats tag', ref: { tag: 'stable', semver: '1.x' }, expected: { kind: 'semver', semver: '1.x', range: '>=1.0.0 <2.0.0-0' } },
    { name: 'digest beats semver and tag', ref: { tag: 'stable', semver: '1.x', digest: DIGEST }, expected: { kind: 'digest', digest: DIGEST } },
  ];
  for (const { name, ref, expected } of cases) {
    it(`toArtifactRef: ${name}`, () => {
      const spec = specOf(ref === undefined ? {} : { ref });
      assert.deepEqual(toArtifactRef(spec.ref), expected);
    });
  }

  it('toArtifactRef keeps the semver filter', () => {
    const artifactRef = toArtifactRef(specOf({ ref: { semver: '>=1.0.0-0', semverFilter: '.*-rc.*' } }).ref);
    assert.ok(artifactRef.kind === 'semver');
    assert.equal(artifactRef.filter?.regexp.test('1.0.0-rc.1'), true);
  });

  it('toArtifactRef on a hand-made ref without a node-semver range falls back to the tag', () => {
    const ref: OCIRepositoryRef = { semver: '1.x', tag: 'v1' };
    assert.deepEqual(toArtifactRef(ref), { kind: 'tag', tag: 'v1' });
  });
});

describe('api: content configuration (Flux ociContentConfigChanged)', () => {
  const base: OCIRepositoryStatus = { observedGeneration: 1, conditions: [] };
  const cases: { name: string; spec: Record<string, unknown>; status: Partial<OCIRepositoryStatus>; changed: boolean }[] = [
    { name: 'nothing set, nothing observed', spec: {}, status: {}, changed: false },
    { name: 'ignore added', spec: { ignore: '*.md' }, status: {}, changed: true },
    { name: 'ignore removed', spec: {}, status: { observedIgnore: '*.md' }, changed: true },
    { name: 'ignore same', spec: { ignore: '*.md' }, status: { observedIgnore: '*.md' }, changed: false },
    { name: 'selector added', spec: { layerSelector: { mediaType: 'a/b' } }, status: {}, changed: true },
    { name: 'selector removed', spec: {}, status: { observedLayerSelector: { mediaType: 'a/b' } }, changed: true },
    { name: 'selector same, default operation written out', spec: { layerSelector: { mediaType: 'a/b', operation: 'extract' } },
      status: { observedLayerSelector: { mediaType: 'a/b' } }, changed: false },
    { name: 'operation changed', spec: { layerSelector: { mediaType: 'a/b', operation: 'copy' } },
      status: { observedLayerSelector: { mediaType: 'a/b', operation: 'extract' } }, changed: true },
    { name: 'media type changed', spec: { layerSelector: { mediaType: 'a/c' } },
      status: { observedLayerSelector: { mediaType: 'a/b', operation: 'extract' } }, changed: true },
  ];
  for (const { name, spec, status, changed } of cases) {
    it(name, () => {
      assert.equal(hasContentConfigChanged(specOf(spec), { ...base, ...status }), changed);
    });
  }

  it('records the selector with its operation', () => {
    assert.deepEqual(toObservedLayerSelector(specOf({ layerSelector: { mediaType: 'a/b' } })), { mediaType: 'a/b', operation: 'extract' });
    assert.equal(toObservedLayerSelector(specOf({})), undefined);
  });
});

describe('api: reconcile requests', () => {
  const cases: { name: string; annotations: Record<string, string>; token: string | undefined }[] = [
    { name: 'none', annotations: {}, token: undefined },
    { name: 'bob only', annotations: { [REQUESTED_AT_ANNOTATION]: 'a' }, token: 'a' },
    { name: 'Flux only', annotations: { [FLUX_REQUESTED_AT_ANNOTATION]: 'b' }, token: 'b' },
    { name: 'both, not times: bob\'s', annotations: { [REQUESTED_AT_ANNOTATION]: 'a', [FLUX_REQUESTED_AT_ANNOTATION]: 'b' }, token: 'a' },
    { name: 'both times, Flux later', annotations: {
      [REQUESTED_AT_ANNOTATION]: '2030-01-01T00:00:00Z', [FLUX_REQUESTED_AT_ANNOTATION]: '2030-01-01T00:00:01.5+00:00' },
    token: '2030-01-01T00:00:01.5+00:00' },
    { name: 'both times, bob later', annotations: {
      [REQUESTED_AT_ANNOTATION]: '2030-01-02T00:00:00Z', [FLUX_REQUESTED_AT_ANNOTATION]: '2030-01-01T00:00:00Z' },
    token: '2030-01-02T00:00:00Z' },
  ];
  for (const { name, annotations, token } of cases) {
    it(name, () => {
      assert.equal(toReconcileRequest(annotations), token);
    });
  }
  it('is requested until the token is echoed', () => {
    assert.equal(isReconcileRequested({ [FLUX_REQUESTED_AT_ANNOTATION]: 't1' }, undefined), true);
    assert.equal(isReconcileRequested({ [FLUX_REQUESTED_AT_ANNOTATION]: 't1' }, 't0'), true);
    assert.equal(isReconcileRequested({ [FLUX_REQUESTED_AT_ANNOTATION]: 't1' }, 't1'), false);
    assert.equal(isReconcileRequested({}, 't1'), false);
  });
});
