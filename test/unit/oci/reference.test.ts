import assert from 'node:assert/strict';
import { formatReference, parseReference, toManifestReference, toRegistryEndpoint } from '../../../src/oci/index.ts';
import { isBobError } from '../../../src/shared/index.ts';

const HEX = 'a'.repeat(64);

describe('oci/reference', () => {
  describe('parseReference accepts', () => {
    const cases: [string, string, string, string | undefined, string | undefined][] = [
      ['alpine', 'docker.io', 'library/alpine', undefined, undefined],
      ['alpine:3.20', 'docker.io', 'library/alpine', '3.20', undefined],
      ['docker.io/alpine', 'docker.io', 'library/alpine', undefined, undefined],
      ['index.docker.io/library/alpine', 'docker.io', 'library/alpine', undefined, undefined],
      ['registry-1.docker.io/foo/bar', 'docker.io', 'foo/bar', undefined, undefined],
      ['user/app:v1', 'docker.io', 'user/app', 'v1', undefined],
      ['ghcr.io/org/app:v1.2.3', 'ghcr.io', 'org/app', 'v1.2.3', undefined],
      ['oci://ghcr.io/org/app:v1', 'ghcr.io', 'org/app', 'v1', undefined],
      ['localhost/app', 'localhost', 'app', undefined, undefined],
      ['localhost:5000/a/b/c', 'localhost:5000', 'a/b/c', undefined, undefined],
      ['127.0.0.1:5000/app@sha256:' + HEX, '127.0.0.1:5000', 'app', undefined, 'sha256:' + HEX],
      ['[::1]:5000/app:tag', '[::1]:5000', 'app', 'tag', undefined],
      [`r.example/app:v1@sha256:${HEX}`, 'r.example', 'app', 'v1', `sha256:${HEX}`],
      [`r.example/app@sha512:${'b'.repeat(128)}`, 'r.example', 'app', undefined, `sha512:${'b'.repeat(128)}`],
      ['r.example/a__b/c-d/e.f/g--h:T_a-g.1', 'r.example', 'a__b/c-d/e.f/g--h', 'T_a-g.1', undefined],
      ['Registry.Example:443/app', 'Registry.Example:443', 'app', undefined, undefined],
      [`r.example/app:${'t'.repeat(128)}`, 'r.example', 'app', 't'.repeat(128), undefined],
    ];
    for (const [input, registry, repository, tag, digest] of cases) {
      it(input.slice(0, 80), () => {
        const ref = parseReference(input);
        assert.equal(ref.registry, registry);
        assert.equal(ref.repository, repository);
        assert.equal(ref.tag, tag);
        assert.equal(ref.digest, digest);
      });
    }
  });

  describe('parseReference rejects with REFERENCE_INVALID', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['oci://', /empty/],
      ['https://ghcr.io/app', /oci:\/\//],
      ['ghcr.io/Org/App', /lowercase/],
      ['ghcr.io/app:', /tag/],
      [`ghcr.io/app:${'t'.repeat(129)}`, /longer than 128/],
      ['ghcr.io/app:-tag', /tag/],
      ['ghcr.io/app:.tag', /tag/],
      ['ghcr.io/app@sha256:abc', /digest/],
      [`ghcr.io/app@sha256:${'A'.repeat(64)}`, /digest/],
      [`ghcr.io/app@md5:${'a'.repeat(32)}`, /digest/],
      [`ghcr.io/app@sha256:${'a'.repeat(63)}`, /digest/],
      ['ghcr.io/app@sha256:../../etc', /digest/],
      ['ghcr.io/', /repository/],
      ['ghcr.io//app', /repository/],
      ['ghcr.io/app/', /repository/],
      ['ghcr.io/-app', /repository/],
      ['ghcr.io/a..b', /repository/],
      ['ghcr.io/a b', /repository/],
      ['-bad.example/app', /domain/],
      [`r.example/${'a'.repeat(250)}`, /longer than 255/],
      ['r.example/app?x=1', /.*/],
    ];
    for (const [input, reason] of cases) {
      it(JSON.stringify(input.slice(0, 60)), () => {
        assert.throws(() => parseReference(input), (error: unknown) => {
          assert.ok(isBobError(error, 'REFERENCE_INVALID'), String(error));
          assert.equal(error.errorClass, 'stalling');
          assert.match(error.message, reason);
          return true;
        });
      });
    }
  });

  it('formats and picks the manifest reference', () => {
    const ref = parseReference(`r.example/app:v1@sha256:${HEX}`);
    assert.equal(formatReference(ref), `r.example/app:v1@sha256:${HEX}`);
    assert.equal(toManifestReference(ref), `sha256:${HEX}`);
    assert.equal(toManifestReference(parseReference('r.example/app:v1')), 'v1');
    assert.equal(toManifestReference(parseReference('r.example/app')), 'latest');
  });

  it('maps Docker Hub to its API endpoint', () => {
    assert.equal(toRegistryEndpoint('docker.io'), 'registry-1.docker.io');
    assert.equal(toRegistryEndpoint('index.docker.io'), 'registry-1.docker.io');
    assert.equal(toRegistryEndpoint('ghcr.io'), 'ghcr.io');
  });
  it('masks credentials typed into a reference and says why it is refused', () => {
    for (const input of ['oci://alice:s3cretPass@ghcr.io/team/app:v1', 'alice:s3cretPass@ghcr.io/team/app']) {
      assert.throws(() => parseReference(input), (error: Error) => {
        assert.doesNotMatch(error.message, /s3cretPass|alice/);
        assert.match(error.message, /credentials do not belong in a reference/);
        return true;
      });
    }
    assert.equal(parseReference(`alpine@sha256:${'a'.repeat(64)}`).digest, `sha256:${'a'.repeat(64)}`);
  });
});
