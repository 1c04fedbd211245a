import assert from 'node:assert/strict';
import { toCosignTrust, type CosignVerifierOptions } from '../../../../src/verify/cosign/trust.ts';
import { verifyLegacyAttestation, verifyLegacySignature } from '../../../../src/verify/cosign/legacy.ts';
import { createTestPki } from '../../../fixtures/sigstore/pki.ts';
import { createTestTsa } from '../../../fixtures/sigstore/tsa.ts';
import {
  DIGEST, dsseEnvelope, ecKey, encode, ISSUER, legacyLayer, OTHER_DIGEST, rejectionOf, simplePayload, statement,
} from './helpers.ts';

const NOW = new Date();
const pki = createTestPki(NOW);
const signer = ecKey();
const keyed = (extra: Partial<CosignVerifierOptions> = {}) => toCosignTrust({ publicKeys: [{ name: 'cosign.pub', pem: signer.pem }], ignoreTlog: true, ...extra });
const identities = [{ subjectRegExp: '.*@corp.com', issuer: ISSUER }];
const keyless = (extra: Partial<CosignVerifierOptions> = {}) => toCosignTrust({ keyless: { identities }, trustedRoot: pki.trustedRoot(), ignoreSct: true, ignoreTlog: true, ...extra });

describe('verify/cosign legacy signatures', () => {
  it('verifies a keyed signature and names the key', () => {
    const result = verifyLegacySignature(keyed(), legacyLayer(signer.privateKey, simplePayload(DIGEST)), DIGEST, NOW);
    assert.match(result.signer, /^key cosign\.pub \(sha256:[0-9a-f]{64}\)$/);
    assert.equal(result.signedAt, undefined);
  });

  it('tries every key of the set', () => {
    const trust = toCosignTrust({ publicKeys: [{ name: 'other.pub', pem: ecKey('P-384').pem }, { name: 'cosign.pub', pem: signer.pem }], ignoreTlog: true });
    assert.match(verifyLegacySignature(trust, legacyLayer(signer.privateKey, simplePayload(DIGEST)), DIGEST, NOW).signer, /^key cosign\.pub/);
  });

  it('rejects a wrong key, a tampered payload and a missing signature as SIGNATURE_INVALID', () => {
    // With keys, "signed by another key" and "not a valid signature" cannot be told apart.
    assert.equal(rejectionOf(() => verifyLegacySignature(keyed(), legacyLayer(ecKey().privateKey, simplePayload(DIGEST)), DIGEST, NOW)).code, 'SIGNATURE_INVALID');
    const layer = legacyLayer(signer.privateKey, simplePayload(DIGEST));
    const tampered = { ...layer, bytes: simplePayload(OTHER_DIGEST) };
    assert.deepEqual(rejectionOf(() => verifyLegacySignature(keyed(), tampered, OTHER_DIGEST, NOW)), {
      code: 'SIGNATURE_INVALID', message: 'signature does not verify with any configured public key',
    });
    assert.equal(rejectionOf(() => verifyLegacySignature(keyed(), { ...layer, annotations: {} }, DIGEST, NOW)).code, 'SIGNATURE_INVALID');
  });

  it('refuses non-canonical base64 signatures', () => {
    const layer = legacyLayer(signer.privateKey, simplePayload(DIGEST));
    const encoded = layer.signature.toString('base64');
    for (const variant of [encoded.replace(/=+$/, ''), `${encoded}\n`, layer.signature.toString('base64url')]) {
      if (variant === encoded) continue;
      const result = rejectionOf(() => verifyLegacySignature(keyed(), { ...layer, annotations: { 'dev.cosignproject.cosign/signature': variant } }, DIGEST, NOW));
      assert.deepEqual(result, { code: 'SIGNATURE_INVALID', message: 'signature annotation is not canonical standard base64' });
    }
  });

  it('rejects a valid signature over another image as SUBJECT_MISMATCH', () => {
    const layer = legacyLayer(signer.privateKey, simplePayload(OTHER_DIGEST));
    assert.deepEqual(rejectionOf(() => verifyLegacySignature(keyed(), layer, DIGEST, NOW)), {
      code: 'SUBJECT_MISMATCH', message: `payload signs ${OTHER_DIGEST}, not ${DIGEST}`,
    });
  });

  it('refuses payloads with duplicate keys, another type or no digest (after the crypto)', () => {
    const duplicate = Buffer.from(`{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"${OTHER_DIGEST}","docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`);
    const result = rejectionOf(() => verifyLegacySignature(keyed(), legacyLayer(signer.privateKey, duplicate), DIGEST, NOW));
    assert.equal(result.code, 'PAYLOAD_INVALID');
    assert.match(result.message, /duplicate key "docker-manifest-digest"/);
    const atomic = Buffer.from(simplePayload(DIGEST).toString().replace('cosign container image signature', 'atomic container signature'));
    assert.equal(rejectionOf(() => verifyLegacySignature(keyed(), legacyLayer(signer.privateKey, atomic), DIGEST, NOW)).code, 'PAYLOAD_INVALID');
    assert.equal(rejectionOf(() => verifyLegacySignature(keyed(), legacyLayer(signer.privateKey, Buffer.from('[]')), DIGEST, NOW)).code, 'PAYLOAD_INVALID');
  });

  describe('with the transparency log', () => {
    const tlogTrust = () => keyed({ ignoreTlog: false, trustedRoot: pki.trustedRoot() });
    const integratedTime = new Date(Math.floor(NOW.getTime() / 1000) * 1000);

    it('accepts a SET bound to this signature and reports its time', () => {
      const payload = simplePayload(DIGEST);
      const layer = legacyLayer(signer.privateKey, payload);
      const set = pki.setAnnotation({ signature: layer.signature, payload, verifierPem: signer.pem, integratedTime });
      const result = verifyLegacySignature(tlogTrust(), { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/bundle': set } }, DIGEST, NOW);
      assert.deepEqual(result.signedAt, integratedTime);
    });

    it('requires a SET unless the tlog is ignored', () => {
      const layer = legacyLayer(signer.privateKey, simplePayload(DIGEST));
      assert.equal(rejectionOf(() => verifyLegacySignature(tlogTrust(), layer, DIGEST, NOW)).code, 'TLOG_INVALID');
    });

    it('rejects a SET transplanted from another signature (CVE-2022-23649, GHSA-whqx)', () => {
      const other = legacyLayer(signer.privateKey, simplePayload(OTHER_DIGEST));
      const set = pki.setAnnotation({ signature: other.signature, payload: other.bytes, verifierPem: signer.pem, integratedTime });
      const layer = legacyLayer(signer.privateKey, simplePayload(DIGEST));
      const result = rejectionOf(() => verifyLegacySignature(tlogTrust(), { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/bundle': set } }, DIGEST, NOW));
      assert.equal(result.code, 'TLOG_INVALID');
      assert.match(result.message, /mismatch/);
    });

    it('rejects a SET the trusted log did not sign, and a malformed one', () => {
      const payload = simplePayload(DIGEST);
      const layer = legacyLayer(signer.privateKey, payload);
      const set = JSON.parse(pki.setAnnotation({ signature: layer.signature, payload, verifierPem: signer.pem, integratedTime })) as { Payload: { logIndex: number } };
      set.Payload.logIndex += 1;
      const forged = rejectionOf(() => verifyLegacySignature(tlogTrust(), { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/bundle': JSON.stringify(set) } }, DIGEST, NOW));
      assert.equal(forged.code, 'TLOG_INVALID');
      assert.match(forged.message, /inclusion promise could not be verified/);
      const malformed = rejectionOf(() => verifyLegacySignature(tlogTrust(), { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/bundle': '{"Payload":{}}' } }, DIGEST, NOW));
      assert.equal(malformed.code, 'TLOG_INVALID');
    });
  });

  describe('keyless', () => {
    const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER });
    const tsa = createTestTsa(pki);

    async function keylessLayer(certificatePem: string, privateKey = leaf.privateKey): Promise<ReturnType<typeof legacyLayer>> {
      const layer = legacyLayer(privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': certificatePem, 'dev.sigstore.cosign/chain': pki.chainPem });
      const timestamp = await tsa.timestamp(layer.signature);
      return { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/rfc3161timestamp': JSON.stringify({ SignedRFC3161Timestamp: timestamp.toString('base64') }) } };
    }

    it('verifies a certificate chaining to the trusted root at the timestamp, and names the identity', async () => {
      const result = verifyLegacySignature(keyless(), await keylessLayer(leaf.pem), DIGEST, NOW);
      assert.equal(result.signer, `dev@corp.com (issuer ${ISSUER})`);
      assert.ok(result.signedAt instanceof Date);
      assert.equal(verifyLegacySignature(keyless({ useSignedTimestamps: true }), await keylessLayer(leaf.pem), DIGEST, NOW).signer, result.signer);
    });

    it('rejects an identity outside the anchored expression as IDENTITY_MISMATCH', () => {
      const evil = pki.issueLeaf({ sans: [{ email: 'x@corp.com.evil.io' }], issuer: ISSUER });
      const result = rejectionOf(() => verifyLegacySignature(keyless(), { ...legacyLayer(evil.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': evil.pem }) }, DIGEST, NOW));
      assert.equal(result.code, 'IDENTITY_MISMATCH');
      assert.match(result.message, /x@corp\.com\.evil\.io \(issuer https:\/\/issuer\.bob\.test\)/);
      const otherIssuer = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: 'https://evil.test' });
      assert.equal(rejectionOf(() => verifyLegacySignature(keyless(), legacyLayer(otherIssuer.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': otherIssuer.pem }), DIGEST, NOW)).code, 'IDENTITY_MISMATCH');
    });

    it('judges an expired leaf without a timestamp at the current time: CERTIFICATE_EXPIRED', () => {
      const expired = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER, notBefore: new Date(NOW.getTime() - 3_600_000), notAfter: new Date(NOW.getTime() - 3_000_000) });
      const result = rejectionOf(() => verifyLegacySignature(keyless(), legacyLayer(expired.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': expired.pem }), DIGEST, NOW));
      assert.equal(result.code, 'CERTIFICATE_EXPIRED');
    });

    it('rejects a certificate from another CA, a non-code-signing one, and a bare signature', async () => {
      const stranger = createTestPki(NOW).issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER });
      const strangerLayer = await keylessLayer(stranger.pem, stranger.privateKey);
      assert.equal(rejectionOf(() => verifyLegacySignature(keyless(), strangerLayer, DIGEST, NOW)).code, 'CERTIFICATE_INVALID');
      const serverCert = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER, extKeyUsages: ['1.3.6.1.5.5.7.3.1'] });
      assert.deepEqual(rejectionOf(() => verifyLegacySignature(keyless(), legacyLayer(serverCert.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': serverCert.pem }), DIGEST, NOW)), {
        code: 'CERTIFICATE_INVALID', message: 'certificate is not valid for code signing',
      });
      assert.equal(rejectionOf(() => verifyLegacySignature(keyless(), legacyLayer(leaf.privateKey, simplePayload(DIGEST)), DIGEST, NOW)).code, 'SIGNER_UNTRUSTED');
      assert.equal(rejectionOf(() => verifyLegacySignature(keyless(), legacyLayer(leaf.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': 'garbage' }), DIGEST, NOW)).code, 'CERTIFICATE_INVALID');
    });

    it('rejects a timestamp over another signature and one from an untrusted TSA', async () => {
      const layer = await keylessLayer(leaf.pem);
      const other = await keylessLayer(leaf.pem);
      const swapped = { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/rfc3161timestamp': other.annotations['dev.sigstore.cosign/rfc3161timestamp'] ?? '' } };
      assert.equal(rejectionOf(() => verifyLegacySignature(keyless(), swapped, DIGEST, NOW)).code, 'TIMESTAMP_INVALID');
      const strangerTsa = createTestTsa(createTestPki(NOW));
      const foreign = await strangerTsa.timestamp(layer.signature);
      const untrusted = { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/rfc3161timestamp': JSON.stringify({ SignedRFC3161Timestamp: foreign.toString('base64') }) } };
      assert.equal(rejectionOf(() => verifyLegacySignature(keyless(), untrusted, DIGEST, NOW)).code, 'TIMESTAMP_INVALID');
    });

    it('requires a signed timestamp when asked to', () => {
      const layer = legacyLayer(leaf.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': leaf.pem });
      assert.equal(rejectionOf(() => verifyLegacySignature(keyless({ useSignedTimestamps: true }), layer, DIGEST, NOW)).code, 'TIMESTAMP_INVALID');
    });
  });
});

describe('verify/cosign legacy attestations', () => {
  const CUSTOM = 'https://cosign.sigstore.dev/attestation/v1';
  const attestationLayer = (payload: Buffer, key = signer.privateKey) => ({
    bytes: encode(dsseEnvelope(key, payload).json),
    annotations: { 'dev.cosignproject.cosign/signature': '', predicateType: CUSTOM },
  });

  it('verifies a DSSE attestation of the demanded type naming the digest', () => {
    const result = verifyLegacyAttestation(keyed(), attestationLayer(statement(DIGEST, CUSTOM)), DIGEST, CUSTOM, NOW);
    assert.equal(result.predicateType, CUSTOM);
  });

  it('never lets another predicate type satisfy the demanded one (CVE-2022-35929)', () => {
    const slsa = attestationLayer(statement(DIGEST, 'https://slsa.dev/provenance/v0.2'));
    assert.deepEqual(rejectionOf(() => verifyLegacyAttestation(keyed(), slsa, DIGEST, 'https://cyclonedx.org/bom', NOW)), {
      code: 'ATTESTATION_MISSING', message: 'attestation is of type https://slsa.dev/provenance/v0.2, not https://cyclonedx.org/bom',
    });
  });

  it('fails closed on malformed envelopes and statements', () => {
    const cases: [Buffer, string][] = [
      [Buffer.from('not json'), 'PAYLOAD_INVALID'],
      [encode({ payloadType: 'application/vnd.in-toto+json', payload: 'e30=', signatures: [] }), 'PAYLOAD_INVALID'],
      [encode({ payloadType: 'application/vnd.in-toto+json', payload: 'e30', signatures: [{ sig: 'AAAA' }] }), 'PAYLOAD_INVALID'],
      [encode(dsseEnvelope(signer.privateKey, Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}')).json), 'PAYLOAD_INVALID'],
      [encode(dsseEnvelope(signer.privateKey, Buffer.from('{"a":1,"a":2}')).json), 'PAYLOAD_INVALID'],
      [encode(dsseEnvelope(signer.privateKey, statement(DIGEST, CUSTOM), 'text/plain').json), 'PAYLOAD_INVALID'],
      [encode(dsseEnvelope(ecKey().privateKey, statement(DIGEST, CUSTOM)).json), 'SIGNATURE_INVALID'],
      [encode(dsseEnvelope(signer.privateKey, statement(OTHER_DIGEST, CUSTOM)).json), 'SUBJECT_MISMATCH'],
    ];
    for (const [bytes, code] of cases) {
      const layer = { bytes, annotations: { predicateType: CUSTOM } };
      assert.equal(rejectionOf(() => verifyLegacyAttestation(keyed(), layer, DIGEST, CUSTOM, NOW)).code, code, bytes.toString().slice(0, 80));
    }
  });
});
