import assert from 'node:assert/strict';
import { isBobError } from '../../../../src/shared/index.ts';
import { parseCertificate } from '../../../../src/verify/notation/certificate.ts';
import {
  DistinguishedNameError, isSubsetOf, parseDistinguishedName, toCertificateSubject,
} from '../../../../src/verify/notation/distinguished-name.ts';
import { parseTrustPolicy, selectTrustPolicy } from '../../../../src/verify/notation/trust-policy.ts';
import { certificate, keyPair, KU, type NameSpec } from './pki.ts';

function dnError(name: string): string {
  try {
    parseDistinguishedName(name);
  } catch (error) {
    if (error instanceof DistinguishedNameError) return error.message;
    throw error;
  }
  return assert.fail(`expected ${name} to be refused`);
}

describe('verify/notation: distinguished names', () => {
  it('parses RFC 4514 names into a type → value map, S aliasing ST', () => {
    assert.deepEqual([...parseDistinguishedName('C=US, ST=WA, O=Acme Inc., CN=signer')], [['C', 'US'], ['ST', 'WA'], ['O', 'Acme Inc.'], ['CN', 'signer']]);
    assert.deepEqual(parseDistinguishedName('C=US,S=WA,O=acme').get('ST'), 'WA');
    assert.equal(parseDistinguishedName('C=US,ST=WA,O=Acme\\, Inc.').get('O'), 'Acme, Inc.');
    assert.equal(parseDistinguishedName('C=US,ST=WA,O=Acme\\2C Inc\\C3\\A9').get('O'), 'Acme, Incé');
    assert.equal(parseDistinguishedName('C=US,ST=WA,O=\\ padded\\ ').get('O'), ' padded ');
  });

  it('refuses "=#" anywhere (CVE-2023-25656), and hex values after spaces', () => {
    assert.match(dnError('C=US,ST=WA,O=#0403616263'), /does not support x509.subject identities containing "=#"/);
    assert.match(dnError('C=US,ST=WA,O=acme,CN=Bad=#CN'), /containing "=#"/);
    assert.match(dnError('C=US,ST=WA,O= #0403616263'), /hex-encoded/);
  });

  it('requires C, ST (or S) and O', () => {
    assert.match(dnError('ST=WA,O=acme'), /no mandatory RDN attribute for "C"/);
    assert.match(dnError('C=US,O=acme'), /no mandatory RDN attribute for "ST"/);
    assert.match(dnError('C=US,ST=WA,CN=x'), /no mandatory RDN attribute for "O"/);
    assert.match(dnError('c=US,st=WA,o=acme'), /no mandatory RDN attribute for "C"/);
  });

  it('refuses multi-valued RDNs, duplicate types (also via S/ST) and malformed text', () => {
    assert.match(dnError('C=US,ST=WA,O=acme+OU=dev'), /multi-valued RDN/);
    assert.match(dnError('C=US,ST=WA,O=a,O=b'), /duplicate RDN attribute for "O"/);
    assert.match(dnError('C=US,ST=WA,S=OR,O=a'), /duplicate RDN attribute for "ST"/);
    assert.match(dnError('C=US,ST=WA,O'), /without "="/);
    assert.match(dnError('C=US,ST=WA,O=a,'), /empty attribute after a separator/);
    assert.match(dnError('C=US,ST=WA,O=a\\q'), /invalid escape/);
    assert.match(dnError('C=US;ST=WA,O=a'), /unescaped ";"/);
    assert.match(dnError('1 2=US,ST=WA,O=a'), /invalid attribute type/);
    assert.match(dnError(''), /without "="/);
  });

  it('computes a certificate subject as notation does (Go Subject.String re-parsed)', () => {
    const subjectOf = (spec: NameSpec) => toCertificateSubject(parseCertificate(certificate({ subject: spec, key: keyPair('p256#dn'), keyUsage: { bits: [KU.digitalSignature] } }).der));
    assert.deepEqual(Object.fromEntries(subjectOf([['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['CN', 'a, b']])), { C: 'US', ST: 'WA', O: 'Acme', CN: 'a, b' });
    assert.throws(() => subjectOf([['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['EMAIL', 'a@acme.test']]), /=#/);
    assert.throws(() => subjectOf([['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['OU', 'a'], ['OU', 'b']]), /multi-valued RDN/);
    assert.throws(() => subjectOf([['C', 'US'], ['O', 'Acme'], ['CN', 'x']]), /no mandatory RDN attribute for "ST"/);
  });

  it('matches a policy name that is a subset of the subject, case-sensitively', () => {
    const subject = parseDistinguishedName('C=US,ST=WA,L=Seattle,O=Acme,CN=signer');
    assert.ok(isSubsetOf(parseDistinguishedName('C=US,ST=WA,O=Acme'), subject));
    assert.ok(isSubsetOf(parseDistinguishedName('CN=signer,O=Acme,ST=WA,C=US'), subject));
    assert.ok(!isSubsetOf(parseDistinguishedName('C=US,ST=WA,O=acme'), subject));
    assert.ok(!isSubsetOf(parseDistinguishedName('C=US,ST=WA,O=Acme,OU=dev'), subject));
  });
});

interface Statement {
  name?: unknown;
  registryScopes?: unknown;
  signatureVerification?: unknown;
  trustStores?: unknown;
  trustedIdentities?: unknown;
}

const BASE: Statement = {
  name: 'p', registryScopes: ['registry.example.com/ns/repo'], signatureVerification: { level: 'strict' },
  trustStores: ['ca:acme'], trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme'],
};

function policyError(document: unknown): string {
  try {
    parseTrustPolicy(JSON.stringify(document));
  } catch (error) {
    if (isBobError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  return assert.fail('expected the policy to be refused');
}

const withStatements = (...statements: Statement[]): unknown => ({ version: '1.0', trustPolicies: statements });

describe('verify/notation: trust policy validation', () => {
  it('accepts a complete policy and computes the level actions', () => {
    const document = parseTrustPolicy(JSON.stringify(withStatements(
      BASE,
      { ...BASE, name: 'q', registryScopes: ['*'], signatureVerification: { level: 'permissive', override: { revocation: 'skip', authenticity: 'log' }, verifyTimestamp: 'afterCertExpiry' }, trustStores: ['ca:acme', 'tsa:ts'], trustedIdentities: ['*'] },
      { name: 'r', registryScopes: ['localhost:5000/skip/me'], signatureVerification: { level: 'skip' } },
    )));
    const [strict, permissive, skip] = document.trustPolicies;
    assert.ok(strict !== undefined && permissive !== undefined && skip !== undefined);
    assert.deepEqual(strict.actions, { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' });
    assert.deepEqual(permissive.actions, { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'skip' });
    assert.equal(permissive.verifyTimestamp, 'afterCertExpiry');
    assert.equal(strict.verifyTimestamp, 'always');
    assert.deepEqual(permissive.trustStores, [{ type: 'ca', name: 'acme' }, { type: 'tsa', name: 'ts' }]);
    assert.equal(skip.level, 'skip');
    assert.equal(selectTrustPolicy(document, 'registry.example.com/ns/repo')?.name, 'p');
    assert.equal(selectTrustPolicy(document, 'registry.example.com/ns/other')?.name, 'q');
    assert.equal(selectTrustPolicy(document, 'localhost:5000/skip/me')?.name, 'r');
    // Exact string, no normalization.
    assert.equal(selectTrustPolicy(document, 'REGISTRY.example.com/ns/repo')?.name, 'q');
  });

  it('ignores unknown members like Go, but refuses duplicate keys', () => {
    parseTrustPolicy(JSON.stringify({ ...withStatements({ ...BASE, comment: 'x' } as Statement) as object, extra: 1 }));
    assert.throws(() => parseTrustPolicy('{"version":"1.0","version":"1.0","trustPolicies":[]}'), /duplicate key "version"/);
    assert.throws(() => parseTrustPolicy('{'), /not valid JSON/);
    assert.throws(() => parseTrustPolicy(''), /not valid JSON/);
  });

  const cases: [string, unknown, RegExp][] = [
    ['not an object', [], /must be a JSON object/],
    ['a wrong version', { version: '2.0', trustPolicies: [BASE] }, /unsupported version "2.0"/],
    ['a missing version', { trustPolicies: [BASE] }, /unsupported version ""/],
    ['zero statements', { version: '1.0', trustPolicies: [] }, /zero trust policy statements/],
    ['a statement without a name', withStatements({ ...BASE, name: '' }), /missing its "name"/],
    ['duplicate names', withStatements(BASE, { ...BASE, registryScopes: ['registry.example.com/other'] }), /same name "p"/],
    ['an unknown level', withStatements({ ...BASE, signatureVerification: { level: 'lenient' } }), /level "lenient" is invalid/],
    ['no signatureVerification', withStatements({ ...BASE, signatureVerification: undefined }), /level "" is invalid/],
    ['an integrity override', withStatements({ ...BASE, signatureVerification: { level: 'strict', override: { integrity: 'log' } } }), /"integrity" validation cannot be overridden/],
    ['an unknown override type', withStatements({ ...BASE, signatureVerification: { level: 'strict', override: { freshness: 'log' } } }), /unknown validation type "freshness"/],
    ['an unknown override action', withStatements({ ...BASE, signatureVerification: { level: 'strict', override: { expiry: 'warn' } } }), /unknown validation action "warn"/],
    ['skipping authenticity', withStatements({ ...BASE, signatureVerification: { level: 'strict', override: { authenticity: 'skip' } } }), /authenticity validation cannot be skipped/],
    ['overriding a skip level', withStatements({ name: 's', registryScopes: ['*'], signatureVerification: { level: 'skip', override: { revocation: 'log' } } }), /"skip" cannot be overridden/],
    ['an invalid verifyTimestamp', withStatements({ ...BASE, signatureVerification: { level: 'strict', verifyTimestamp: 'never' } }), /verifyTimestamp "never" is invalid/],
    ['no trust stores', withStatements({ ...BASE, trustStores: [] }), /missing trust stores or trusted identities/],
    ['no trusted identities', withStatements({ ...BASE, trustedIdentities: undefined }), /missing trust stores or trusted identities/],
    ['skip with trust stores', withStatements({ name: 's', registryScopes: ['*'], signatureVerification: { level: 'skip' }, trustStores: ['ca:acme'] }), /skip signature verification but configured with trust stores/],
    ['skip with identities', withStatements({ name: 's', registryScopes: ['*'], signatureVerification: { level: 'skip' }, trustedIdentities: ['*'] }), /skip signature verification but configured with trust stores/],
    ['an unknown trust store type', withStatements({ ...BASE, trustStores: ['x509:acme'] }), /must be "ca:<name>"/],
    ['a trust store without a type', withStatements({ ...BASE, trustStores: ['acme'] }), /must be "ca:<name>"/],
    ['a bad trust store name', withStatements({ ...BASE, trustStores: ['ca:ac/me'] }), /invalid name/],
    ['wildcard identity with others', withStatements({ ...BASE, trustedIdentities: ['*', 'x509.subject: C=US, ST=WA, O=Acme'] }), /wildcard identity cannot be used in conjunction/],
    ['an identity without prefix', withStatements({ ...BASE, trustedIdentities: ['C=US, ST=WA, O=Acme'] }), /has no identity prefix|unsupported prefix/],
    ['an unsupported identity prefix', withStatements({ ...BASE, trustedIdentities: ['x509.san: acme.test'] }), /unsupported prefix "x509.san"/],
    ['an empty identity', withStatements({ ...BASE, trustedIdentities: [''] }), /empty trusted identity/],
    ['an identity with "=#"', withStatements({ ...BASE, trustedIdentities: ['x509.subject: C=US, ST=WA, O=#0403616263'] }), /"=#"/],
    ['an identity missing O', withStatements({ ...BASE, trustedIdentities: ['x509.subject: C=US, ST=WA'] }), /no mandatory RDN attribute for "O"/],
    ['overlapping identities', withStatements({ ...BASE, trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme', 'x509.subject: C=US, ST=WA, O=Acme, CN=signer'] }), /overlapping x509 trustedIdentities/],
    ['zero registry scopes', withStatements({ ...BASE, registryScopes: [] }), /zero registry scopes/],
    ['wildcard scope with others', withStatements({ ...BASE, registryScopes: ['*', 'registry.example.com/ns/repo'] }), /wildcard scope cannot be used in conjunction/],
    ['a scope in two statements', withStatements(BASE, { ...BASE, name: 'q' }), /present in multiple trust policy statements/],
    ['two wildcard statements', withStatements({ ...BASE, registryScopes: ['*'] }, { ...BASE, name: 'q', registryScopes: ['*'] }), /registry scope "\*" is present in multiple/],
    ['a scope with a tag', withStatements({ ...BASE, registryScopes: ['registry.example.com/ns/repo:v1'] }), /is not valid/],
    ['a scope with a digest', withStatements({ ...BASE, registryScopes: [`registry.example.com/ns/repo@sha256:${'a'.repeat(64)}`] }), /is not valid/],
    ['a scope with a partial wildcard', withStatements({ ...BASE, registryScopes: ['registry.example.com/ns/*'] }), /is not valid/],
    ['a scope without a repository', withStatements({ ...BASE, registryScopes: ['registry.example.com'] }), /is not valid/],
    ['a scope with upper-case repository', withStatements({ ...BASE, registryScopes: ['registry.example.com/NS/repo'] }), /is not valid/],
    ['a non-array scope list', withStatements({ ...BASE, registryScopes: 'registry.example.com/ns/repo' }), /"registryScopes" must be an array of strings/],
  ];
  for (const [what, document, pattern] of cases) {
    it(`refuses ${what}`, () => {
      const message = policyError(document);
      assert.match(message, /^invalid trust policy: /);
      assert.match(message, pattern);
    });
  }

  it('reports every problem at once', () => {
    const message = policyError(withStatements({ ...BASE, trustStores: ['x:y'], trustedIdentities: ['x509.subject: C=US'] }));
    assert.match(message, /must be "ca:<name>"/);
    assert.match(message, /no mandatory RDN attribute for "ST"/);
  });

  it('accepts IPv4/port and localhost scopes', () => {
    parseTrustPolicy(JSON.stringify(withStatements({ ...BASE, registryScopes: ['127.0.0.1:5000/a/b', 'localhost/a', 'registry-1.example.com:443/a_b/c.d'] })));
  });
});
