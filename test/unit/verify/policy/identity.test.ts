// Docker reference normalisation and signedIdentity matching, as
// containers/image does them (docker/reference, signature/policy_reference_match.go;
// research/signatures.md §1.4). Tables follow the upstream conformance
// tables' cases: symmetric exact and repository tables, the asymmetric
// matchRepoDigestOrExact cases, and remapIdentity edge cases.
import assert from 'node:assert/strict';
import {
  DockerReferenceError, isNameOnly, parseNamed, parseNormalizedNamed, toReferenceName, toReferenceString,
} from '../../../../src/verify/policy/docker-reference.ts';
import { matchesRemapPrefix, matchesSignedIdentity, remapReference } from '../../../../src/verify/policy/identity-match.ts';
import type { SignedIdentity } from '../../../../src/verify/policy/index.ts';

const RHEL = 'registry.access.redhat.com/rhel7/rhel:7.2.3';
const RHEL_UNTAGGED = 'registry.access.redhat.com/rhel7/rhel';
const D1 = `@sha256:${'0123456789abcdef'.repeat(4)}`;
const D2 = `@sha256:${'a'.repeat(64)}`;

describe('verify/policy docker references', () => {
  const NORMALIZED: readonly (readonly [string, string, string])[] = [
    ['busybox', 'docker.io/library/busybox', 'docker.io/library/busybox'],
    ['busybox:latest', 'docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['library/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox'],
    ['index.docker.io/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox'],
    ['index.docker.io/user/app:1', 'docker.io/user/app', 'docker.io/user/app:1'],
    ['docker.io/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox'],
    // containers/image keeps registry-1.docker.io as written (src/oci maps it; this module must not).
    ['registry-1.docker.io/busybox', 'registry-1.docker.io/busybox', 'registry-1.docker.io/busybox'],
    ['localhost/app', 'localhost/app', 'localhost/app'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b', 'localhost:5000/a/b:tag'],
    ['user/app', 'docker.io/user/app', 'docker.io/user/app'],
    ['Example.COM/app', 'Example.COM/app', 'Example.COM/app'],
    [`busybox:v1${D1}`, 'docker.io/library/busybox', `docker.io/library/busybox:v1${D1}`],
    [`reg.io/a@sha384:${'b'.repeat(96)}`, 'reg.io/a', `reg.io/a@sha384:${'b'.repeat(96)}`],
    ['a.b/c__d', 'a.b/c__d', 'a.b/c__d'],
    ['a.b/c--d.e_f', 'a.b/c--d.e_f', 'a.b/c--d.e_f'],
  ];
  for (const [input, name, text] of NORMALIZED) {
    it(`normalises ${input}`, () => {
      const reference = parseNormalizedNamed(input);
      assert.equal(toReferenceName(reference), name);
      assert.equal(toReferenceString(reference), text);
    });
  }

  const INVALID: readonly (readonly [string, RegExp])[] = [
    ['', /invalid reference format/],
    ['Foo/bar', /must be lowercase/], // an uppercase first component is not a domain for containers/image (skopeo 1.19)
    ['foo/Bar', /must be lowercase/],
    ['LOCALHOST/x', /must be lowercase/],
    ['UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', /must be lowercase/],
    ['[::1]:5000/foo', /invalid reference format/],
    ['<a>.b/c', /invalid reference format/],
    ['a.b/c___d', /invalid reference format/],
    ['a.b/c.-d', /invalid reference format/],
    ['a.b/c:', /invalid reference format/],
    ['a.b/c/', /invalid reference format/],
    ['0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', /cannot specify 64-byte hexadecimal strings/],
    [`a@sha256:${'A'.repeat(64)}`, /invalid checksum digest format/],
    [`a@sha256:${'a'.repeat(63)}`, /invalid checksum digest format/],
    [`a@md5:${'a'.repeat(32)}`, /unsupported digest algorithm/],
    [`a.b/${'x'.repeat(252)}`, /not be more than 255 characters/],
    [`a:${'t'.repeat(129)}`, /invalid reference format/],
  ];
  for (const [input, message] of INVALID) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
      assert.throws(() => parseNormalizedNamed(input), (error: unknown) => error instanceof DockerReferenceError && message.test(error.message));
    });
  }

  it('ParseNamed refuses non-canonical input', () => {
    assert.equal(toReferenceString(parseNamed('not-docker-signed.example/library/busybox')), 'not-docker-signed.example/library/busybox');
    assert.throws(() => parseNamed('busybox'), /must be canonical/);
    assert.throws(() => parseNamed('notlocalhost:tag'), /must be canonical/);
    assert.throws(() => parseNamed(`vendor.example:5000${D1}`), /must be canonical/);
    assert.ok(isNameOnly(parseNamed('docker.io/library/busybox')));
  });
});

