// Hostile inputs against the notation provider (research/reliability.md §1.5,
// §6 rows 27, 28, 33, 34): the whole verifier on an in-memory registry, and
// single envelopes under one trust policy statement. Code AND reason are
// asserted everywhere.
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { isBobError } from '../../../../src/shared/index.ts';
import { createNotationVerifier, NOTATION_SKIPPED_WARNING_PREFIX, type Rejected, type Verdict } from '../../../../src/verify/index.ts';
import { evaluateSignature, type Evaluation } from '../../../../src/verify/notation/evaluate.ts';
import { parseTrustPolicy, type TrustPolicyStatement } from '../../../../src/verify/notation/trust-policy.ts';
import { loadTrustStore } from '../../../../src/verify/notation/trust-store.ts';
import { makeCose, makeJws, payloadFor } from '../notation/envelopes.ts';
import {
  bitString, bool, codeSigningChain, explicit, integer, keyPair, KU, LEAF_SUBJECT, name, octets, oid, OIDS, seq, tlv, type IssuedCertificate,
} from '../notation/pki.ts';
import { contextFor, fakeRegistry, SUBJECT, SUBJECT_DIGEST, type FakeReferrer } from './fake-registry.ts';

const SIGNATURE_TYPE = 'application/vnd.cncf.notary.signature';
const JWS = 'application/jose+json';
const COSE = 'application/cose';
const DAY = 86_400_000;
const good = codeSigningChain();
const chain = [good.leaf.der, good.root.der];
const key = good.leafKey.privateKey;
const descriptor = SUBJECT.descriptor;
const payload = payloadFor(descriptor);

function policy(level: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '1.0',
    trustPolicies: [{
      name: 'p', registryScopes: ['*'], signatureVerification: { level },
      ...(level === 'skip' ? {} : { trustStores: ['ca:acme'], trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme'] }), ...extra,
    }],
  });
}

const trustStore = new Map([['ca:acme', [good.root.der]]]);

function statementOf(level: string, extra: Record<string, unknown> = {}): TrustPolicyStatement {
  const [statement] = parseTrustPolicy(policy(level, extra)).trustPolicies;
  assert.ok(statement !== undefined);
  return statement;
}

function evaluate(envelope: Uint8Array, statement = statementOf('strict'), mediaType = JWS, now = new Date()): Evaluation {
  return evaluateSignature({ envelope, mediaType, statement, trustStore: loadTrustStore(trustStore), descriptor, now });
}

function failed(evaluation: Evaluation): Extract<Evaluation, { outcome: 'failed' }> {
  assert.equal(evaluation.outcome, 'failed', JSON.stringify(evaluation));
  return evaluation;
}

function rejected(verdict: Verdict): Rejected {
  assert.equal(verdict.outcome, 'rejected', JSON.stringify(verdict));
  return verdict;
}

const signatureReferrer = (envelope: Uint8Array, mediaType = JWS): FakeReferrer => ({ artifactType: SIGNATURE_TYPE, layers: [{ bytes: envelope, mediaType }] });

/** A notation-conformant code-signing leaf (as pki.ts codeSigningChain) plus one extra extension, critical or not. */
function leafWithExtension(root: IssuedCertificate, extensionOid: string, critical: boolean): Buffer {
  const utcTime = (date: Date): Buffer => tlv(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z').slice(2), 'latin1'));
  const extension = (id: string, isCritical: boolean, value: Buffer): Buffer => seq(oid(id), ...(isCritical ? [bool(true)] : []), octets(value));
  const algorithm = seq(oid('1.2.840.10045.4.3.2'));
  const tbs = seq(
    explicit(0, integer(2)), integer(4242), algorithm, root.subjectName,
    seq(utcTime(new Date(Date.now() - 3_600_000)), utcTime(new Date(Date.now() + DAY))),
    name(LEAF_SUBJECT), keyPair('p256#hostile-critical').publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(
      extension('2.5.29.19', true, seq()),
      extension('2.5.29.15', true, bitString([KU.digitalSignature])),
      extension('2.5.29.37', false, seq(oid(OIDS.codeSigning))),
      extension(extensionOid, critical, Buffer.from([0x05, 0x00])),
    )),
  );
  return seq(tbs, algorithm, tlv(0x03, Buffer.of(0), sign('sha256', tbs, root.spec.key.privateKey)));
}

