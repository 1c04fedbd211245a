import assert from 'node:assert/strict';
import { verifyBundle } from '../../../../src/verify/cosign/bundle.ts';
import { toCosignTrust, type CosignVerifierOptions } from '../../../../src/verify/cosign/trust.ts';
import { mostSpecificCode } from '../../../../src/verify/cosign/verifier.ts';
import { createTestPki } from '../../../fixtures/sigstore/pki.ts';
import { createTestTsa } from '../../../fixtures/sigstore/tsa.ts';
import {
  bundleJson, DIGEST, dsseEnvelope, ecKey, encode, ISSUER, keyHintOf, OTHER_DIGEST, rejectionOf, statement,
} from './helpers.ts';

const NOW = new Date();
const pki = createTestPki(NOW);
const signer = ecKey();
const keyed = (extra: Partial<CosignVerifierOptions> = {}) => toCosignTrust({ publicKeys: [{ name: 'cosign.pub', pem: signer.pem }], ignoreTlog: true, ...extra });
const keyless = (extra: Partial<CosignVerifierOptions> = {}) => toCosignTrust({
  keyless: { identities: [{ subject: 'dev@corp.com', issuerRegExp: 'https://issuer\\.bob\\.test' }] }, trustedRoot: pki.trustedRoot(), ignoreSct: true, ignoreTlog: true, ...extra,
});
const SIGN = 'https://sigstore.dev/cosign/sign/v1';