/** Symmetric tables: [refA, refB, matches]. */
const EXACT_TABLE: readonly (readonly [string, string, boolean])[] = [
  ['busybox:latest', 'busybox:latest', true],
  [RHEL, RHEL, true],
  [`busybox${D1}`, `busybox${D1}`, true],
  ['library/busybox:latest', 'busybox:latest', true],
  ['docker.io/library/busybox:latest', 'busybox:latest', true],
  ['index.docker.io/library/busybox:latest', 'busybox:latest', true],
  [`library/busybox${D1}`, `busybox${D1}`, true],
  ['busybox:latest', 'busybox:notlatest', false],
  ['busybox:latest', 'notbusybox:latest', false],
  ['busybox:latest', 'hostname/library/busybox:notlatest', false],
  ['hostname/library/busybox:latest', 'busybox:notlatest', false],
  ['busybox:latest', RHEL, false],
  [`busybox${D1}`, `notbusybox${D1}`, false],
  ['busybox:latest', `busybox${D1}`, false],
  [`busybox${D1}`, `busybox${D2}`, false],
  ['busybox', 'busybox:latest', false],
  ['busybox', `busybox${D1}`, false],
  ['busybox', 'busybox', false],
  [`busybox:latest${D1}`, `busybox:latest${D1}`, true],
  [`busybox:latest${D1}`, `busybox:latest${D2}`, false],
  [`busybox:latest${D1}`, `busybox:notlatest${D1}`, false],
  [`busybox:latest${D1}`, `busybox${D1}`, false],
  [`busybox:latest${D1}`, 'busybox:latest', false],
  ['UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', 'busybox:latest', false],
  ['', 'UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', false],
  ['INVALID', 'INVALID', false],
];

const REPOSITORY_TABLE: readonly (readonly [string, string, boolean])[] = [
  ['busybox:latest', 'busybox:latest', true],
  [RHEL, RHEL, true],
  [`busybox${D1}`, `busybox${D1}`, true],
  ['library/busybox:latest', 'busybox:latest', true],
  ['docker.io/library/busybox:latest', 'busybox:latest', true],
  [`library/busybox${D1}`, `busybox${D1}`, true],
  ['busybox:latest', 'busybox:notlatest', true],
  [`${RHEL}tagsuffix`, RHEL, true],
  ['library/busybox:latest', 'busybox:notlatest', true],
  ['busybox:latest', 'library/busybox:notlatest', true],
  ['docker.io/library/busybox:notlatest', 'busybox:latest', true],
  ['busybox:latest', `busybox${D1}`, true],
  [`busybox${D1}`, `busybox${D2}`, true],
  ['busybox', 'busybox:notlatest', true],
  [RHEL, RHEL_UNTAGGED, true],
  ['busybox', `busybox${D1}`, true],
  ['library/busybox', 'busybox', true],
  ['docker.io/library/busybox', 'busybox', true],
  ['busybox:latest', 'notbusybox:latest', false],
  ['hostname/library/busybox:latest', 'busybox:notlatest', false],
  ['busybox:latest', RHEL, false],
  [`busybox${D1}`, `notbusybox${D1}`, false],
  [`busybox:latest${D1}`, `busybox:latest${D2}`, true],
  [`busybox:latest${D1}`, 'busybox:latest', true],
  ['UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', 'busybox:latest', false],
  ['', 'UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', false],
  ['INVALID', 'INVALID', false],
];

