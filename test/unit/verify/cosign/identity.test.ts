import assert from 'node:assert/strict';
import { X509Certificate } from '@sigstore/core';
import { compileIdentities, matchesIdentity, toCertificateIdentity } from '../../../../src/verify/cosign/identity.ts';
import { OID } from '../../../fixtures/sigstore/certificates.ts';
import { utf8String } from '../../../fixtures/sigstore/der.ts';
import { createTestPki } from '../../../fixtures/sigstore/pki.ts';
import { ISSUER } from './helpers.ts';

const pki = createTestPki();

describe('verify/cosign identity', () => {
  it('reads every SAN and the issuer (.1.8 preferred over .1.1)', () => {
    const leaf = pki.issueLeaf({
      sans: [{ email: 'dev@corp.com' }, { uri: 'https://github.com/corp/app/.github/workflows/release.yml@refs/heads/main' }, { dns: 'build.corp.com' }, { username: 'octo' }],
      issuer: ISSUER,
    });
    assert.deepEqual(toCertificateIdentity(X509Certificate.parse(leaf.pem)), {
      sans: ['dev@corp.com', 'https://github.com/corp/app/.github/workflows/release.yml@refs/heads/main', 'build.corp.com', 'octo'],
      issuer: ISSUER,
    });
    const v1Only = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], extensions: [{ oid: OID.issuerV1, value: Buffer.from('https://v1.test') }] });
    assert.equal(toCertificateIdentity(X509Certificate.parse(v1Only.pem)).issuer, 'https://v1.test');
    const both = pki.issueLeaf({
      sans: [{ email: 'dev@corp.com' }],
      extensions: [{ oid: OID.issuerV1, value: Buffer.from('https://v1.test') }, { oid: OID.issuerV2, value: utf8String('https://v2.test') }],
    });
    assert.equal(toCertificateIdentity(X509Certificate.parse(both.pem)).issuer, 'https://v2.test');
  });

  it('anchors regular expressions: .*@corp.com does not match x@corp.com.evil.io', () => {
    const identities = compileIdentities([{ subjectRegExp: '.*@corp.com', issuerRegExp: 'https://issuer\\.bob\\.test' }]);
    assert.equal(matchesIdentity(identities, { sans: ['x@corp.com'], issuer: ISSUER }), true);
    assert.equal(matchesIdentity(identities, { sans: ['x@corp.com.evil.io'], issuer: ISSUER }), false);
    assert.equal(matchesIdentity(identities, { sans: ['x@corp.com'], issuer: `${ISSUER}.evil.io` }), false);
    assert.equal(matchesIdentity(identities, { sans: ['x@corp.com'], issuer: undefined }), false);
    // An alternation is anchored as a whole, not just its first branch.
    const alternation = compileIdentities([{ subjectRegExp: 'a@corp.com|b@corp.com', issuer: ISSUER }]);
    assert.equal(matchesIdentity(alternation, { sans: ['b@corp.com.evil.io'], issuer: ISSUER }), false);
    assert.equal(matchesIdentity(alternation, { sans: ['b@corp.com'], issuer: ISSUER }), true);
  });

  it('matches exact values exactly, against any SAN, with any identity of the list', () => {
    const identities = compileIdentities([
      { subject: 'ops@corp.com', issuer: 'https://other.test' },
      { subject: 'dev@corp.com', issuer: ISSUER },
    ]);
    assert.equal(matchesIdentity(identities, { sans: ['https://ci.test', 'dev@corp.com'], issuer: ISSUER }), true);
    assert.equal(matchesIdentity(identities, { sans: ['ops@corp.com'], issuer: ISSUER }), false);
    assert.equal(matchesIdentity(identities, { sans: ['dev@corp.co'], issuer: ISSUER }), false);
  });
});
