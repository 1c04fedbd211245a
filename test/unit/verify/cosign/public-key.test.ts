import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, constants } from 'node:crypto';
import { isBobError } from '../../../../src/shared/index.ts';
import { parsePublicKey, verifySignatureWithKey } from '../../../../src/verify/index.ts';
import { cosignSign, ecKey } from './helpers.ts';

const DATA = Buffer.from('{"critical":{}}');

function configErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isBobError(error, 'CONFIG_INVALID'), String(error));
    return error.message;
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('verify/public-key', () => {
  for (const curve of ['P-256', 'P-384', 'P-521']) {
    it(`verifies ECDSA ${curve} DER signatures over the curve's hash`, () => {
      const pair = ecKey(curve);
      const key = parsePublicKey('cosign.pub', pair.pem);
      assert.match(key.algorithm, /^ecdsa-p/);
      assert.equal(verifySignatureWithKey(key, DATA, cosignSign(pair.privateKey, DATA)), true);
      assert.equal(verifySignatureWithKey(key, Buffer.from('other'), cosignSign(pair.privateKey, DATA)), false);
      // cosign ≤ 2 signs every curve with SHA-256.
      assert.equal(verifySignatureWithKey(key, DATA, sign('sha256', DATA, pair.privateKey)), true);
      // Raw r||s (JWS style) is not cosign's encoding.
      assert.equal(verifySignatureWithKey(key, DATA, sign(null, DATA, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' })), false);
    });
  }

  it('computes the bundle key hint as base64(sha256(SPKI DER))', () => {
    const pair = ecKey();
    const expected = createHash('sha256').update(pair.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    assert.equal(parsePublicKey('k', pair.pem).hint, expected);
  });

  it('verifies RSA PKCS#1 v1.5 SHA-256 and refuses RSA-PSS', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = parsePublicKey('rsa.pub', pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    assert.equal(key.algorithm, 'rsa-pkcs1v15-sha256');
    assert.equal(verifySignatureWithKey(key, DATA, sign('sha256', DATA, pair.privateKey)), true);
    const pss = sign('sha256', DATA, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING });
    assert.equal(verifySignatureWithKey(key, DATA, pss), false);
  });

  it('verifies pure Ed25519 (Ed25519ph is not supported by node:crypto)', () => {
    const pair = generateKeyPairSync('ed25519');
    const key = parsePublicKey('ed.pub', pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    assert.equal(key.algorithm, 'ed25519');
    assert.equal(verifySignatureWithKey(key, DATA, sign(null, DATA, pair.privateKey)), true);
    assert.equal(verifySignatureWithKey(key, DATA, Buffer.alloc(64)), false);
  });

  it('refuses garbage, private keys, weak RSA and ambiguous PEM, naming the key', () => {
    assert.match(configErrorOf(() => parsePublicKey('garbage.pub', 'not a key')), /public key garbage\.pub: no PEM block/);
    const broken = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
    assert.match(configErrorOf(() => parsePublicKey('broken.pub', broken)), /broken\.pub: not a valid PKIX public key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.match(configErrorOf(() => parsePublicKey('private.pub', privatePem)), /"PRIVATE KEY", expected "PUBLIC KEY"/);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.match(configErrorOf(() => parsePublicKey('weak.pub', weak)), /weak\.pub: RSA key of 1024 bits/);
    const k1 = ecKey().pem;
    assert.match(configErrorOf(() => parsePublicKey('two.pub', k1 + ecKey().pem)), /more than one PEM block/);
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.match(configErrorOf(() => parsePublicKey('k1.pub', secp256k1)), /unsupported ECDSA curve secp256k1/);
  });

  it('never throws on a malformed signature', () => {
    const key = parsePublicKey('k', ecKey().pem);
    assert.equal(verifySignatureWithKey(key, DATA, Buffer.from([0x30, 0x02, 0x01])), false);
    assert.equal(verifySignatureWithKey(key, DATA, Buffer.alloc(0)), false);
  });
});