describe('verify/cosign bundles', () => {
  it('verifies a keyed DSSE bundle and returns its predicate type', () => {
    const bundle = bundleJson(dsseEnvelope(signer.privateKey, statement(DIGEST)), { keyHint: keyHintOf(signer.publicKey) });
    const result = verifyBundle(keyed(), encode(bundle), DIGEST, NOW);
    assert.equal(result.predicateType, SIGN);
    assert.match(result.signer, /^key cosign\.pub \(sha256:/);
  });

  it('tells an unknown key hint (SIGNER_UNTRUSTED) from a broken signature (SIGNATURE_INVALID)', () => {
    const stranger = ecKey();
    const foreign = bundleJson(dsseEnvelope(stranger.privateKey, statement(DIGEST)), { keyHint: keyHintOf(stranger.publicKey) });
    assert.equal(rejectionOf(() => verifyBundle(keyed(), encode(foreign), DIGEST, NOW)).code, 'SIGNER_UNTRUSTED');
    const envelope = dsseEnvelope(signer.privateKey, statement(DIGEST));
    const tampered = bundleJson({ ...envelope, json: { ...envelope.json, payload: statement(DIGEST, SIGN, { x: 1 }).toString('base64') } }, { keyHint: keyHintOf(signer.publicKey) });
    assert.equal(rejectionOf(() => verifyBundle(keyed(), encode(tampered), DIGEST, NOW)).code, 'SIGNATURE_INVALID');
  });

  it('rejects a bundle whose statement names another image', () => {
    const bundle = bundleJson(dsseEnvelope(signer.privateKey, statement(OTHER_DIGEST)), { keyHint: keyHintOf(signer.publicKey) });
    assert.equal(rejectionOf(() => verifyBundle(keyed(), encode(bundle), DIGEST, NOW)).code, 'SUBJECT_MISMATCH');
  });

  it('fails closed on duplicate keys, message signatures, several signatures and garbage', () => {
    const good = JSON.stringify(bundleJson(dsseEnvelope(signer.privateKey, statement(DIGEST)), { keyHint: keyHintOf(signer.publicKey) }));
    const duplicate = good.replace('{"mediaType"', '{"mediaType":"x","mediaType"');
    assert.equal(rejectionOf(() => verifyBundle(keyed(), Buffer.from(duplicate), DIGEST, NOW)).code, 'PAYLOAD_INVALID');
    const message = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: keyHintOf(signer.publicKey) }, tlogEntries: [] },
      messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: 'AAAA' }, signature: 'AAAA' },
    };
    assert.equal(rejectionOf(() => verifyBundle(keyed(), encode(message), DIGEST, NOW)).code, 'PAYLOAD_INVALID');
    const envelope = dsseEnvelope(signer.privateKey, statement(DIGEST));
    const signatures = (envelope.json['signatures'] as unknown[]);
    const twice = bundleJson({ ...envelope, json: { ...envelope.json, signatures: [...signatures, ...signatures] } }, { keyHint: keyHintOf(signer.publicKey) });
    assert.equal(rejectionOf(() => verifyBundle(keyed(), encode(twice), DIGEST, NOW)).code, 'PAYLOAD_INVALID');
    for (const garbage of ['', '[]', '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}', '{"a":']) {
      assert.equal(rejectionOf(() => verifyBundle(keyed(), Buffer.from(garbage), DIGEST, NOW)).code, 'PAYLOAD_INVALID', garbage);
    }
  });

  it('requires a tlog entry when the tlog is not ignored', () => {
    const bundle = bundleJson(dsseEnvelope(signer.privateKey, statement(DIGEST)), { keyHint: keyHintOf(signer.publicKey) });
    assert.equal(rejectionOf(() => verifyBundle(keyed({ ignoreTlog: false, trustedRoot: pki.trustedRoot() }), encode(bundle), DIGEST, NOW)).code, 'TLOG_INVALID');
  });

  describe('keyless', () => {
    const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER });
    const tsa = createTestTsa(pki);

    it('verifies a certificate bundle with a timestamp; refuses a v0.3 chain unless allowed', async () => {
      const envelope = dsseEnvelope(leaf.privateKey, statement(DIGEST));
      const timestamps = [await tsa.timestamp(envelope.signature)];
      const single = bundleJson(envelope, { certificate: leaf.der, timestamps });
      const result = verifyBundle(keyless(), encode(single), DIGEST, NOW);
      assert.equal(result.signer, `dev@corp.com (issuer ${ISSUER})`);
      assert.ok(result.signedAt instanceof Date);
      const chain = bundleJson(envelope, { chain: [leaf.der, pki.intermediate.der, pki.root.der], timestamps });
      assert.deepEqual(rejectionOf(() => verifyBundle(keyless(), encode(chain), DIGEST, NOW)), {
        code: 'CERTIFICATE_INVALID', message: 'v0.3 bundle carries a certificate chain, which is refused unless allowCertificateChain is set',
      });
      assert.equal(verifyBundle(keyless({ allowCertificateChain: true }), encode(chain), DIGEST, NOW).signer, result.signer);
    });

    it('rejects a keyed bundle and a wrong identity', () => {
      const keyedBundle = bundleJson(dsseEnvelope(signer.privateKey, statement(DIGEST)), { keyHint: keyHintOf(signer.publicKey) });
      assert.equal(rejectionOf(() => verifyBundle(keyless(), encode(keyedBundle), DIGEST, NOW)).code, 'SIGNER_UNTRUSTED');
      const other = pki.issueLeaf({ sans: [{ uri: 'https://github.com/evil/app' }], issuer: ISSUER });
      const wrong = bundleJson(dsseEnvelope(other.privateKey, statement(DIGEST)), { certificate: other.der });
      assert.equal(rejectionOf(() => verifyBundle(keyless(), encode(wrong), DIGEST, NOW)).code, 'IDENTITY_MISMATCH');
    });
  });
});

describe('verify/cosign rejection codes', () => {
  it('reports the most specific code among attempts', () => {
    const attempt = (code: 'SIGNATURE_INVALID' | 'SUBJECT_MISMATCH' | 'PAYLOAD_INVALID') => ({ source: 's', format: 'cosign-legacy' as const, code, reason: 'r' });
    assert.equal(mostSpecificCode([], 'NO_SIGNATURES'), 'NO_SIGNATURES');
    assert.equal(mostSpecificCode([attempt('PAYLOAD_INVALID'), attempt('SIGNATURE_INVALID')], 'NO_SIGNATURES'), 'SIGNATURE_INVALID');
    assert.equal(mostSpecificCode([attempt('SIGNATURE_INVALID'), attempt('SUBJECT_MISMATCH')], 'NO_SIGNATURES'), 'SUBJECT_MISMATCH');
  });
});
