import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBobError } from '../../../../src/shared/index.ts';
import { evaluateSignature, type Evaluation } from '../../../../src/verify/notation/evaluate.ts';
import { parseTrustPolicy, type TrustPolicyStatement } from '../../../../src/verify/notation/trust-policy.ts';
import { loadTrustStore, readTrustStoreDirectory, type TrustStore } from '../../../../src/verify/notation/trust-store.ts';
import { makeCose, makeJws, payloadFor, SUBJECT } from './envelopes.ts';
import { certificate, codeSigningChain, keyPair, KU } from './pki.ts';

const good = codeSigningChain();
const stranger = codeSigningChain({ rootKey: 'p256#stranger', root: { subject: [['C', 'US'], ['ST', 'WA'], ['O', 'Stranger'], ['CN', 'Stranger Root']] } });
const expired = codeSigningChain({ rootCertificate: good.root, leaf: { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) } });

function statementOf(level: string, options: { override?: Record<string, string>; identities?: string[]; stores?: string[] } = {}): TrustPolicyStatement {
  const document = parseTrustPolicy(JSON.stringify({
    version: '1.0',
    trustPolicies: [{
      name: 'p', registryScopes: ['*'],
      signatureVerification: { level, ...(options.override === undefined ? {} : { override: options.override }) },
      trustStores: options.stores ?? ['ca:acme'], trustedIdentities: options.identities ?? ['x509.subject: C=US, ST=WA, O=Acme'],
    }],
  }));
  const [statement] = document.trustPolicies;
  assert.ok(statement !== undefined);
  return statement;
}

const store = loadTrustStore(new Map([
  ['ca:acme', [Buffer.from(good.root.pem)]],
  ['ca:stranger', [Buffer.from(stranger.root.pem)]],
  ['signingAuthority:acme', [good.root.der]],
]));

function evaluate(envelope: Buffer, statement: TrustPolicyStatement, mediaType = 'application/jose+json', descriptor = SUBJECT): Evaluation {
  return evaluateSignature({ envelope, mediaType, statement, trustStore: store, descriptor, now: new Date() });
}

type Scenario = 'integrity' | 'authenticity' | 'identity' | 'expiry' | 'authenticTimestamp' | 'target';