describe('hostile inputs: notation', () => {
  describe('row 33: verification levels and limits on the whole verifier', () => {
    it('skip never claims a verified signature: verified with NO signatures and a "skipped" warning, nothing fetched', async () => {
      const registry = fakeRegistry({ referrers: [signatureReferrer(makeJws({ key, chain }))] });
      const warnings: string[] = [];
      const verdict = await createNotationVerifier({ trustPolicy: policy('skip'), trustStore: new Map() }).verify(SUBJECT, contextFor(registry.client, { warnings }));
      if (verdict.outcome !== 'verified') assert.fail(JSON.stringify(verdict));
      assert.deepEqual(verdict.signatures, []);
      // The artifact is named by digest (with or without the tag the user wrote).
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', new RegExp(`^${NOTATION_SKIPPED_WARNING_PREFIX} "p" \\(level skip\\): no signature of registry\\.test/app(?::v1)?@${SUBJECT_DIGEST} was verified$`));
      assert.equal(registry.blobFetches(), 0);
    });

    it('audit with a bad identity verifies with a logged warning; audit never excuses integrity or the target', () => {
      const badIdentity = { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Other'] };
      const logged = evaluate(makeJws({ key, chain }), statementOf('audit', badIdentity));
      assert.equal(logged.outcome, 'verified');
      assert.deepEqual(logged.warnings, [
        'authenticity validation failed (logged by trust policy "p", level audit): signing certificate from the digital signature does not match the X.509 trusted identities ["x509.subject: C=US, ST=WA, O=Other"] defined in the trust policy "p"',
      ]);
      const tampered = JSON.parse(makeJws({ key, chain }).toString()) as Record<string, string>;
      const broken = failed(evaluate(Buffer.from(JSON.stringify({ ...tampered, payload: payloadFor({ ...descriptor, size: 1 }).toString('base64url') })), statementOf('audit', badIdentity)));
      assert.deepEqual([broken.check, broken.code, broken.reason], ['integrity', 'SIGNATURE_INVALID', 'signature is invalid: the signature does not verify with the signing certificate']);
      const other = failed(evaluate(makeJws({ key, chain, payload: payloadFor({ ...descriptor, digest: `sha256:${'b'.repeat(64)}` }) }), statementOf('audit', badIdentity)));
      assert.equal(other.code, 'SUBJECT_MISMATCH');
    });

    it('maxSignatureAttempts exceeded: TOO_MANY_SIGNATURES with notation\'s wording, and a non-positive limit is CONFIG_INVALID', async () => {
      const stranger = codeSigningChain({ rootKey: 'p256#hostile-stranger', leafKey: 'p256#hostile-stranger-leaf' });
      const bad = makeJws({ key: stranger.leafKey.privateKey, chain: [stranger.leaf.der, stranger.root.der] });
      const registry = fakeRegistry({ referrers: [signatureReferrer(bad), signatureReferrer(makeCose({ key: stranger.leafKey.privateKey, chain: [stranger.leaf.der, stranger.root.der] }), COSE), signatureReferrer(makeJws({ key, chain }))] });
      const verdict = rejected(await createNotationVerifier({ trustPolicy: policy('strict'), trustStore, maxSignatureAttempts: 2 }).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'TOO_MANY_SIGNATURES');
      assert.equal(verdict.reason, 'signature evaluation stopped. The configured limit of 2 signatures to verify per artifact exceeded');
      assert.deepEqual(verdict.attempts.map((attempt) => [attempt.format, attempt.code, attempt.reason]), [
        ['notation-jws', 'SIGNER_UNTRUSTED', 'signature is not produced by a trusted signer'],
        ['notation-cose', 'SIGNER_UNTRUSTED', 'signature is not produced by a trusted signer'],
      ]);
      for (const maxSignatureAttempts of [0, -1, 1.5]) {
        assert.throws(() => createNotationVerifier({ trustPolicy: policy('strict'), trustStore, maxSignatureAttempts }),
          (error: unknown) => isBobError(error, 'CONFIG_INVALID') && error.message.includes('maxSignatureAttempts must be a positive integer'));
      }
    });

    it('more signature referrers than the limit: TOO_MANY_SIGNATURES (row 27)', async () => {
      const registry = fakeRegistry({ referrers: Array.from({ length: 3 }, () => signatureReferrer(makeJws({ key, chain }))) });
      const verdict = rejected(await createNotationVerifier({ trustPolicy: policy('strict'), trustStore }).verify(SUBJECT, contextFor(registry.client, { limits: { signatures: 2 } })));
      assert.equal(verdict.code, 'TOO_MANY_SIGNATURES');
      assert.equal(verdict.reason, `more than 2 signatures of type ${SIGNATURE_TYPE} refer to ${SUBJECT_DIGEST}`);
    });

    it('an envelope declared over 32 MiB is SIGNATURE_TOO_LARGE before download; a signature manifest with two layers fails the subject', async () => {
      const huge = fakeRegistry({ referrers: [{ artifactType: SIGNATURE_TYPE, layers: [{ bytes: makeJws({ key, chain }), mediaType: JWS, size: 33 * 1024 * 1024 }] }] });
      const large = rejected(await createNotationVerifier({ trustPolicy: policy('strict'), trustStore }).verify(SUBJECT, contextFor(huge.client, { limits: { signatureBytes: 64 * 1024 * 1024 } })));
      assert.equal(large.code, 'SIGNATURE_TOO_LARGE');
      assert.match(large.reason, /^signature blob sha256:[0-9a-f]{64} is 34603008 bytes, more than the limit of 33554432$/);
      assert.equal(huge.blobFetches(), 0);
      const envelope = makeJws({ key, chain });
      const two = fakeRegistry({ referrers: [{ artifactType: SIGNATURE_TYPE, layers: [{ bytes: envelope, mediaType: JWS }, { bytes: envelope, mediaType: JWS }] }] });
      const verdict = rejected(await createNotationVerifier({ trustPolicy: policy('strict'), trustStore }).verify(SUBJECT, contextFor(two.client)));
      assert.equal(verdict.code, 'PAYLOAD_INVALID');
      assert.match(verdict.reason, /^signature manifest sha256:[0-9a-f]{64} requires exactly one layer but got 2$/);
    });

    it('a valid signature for another digest, size or media type is SUBJECT_MISMATCH (row 28), JWS and COSE', async () => {
      for (const target of [{ ...descriptor, digest: `sha256:${'b'.repeat(64)}` }, { ...descriptor, size: descriptor.size + 1 }, { ...descriptor, mediaType: 'application/vnd.oci.image.index.v1+json' }]) {
        for (const [envelope, mediaType] of [[makeJws({ key, chain, payload: payloadFor(target) }), JWS], [makeCose({ key, chain, payload: payloadFor(target) }), COSE]] as const) {
          const registry = fakeRegistry({ referrers: [signatureReferrer(envelope, mediaType)] });
          const verdict = rejected(await createNotationVerifier({ trustPolicy: policy('strict'), trustStore }).verify(SUBJECT, contextFor(registry.client)));
          assert.equal(verdict.code, 'SUBJECT_MISMATCH');
          assert.equal(verdict.reason, `content descriptor mismatch: the signature is for ${target.mediaType} ${target.digest} (${String(target.size)} bytes), not for ${descriptor.mediaType} ${descriptor.digest} (${String(descriptor.size)} bytes)`);
        }
      }
    });
  });

  describe('row 33: certificates and subjects', () => {
    it('an expired leaf (no timestamp): CERTIFICATE_EXPIRED "not valid anymore"', () => {
      const expired = codeSigningChain({ rootCertificate: good.root, leafKey: 'p256#hostile-expired', leaf: { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) } });
      const result = failed(evaluate(makeJws({ key: expired.leafKey.privateKey, chain: [expired.leaf.der, expired.root.der] })));
      assert.equal(result.code, 'CERTIFICATE_EXPIRED');
      assert.match(result.reason, /^certificate "CN=signer\.acme\.test,O=Acme,L=Seattle,ST=WA,C=US" is not valid anymore, it was expired at "[0-9T:.-]+Z"$/);
    });

    it('a not-yet-valid leaf: CERTIFICATE_EXPIRED "not valid yet" (JWS and COSE)', () => {
      const future = codeSigningChain({ rootCertificate: good.root, leafKey: 'p256#hostile-future', leaf: { notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 10 * DAY) } });
      const futureChain = [future.leaf.der, future.root.der];
      for (const [envelope, mediaType] of [[makeJws({ key: future.leafKey.privateKey, chain: futureChain }), JWS], [makeCose({ key: future.leafKey.privateKey, chain: futureChain }), COSE]] as const) {
        const result = failed(evaluate(envelope, statementOf('strict'), mediaType));
        assert.equal(result.code, 'CERTIFICATE_EXPIRED');
        assert.match(result.reason, /^certificate "CN=signer\.acme\.test,O=Acme,L=Seattle,ST=WA,C=US" is not valid yet, it will be valid from "[0-9T:.-]+Z"$/);
      }
    });

    it('a leaf subject value containing "=#" (notation fixture CN=Bad=#CN) fails identity matching: IDENTITY_MISMATCH (CVE-2023-25656)', () => {
      // notation-go parses leaf.Subject.String() with ParseDistinguishedName, which refuses any "=#"
      // (internal/pkix/pkix.go); Go escapes neither "=" nor a non-leading "#", so "CN=Bad=#CN" keeps it.
      const hex = codeSigningChain({ rootCertificate: good.root, leafKey: 'p256#hostile-hex', subject: [['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['CN', 'Bad=#CN']] });
      const result = failed(evaluate(makeJws({ key: hex.leafKey.privateKey, chain: [hex.leaf.der, hex.root.der] })));
      assert.equal(result.code, 'IDENTITY_MISMATCH');
      assert.equal(result.reason, 'signing certificate from the digital signature does not match the X.509 trusted identities ["x509.subject: C=US, ST=WA, O=Acme"] defined in the trust policy "p": error while parsing the certificate subject from the digital signature: unsupported distinguished name (DN) "CN=Bad=#CN,O=Acme,ST=WA,C=US": notation does not support x509.subject identities containing "=#"');
      // A "#" that does not follow "=" is harmless (control).
      const hash = codeSigningChain({ rootCertificate: good.root, leafKey: 'p256#hostile-hash', subject: [['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['CN', 'Good#CN']] });
      assert.equal(evaluate(makeJws({ key: hash.leafKey.privateKey, chain: [hash.leaf.der, hash.root.der] })).outcome, 'verified');
    });

    it('a leaf with an unknown CRITICAL extension: CERTIFICATE_INVALID (RFC 5280 §4.2; deliberately stricter than notation, JWS and COSE)', () => {
      const leaf = leafWithExtension(good.root, '1.2.3.4.5', true);
      const signingKey = keyPair('p256#hostile-critical').privateKey;
      for (const [envelope, mediaType] of [[makeJws({ key: signingKey, chain: [leaf, good.root.der] }), JWS], [makeCose({ key: signingKey, chain: [leaf, good.root.der] }), COSE]] as const) {
        const result = failed(evaluate(envelope, statementOf('strict'), mediaType));
        assert.equal(result.code, 'CERTIFICATE_INVALID');
        assert.equal(result.reason, 'invalid certificate chain: certificate with subject "CN=signer.acme.test,O=Acme,L=Seattle,ST=WA,C=US": unhandled critical extension 1.2.3.4.5');
      }
      // Control: the same extension, not critical, verifies.
      const plain = leafWithExtension(good.root, '1.2.3.4.5', false);
      assert.equal(evaluate(makeJws({ key: signingKey, chain: [plain, good.root.der] })).outcome, 'verified');
    });

    it('a trust policy identity with "=#" is refused when the policy is read', () => {
      assert.throws(() => parseTrustPolicy(policy('strict', { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme, CN=Bad=#CN'] })),
        (error: unknown) => isBobError(error, 'CONFIG_INVALID') && /^invalid trust policy: .*"=#"/.test(error.message));
    });
  });

  describe('row 34: trust policy and trust store', () => {
    it('a statement naming a trust store that is not configured is CONFIG_INVALID naming both', () => {
      assert.throws(() => createNotationVerifier({ trustPolicy: policy('strict'), trustStore: new Map() }),
        (error: unknown) => isBobError(error, 'CONFIG_INVALID')
          && error.message === 'trust store: the trust policy references stores that do not exist: ca:acme (trust policy statement "p")');
    });

    it('empty, invalid, duplicate-key and BOM-prefixed policies are CONFIG_INVALID "invalid trust policy"', () => {
      for (const text of ['', '   ', 'null', '{"version":"1.0"', policy('strict').replace('{"version"', '{"version":"1.0","version"'), `\uFEFF${policy('strict')}`]) {
        assert.throws(() => createNotationVerifier({ trustPolicy: text, trustStore }),
          (error: unknown) => isBobError(error, 'CONFIG_INVALID') && /invalid trust policy|trust policy/.test(error.message), JSON.stringify(text));
      }
    });

    it('a repository outside every scope is POLICY_REJECTED, never verified', async () => {
      const scoped = JSON.stringify({
        version: '1.0',
        trustPolicies: [{ name: 'p', registryScopes: ['registry.test/other'], signatureVerification: { level: 'strict' }, trustStores: ['ca:acme'], trustedIdentities: ['*'] }],
      });
      const registry = fakeRegistry({ referrers: [signatureReferrer(makeJws({ key, chain }))] });
      const verdict = rejected(await createNotationVerifier({ trustPolicy: scoped, trustStore }).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'POLICY_REJECTED');
      assert.match(verdict.reason, new RegExp(`^artifact "registry\\.test/app(?::v1)?@${SUBJECT_DIGEST}" has no applicable trust policy statement: no registryScopes entry matches "registry\\.test/app" and there is no "\\*" statement$`));
    });
  });

  describe('duplicate keys and base64 in notation documents', () => {
    it('a signed payload with a duplicate key is PAYLOAD_INVALID naming it (JWS and COSE)', () => {
      const duplicate = Buffer.from(payload.toString().replace('{"targetArtifact":{', `{"targetArtifact":{"digest":"sha256:${'b'.repeat(64)}",`));
      for (const [envelope, mediaType] of [[makeJws({ key, chain, payload: duplicate }), JWS], [makeCose({ key, chain, payload: duplicate }), COSE]] as const) {
        const result = failed(evaluate(envelope, statementOf('strict'), mediaType));
        assert.equal(result.code, 'PAYLOAD_INVALID');
        assert.match(result.reason, /^failed to unmarshal the payload content in the signature: duplicate key "digest"/);
      }
    });

    it('a JWS signature part in the standard alphabet or padded is refused before cryptography', () => {
      const envelope = JSON.parse(makeJws({ key, chain }).toString()) as Record<string, string>;
      const signature = envelope['signature'] ?? '';
      for (const variant of [`${signature}=`, `${signature}==`, Buffer.from(signature, 'base64url').toString('base64')]) {
        if (variant === signature) continue;
        const result = failed(evaluate(Buffer.from(JSON.stringify({ ...envelope, signature: variant }))));
        assert.equal(result.code, 'SIGNATURE_INVALID');
        assert.match(result.reason, /"signature" is not canonical/);
      }
      const header = JSON.parse(makeJws({ key, chain }).toString()) as Record<string, string>;
      const protectedPart = header['protected'] ?? '';
      const result = failed(evaluate(Buffer.from(JSON.stringify({ ...header, protected: `${protectedPart}=` }))));
      assert.match(result.reason, /"protected" is not canonical/);
    });
  });
});