/** matchRepoDigestOrExact's asymmetric cases: [image, signature, matches]. */
const REPO_DIGEST_OR_EXACT: readonly (readonly [string, string, boolean])[] = [
  ['busybox:latest', 'busybox:notlatest', false],
  [`${RHEL}tagsuffix`, RHEL, false],
  ['library/busybox:latest', 'busybox:notlatest', false],
  ['docker.io/library/busybox:notlatest', 'busybox:latest', false],
  ['busybox', 'busybox:latest', false],
  ['busybox:latest', 'busybox', false],
  ['busybox', `busybox${D1}`, false],
  [`busybox${D1}`, 'busybox', false],
  [RHEL, RHEL_UNTAGGED, false],
  ['busybox', 'busybox', false],
  ['busybox:latest', `busybox${D1}`, false],
  [`busybox${D1}`, 'busybox:latest', true],
  [`busybox${D1}`, `busybox${D2}`, true],
  [`busybox:latest${D1}`, 'busybox:latest', false],
  [`busybox:latest${D1}`, 'busybox:notlatest', false],
  ['busybox:latest', `busybox:latest${D1}`, false],
  [`busybox:latest${D1}`, `busybox:latest${D2}`, false],
];

function imageMatch(identity: SignedIdentity, image: string, signature: string): boolean | undefined {
  let intended;
  try {
    intended = parseNormalizedNamed(image);
  } catch {
    return undefined; // An image reference that does not parse cannot occur (upstream skips these rows too).
  }
  return matchesSignedIdentity(identity, intended, signature);
}

function checkTable(identity: SignedIdentity, table: readonly (readonly [string, string, boolean])[], symmetric: boolean): void {
  for (const [a, b, expected] of table) {
    for (const [image, signature] of symmetric ? [[a, b], [b, a]] as const : [[a, b]] as const) {
      const result = imageMatch(identity, image, signature);
      if (result !== undefined) assert.equal(result, expected, `${identity.type}: image ${image} vs signature ${signature}`);
    }
  }
}

describe('verify/policy signedIdentity matching', () => {
  it('matchExact follows the exact-match table', () => { checkTable({ type: 'matchExact' }, EXACT_TABLE, true); });
  it('matchRepository follows the repository table', () => { checkTable({ type: 'matchRepository' }, REPOSITORY_TABLE, true); });
  it('matchRepoDigestOrExact accepts what matchExact accepts, rejects what matchRepository rejects, and the asymmetric cases', () => {
    checkTable({ type: 'matchRepoDigestOrExact' }, EXACT_TABLE.filter(([, , ok]) => ok), true);
    checkTable({ type: 'matchRepoDigestOrExact' }, REPOSITORY_TABLE.filter(([, , ok]) => !ok), true);
    checkTable({ type: 'matchRepoDigestOrExact' }, REPO_DIGEST_OR_EXACT, false);
  });
  it('exactReference compares against the configured reference, ignoring the image', () => {
    for (const [a, b, expected] of EXACT_TABLE) {
      assert.equal(matchesSignedIdentity({ type: 'exactReference', dockerReference: a }, undefined, b), expected, `${a} vs ${b}`);
      assert.equal(matchesSignedIdentity({ type: 'exactReference', dockerReference: b }, parseNormalizedNamed('other:tag'), a), expected, `${b} vs ${a}`);
    }
  });
  it('exactRepository compares repositories against the configured one', () => {
    for (const [a, b, expected] of REPOSITORY_TABLE) {
      assert.equal(matchesSignedIdentity({ type: 'exactRepository', dockerRepository: a }, undefined, b), expected, `${a} vs ${b}`);
      assert.equal(matchesSignedIdentity({ type: 'exactRepository', dockerRepository: b }, undefined, a), expected, `${b} vs ${a}`);
    }
  });
  it('an image without a docker identity matches no image-relative identity', () => {
    for (const type of ['matchExact', 'matchRepoDigestOrExact', 'matchRepository'] as const) {
      assert.equal(matchesSignedIdentity({ type }, undefined, 'busybox:latest'), false);
    }
    assert.equal(matchesSignedIdentity({ type: 'remapIdentity', prefix: 'docker.io', signedPrefix: 'x.example' }, undefined, 'busybox:latest'), false);
  });
  it('the default identity never accepts a cosign-style repository-only signature', () => {
    const repositoryOnly = 'reg.example/app';
    assert.equal(imageMatch({ type: 'matchRepoDigestOrExact' }, 'reg.example/app:v1', repositoryOnly), false);
    assert.equal(imageMatch({ type: 'matchRepoDigestOrExact' }, `reg.example/app${D1}`, repositoryOnly), false);
    assert.equal(imageMatch({ type: 'matchRepository' }, 'reg.example/app:v1', repositoryOnly), true);
    // cosign spells Docker Hub index.docker.io: it normalises to docker.io.
    assert.equal(imageMatch({ type: 'matchRepository' }, 'busybox:latest', 'index.docker.io/library/busybox'), true);
  });
});