function scenario(kind: Scenario, level: string): { envelope: Buffer; statement: TrustPolicyStatement } {
  const chain = [good.leaf.der, good.root.der];
  const key = good.leafKey.privateKey;
  switch (kind) {
    case 'integrity': {
      const envelope = JSON.parse(makeJws({ key, chain }).toString()) as Record<string, string>;
      return { envelope: Buffer.from(JSON.stringify({ ...envelope, signature: Buffer.alloc(64).toString('base64url') })), statement: statementOf(level) };
    }
    case 'authenticity':
      return { envelope: makeJws({ key, chain }), statement: statementOf(level, { stores: ['ca:stranger'] }) };
    case 'identity':
      return { envelope: makeJws({ key, chain }), statement: statementOf(level, { identities: ['x509.subject: C=US, ST=WA, O=Other'] }) };
    case 'expiry': {
      const signed = new Date(Date.now() - 3_600_000).toISOString();
      const gone = new Date(Date.now() - 60_000).toISOString();
      const headers = { 'io.cncf.notary.signingTime': signed, 'io.cncf.notary.expiry': gone, crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'] };
      return { envelope: makeJws({ key, chain, headers }), statement: statementOf(level) };
    }
    case 'authenticTimestamp':
      return { envelope: makeJws({ key: expired.leafKey.privateKey, chain: [expired.leaf.der, expired.root.der] }), statement: statementOf(level) };
    case 'target':
      return { envelope: makeJws({ key, chain, payload: payloadFor({ ...SUBJECT, digest: `sha256:${'b'.repeat(64)}` }) }), statement: statementOf(level) };
  }
}

const CODES: Record<Scenario, string> = {
  integrity: 'SIGNATURE_INVALID', authenticity: 'SIGNER_UNTRUSTED', identity: 'IDENTITY_MISMATCH', expiry: 'SIGNATURE_EXPIRED',
  authenticTimestamp: 'CERTIFICATE_EXPIRED', target: 'SUBJECT_MISMATCH',
};

// research/signatures.md §6.6 level matrix: E = enforced (signature fails), L = logged (verified with a warning).
const MATRIX: Record<string, Record<Scenario, 'E' | 'L'>> = {
  strict: { integrity: 'E', authenticity: 'E', identity: 'E', expiry: 'E', authenticTimestamp: 'E', target: 'E' },
  permissive: { integrity: 'E', authenticity: 'E', identity: 'E', expiry: 'L', authenticTimestamp: 'L', target: 'E' },
  audit: { integrity: 'E', authenticity: 'L', identity: 'L', expiry: 'L', authenticTimestamp: 'L', target: 'E' },
};

describe('verify/notation: evaluation under a trust policy statement', () => {
  it('verifies a good JWS and a good COSE signature under strict', () => {
    const jws = evaluate(makeJws({ key: good.leafKey.privateKey, chain: [good.leaf.der, good.root.der] }), statementOf('strict'));
    assert.equal(jws.outcome, 'verified');
    assert.ok(jws.signer === 'CN=signer.acme.test,O=Acme,L=Seattle,ST=WA,C=US' && jws.warnings.length === 0);
    const cose = evaluate(makeCose({ key: good.leafKey.privateKey, chain: [good.leaf.der, good.root.der] }), statementOf('strict'), 'application/cose');
    assert.equal(cose.outcome, 'verified');
  });

  for (const [level, row] of Object.entries(MATRIX)) {
    for (const [kind, expected] of Object.entries(row) as [Scenario, 'E' | 'L'][]) {
      it(`${level}: a failing ${kind} check is ${expected === 'E' ? 'enforced' : 'logged'}`, () => {
        const { envelope, statement } = scenario(kind, level);
        const result = evaluate(envelope, statement);
        if (expected === 'E') {
          assert.equal(result.outcome, 'failed');
          assert.equal(result.code, CODES[kind]);
        } else {
          assert.equal(result.outcome, 'verified');
          assert.equal(result.warnings.length, 1);
          assert.match(result.warnings[0] ?? '', new RegExp(`logged by trust policy "p", level ${level}`));
        }
      });
    }
  }

  it('honours overrides in both directions', () => {
    const stricter = scenario('expiry', 'permissive');
    const enforced = evaluate(stricter.envelope, statementOf('permissive', { override: { expiry: 'enforce' } }));
    assert.ok(enforced.outcome === 'failed' && enforced.code === 'SIGNATURE_EXPIRED');
    assert.match(enforced.reason, /digital signature has expired on/);
    const looser = scenario('authenticity', 'strict');
    const logged = evaluate(looser.envelope, statementOf('strict', { override: { authenticity: 'log' }, stores: ['ca:stranger'] }));
    assert.equal(logged.outcome, 'verified');
  });

  it('names the reason of each enforced check like notation', () => {
    const reasons: [Scenario, RegExp][] = [
      ['integrity', /signature is invalid/],
      ['authenticity', /^signature is not produced by a trusted signer$/],
      ['identity', /does not match the X.509 trusted identities \["x509.subject: C=US, ST=WA, O=Other"\] defined in the trust policy "p"/],
      ['authenticTimestamp', /certificate "CN=signer.acme.test.*" is not valid anymore, it was expired at/],
      ['target', /content descriptor mismatch/],
    ];
    for (const [kind, pattern] of reasons) {
      const { envelope, statement } = scenario(kind, 'strict');
      const result = evaluate(envelope, statement);
      assert.ok(result.outcome === 'failed');
      assert.match(result.reason, pattern);
    }
  });

  it('matches identities against the leaf subject only, and * against anything', () => {
    const envelope = makeJws({ key: good.leafKey.privateKey, chain: [good.leaf.der, good.root.der] });
    assert.equal(evaluate(envelope, statementOf('strict', { identities: ['x509.subject: C=US, ST=WA, O=Acme, CN=signer.acme.test'] })).outcome, 'verified');
    assert.equal(evaluate(envelope, statementOf('strict', { identities: ['x509.subject: C=US, ST=WA, O=Other', 'x509.subject: C=US, ST=WA, O=Acme, L=Seattle'] })).outcome, 'verified');
    // The root's subject (CN=Acme Root) must not satisfy an identity.
    const rootOnly = evaluate(envelope, statementOf('strict', { identities: ['x509.subject: C=US, ST=WA, O=Acme, CN=Acme Root'] }));
    assert.ok(rootOnly.outcome === 'failed' && rootOnly.code === 'IDENTITY_MISMATCH');
    assert.equal(evaluate(envelope, statementOf('strict', { identities: ['*'] })).outcome, 'verified');
  });

  it('fails identity matching when the leaf subject cannot be parsed (emailAddress), unless *', () => {
    const withEmail = codeSigningChain({ rootCertificate: good.root, leafKey: 'p256#email', subject: [['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['EMAIL', 'a@acme.test']] });
    const envelope = makeJws({ key: withEmail.leafKey.privateKey, chain: [withEmail.leaf.der, withEmail.root.der] });
    const result = evaluate(envelope, statementOf('strict'));
    assert.ok(result.outcome === 'failed' && result.code === 'IDENTITY_MISMATCH');
    assert.match(result.reason, /error while parsing the certificate subject/);
    assert.equal(evaluate(envelope, statementOf('strict', { identities: ['*'] })).outcome, 'verified');
  });

  it('uses signingAuthority stores for the signingAuthority scheme, and ca stores only for notary.x509', () => {
    const time = new Date(Date.now() - 60_000).toISOString();
    const headers = {
      'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority', 'io.cncf.notary.signingTime': undefined,
      'io.cncf.notary.authenticSigningTime': time, crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime'],
    };
    const envelope = makeJws({ key: good.leafKey.privateKey, chain: [good.leaf.der, good.root.der], headers });
    const refused = evaluate(envelope, statementOf('strict'));
    assert.ok(refused.outcome === 'failed' && refused.code === 'SIGNER_UNTRUSTED');
    assert.match(refused.reason, /no trusted certificates are found/);
    const accepted = evaluate(envelope, statementOf('strict', { stores: ['signingAuthority:acme'] }));
    assert.ok(accepted.outcome === 'verified');
    assert.equal(accepted.signedAt?.toISOString(), new Date(time).toISOString());
  });

  it('requires a timestamp when the policy has a tsa store (verifyTimestamp always)', () => {
    const withTsa = loadTrustStore(new Map([['ca:acme', [good.root.der]], ['tsa:ts', [good.root.der]]]));
    const document = parseTrustPolicy(JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:acme', 'tsa:ts'], trustedIdentities: ['*'] }] }));
    const statement = document.trustPolicies[0];
    assert.ok(statement !== undefined);
    const result = evaluateSignature({
      envelope: makeJws({ key: good.leafKey.privateKey, chain: [good.leaf.der, good.root.der] }), mediaType: 'application/jose+json',
      statement, trustStore: withTsa, descriptor: SUBJECT, now: new Date(),
    });
    assert.ok(result.outcome === 'failed' && result.code === 'TIMESTAMP_INVALID');
    assert.match(result.reason, /no timestamp countersignature was found/);
    // afterCertExpiry: not needed while the chain is valid.
    const later = parseTrustPolicy(JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict', verifyTimestamp: 'afterCertExpiry' }, trustStores: ['ca:acme', 'tsa:ts'], trustedIdentities: ['*'] }] })).trustPolicies[0];
    assert.ok(later !== undefined);
    assert.equal(evaluateSignature({
      envelope: makeJws({ key: good.leafKey.privateKey, chain: [good.leaf.der, good.root.der] }), mediaType: 'application/jose+json',
      statement: later, trustStore: withTsa, descriptor: SUBJECT, now: new Date(),
    }).outcome, 'verified');
  });

  it('refuses an unknown envelope media type as an integrity failure', () => {
    const result = evaluate(makeJws({ key: good.leafKey.privateKey, chain: [good.leaf.der, good.root.der] }), statementOf('audit'), 'application/json');
    assert.ok(result.outcome === 'failed' && result.code === 'SIGNATURE_INVALID');
    assert.match(result.reason, /media type "application\/json" is not supported/);
  });
});

describe('verify/notation: trust stores', () => {
  it('refuses stores with bad names, bad files, non-CA leaf certificates, or no certificates', () => {
    const invalid = (trustStore: TrustStore, pattern: RegExp): void => {
      assert.throws(() => loadTrustStore(trustStore), (error: unknown) => isBobError(error, 'CONFIG_INVALID') && pattern.test(error.message));
    };
    invalid(new Map([['root:acme', [good.root.der]]]), /name must be/);
    invalid(new Map([['ca:acme', [Buffer.from('not a certificate')]]]), /not a valid X.509 certificate/);
    invalid(new Map([['ca:acme', [Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')]]]), /unexpected PEM block "PRIVATE KEY"/);
    invalid(new Map([['ca:acme', [good.leaf.der]]]), /neither a CA certificate nor self-signed/);
    invalid(new Map([['ca:acme', []]]), /no x509 certificates were found/);
    const selfSignedLeaf = certificate({ subject: [['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['CN', 'self']], key: keyPair('p256#self'), keyUsage: { bits: [KU.digitalSignature] } });
    loadTrustStore(new Map([['ca:acme', [selfSignedLeaf.der]]]));
    invalid(new Map([['tsa:ts', [selfSignedLeaf.der]]]), /not a self-signed root CA certificate/);
    const bundle = Buffer.from(good.root.pem + stranger.root.pem);
    assert.equal(loadTrustStore(new Map([['ca:both', [bundle]]])).get('ca:both')?.length, 2);
  });

  it('reads notation\'s directory layout, refusing sub-directories and symlinks inside a store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bob-notation-store-'));
    try {
      mkdirSync(join(dir, 'x509', 'ca', 'acme'), { recursive: true });
      mkdirSync(join(dir, 'x509', 'tsa', 'ts'), { recursive: true });
      writeFileSync(join(dir, 'x509', 'ca', 'acme', 'root.pem'), good.root.pem);
      writeFileSync(join(dir, 'x509', 'ca', 'acme', 'stranger.crt'), stranger.root.der);
      const read = await readTrustStoreDirectory(dir);
      assert.deepEqual([...read.keys()], ['ca:acme', 'tsa:ts']);
      assert.equal(read.get('ca:acme')?.length, 2);
      mkdirSync(join(dir, 'x509', 'ca', 'acme', 'nested'));
      await assert.rejects(readTrustStoreDirectory(dir), /contains nested, which is not a regular file/);
      rmSync(join(dir, 'x509', 'ca', 'acme', 'nested'), { recursive: true });
      symlinkSync(join(dir, 'x509', 'ca', 'acme', 'root.pem'), join(dir, 'x509', 'ca', 'acme', 'link.pem'));
      await assert.rejects(readTrustStoreDirectory(dir), /contains a symlink \(link.pem\)/);
      rmSync(join(dir, 'x509', 'ca', 'acme', 'link.pem'));
      symlinkSync(join(dir, 'x509', 'ca', 'acme'), join(dir, 'x509', 'ca', 'linked'));
      await assert.rejects(readTrustStoreDirectory(dir), /trust store ca:linked is a symlink/);
      assert.equal((await readTrustStoreDirectory(join(dir, 'missing'))).size, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
