// Which keys bob signs with and how: the hash follows the ECDSA curve like
// sigstore's default signer, signatures are DER, and keys cosign would not
// verify from us (Ed25519: cosign uses Ed25519ph; short RSA) are refused.
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { isSignedBy, signBytes, toCosignSigner } from '../../../../src/verify/cosign/sign-key.ts';

const DATA = new TextEncoder().encode('payload');

describe('verify/cosign signing keys', () => {
  for (const [curve, hash] of [['P-256', 'sha256'], ['P-384', 'sha384'], ['P-521', 'sha512']] as const) {
    it(`signs with ECDSA ${curve} and ${hash}, DER-encoded`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const signer = toCosignSigner(privateKey);
      assert.equal(signer.hash, hash);
      const signature = signBytes(signer, DATA);
      assert.equal(signature[0], 0x30);
      assert.ok(verify(hash, DATA, { key: publicKey, dsaEncoding: 'der' }, signature));
      assert.ok(isSignedBy(signer, DATA, signature));
      assert.equal(isSignedBy(signer, new TextEncoder().encode('other'), signature), false);
    });
  }

  it('signs with RSA PKCS#1 v1.5 SHA-256 and refuses RSA below 2048 bits', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signer = toCosignSigner(privateKey);
    assert.ok(verify('sha256', DATA, publicKey, signBytes(signer, DATA)));
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    assert.throws(() => toCosignSigner(small), { code: 'SIGNING_FAILED', message: /at least 2048/ });
  });

  it('refuses Ed25519 keys and public keys', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    assert.throws(() => toCosignSigner(privateKey), { code: 'SIGNING_FAILED', message: /unsupported key type ed25519/ });
    assert.throws(() => toCosignSigner(publicKey), { code: 'SIGNING_FAILED', message: /private key is required/ });
  });

  it('does not take garbage for a signature of this key', () => {
    const signer = toCosignSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    assert.equal(isSignedBy(signer, DATA, new Uint8Array([1, 2, 3])), false);
  });
});