describe('verify/policy remapIdentity', () => {
  const PREFIX_MATCHES: readonly (readonly [string, string, boolean])[] = [
    ['docker.io/library/busybox:latest', 'docker.io', true],
    ['docker.io/library/busybox:latest', 'docker.io/library', true],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox', true],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybo', false],
    ['docker.io/libraryy/image:latest', 'docker.io/library', false],
    ['example.com:5000/image:latest', 'example.com', false],
    ['example.com:5000/image:latest', 'example.com:5000', true],
    ['example.com/image:latest', 'example.com:5000', false],
    ['example.com/ns/image:latest', 'example.com/ns', true],
    [`example.com/ns/image${D1}`, 'example.com/ns/image', true],
    ['example.com/ns/image:latest', 'example.com/ns/image:latest', false],
  ];
  for (const [reference, prefix, expected] of PREFIX_MATCHES) {
    it(`${reference} ${expected ? 'matches' : 'does not match'} prefix ${prefix}`, () => {
      assert.equal(matchesRemapPrefix(parseNormalizedNamed(reference), prefix), expected);
    });
  }

  const REMAPS: readonly (readonly [string, string, string, string | undefined])[] = [
    ['busybox', 'docker.io', 'not-docker-signed.example', 'not-docker-signed.example/library/busybox'],
    ['busybox:latest', 'docker.io/library', 'not-docker-signed.example/ns', 'not-docker-signed.example/ns/busybox:latest'],
    ['private-mirror:5000/vendor-mirror/app:v1', 'private-mirror:5000/vendor-mirror', 'vendor.example.com', 'vendor.example.com/app:v1'],
    [`private-mirror:5000/vendor-mirror/app${D1}`, 'private-mirror:5000/vendor-mirror', 'vendor.example.com/x', `vendor.example.com/x/app${D1}`],
    ['unrelated.example/app:v1', 'docker.io', 'x.example', 'unrelated.example/app:v1'],
    // Remapping a whole repository to a bare host leaves no repository: not canonical, an error upstream.
    [`example.com/app${D1}`, 'example.com/app', 'vendor.example:5000', undefined],
    ['localhost/app:tag', 'localhost/app', 'notlocalhost', undefined],
  ];
  for (const [reference, prefix, signedPrefix, expected] of REMAPS) {
    it(`remaps ${reference} with ${prefix} → ${signedPrefix}`, () => {
      const remapped = remapReference(parseNormalizedNamed(reference), prefix, signedPrefix);
      assert.equal(remapped === undefined ? undefined : toReferenceString(remapped), expected);
    });
  }

  it('matches the remapped reference with matchRepoDigestOrExact semantics', () => {
    const identity: SignedIdentity = { type: 'remapIdentity', prefix: 'private-mirror:5000/vendor-mirror', signedPrefix: 'vendor.example.com' };
    const mirror = parseNormalizedNamed('private-mirror:5000/vendor-mirror/app:v1');
    assert.equal(matchesSignedIdentity(identity, mirror, 'vendor.example.com/app:v1'), true);
    assert.equal(matchesSignedIdentity(identity, mirror, 'vendor.example.com/app:v2'), false);
    assert.equal(matchesSignedIdentity(identity, mirror, 'private-mirror:5000/vendor-mirror/app:v1'), false);
    assert.equal(matchesSignedIdentity(identity, mirror, 'vendor.example.com/app'), false);
    const pinned = parseNormalizedNamed(`private-mirror:5000/vendor-mirror/app${D1}`);
    assert.equal(matchesSignedIdentity(identity, pinned, 'vendor.example.com/app:anything'), true);
    // Not under the prefix: matched unchanged.
    const other = parseNormalizedNamed('other.example/app:v1');
    assert.equal(matchesSignedIdentity(identity, other, 'other.example/app:v1'), true);
    // A remap that fails to parse is no match, never an error.
    const broken: SignedIdentity = { type: 'remapIdentity', prefix: 'localhost/app', signedPrefix: 'notlocalhost' };
    assert.equal(matchesSignedIdentity(broken, parseNormalizedNamed('localhost/app:tag'), 'docker.io/library/notlocalhost:tag'), false);
  });
});
