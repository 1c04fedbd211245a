// cosign's encrypted key file: bob's keys round-trip, keys made by the real
// cosign 2 and 3 decrypt to the public key cosign wrote, and every broken
// input is refused with SIGNING_FAILED and a reason, never echoing the password.
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decryptPrivateKey, encryptPrivateKey, ENCRYPTED_KEY_PEM_TYPE, isEncryptedKeyFile, LEGACY_ENCRYPTED_KEY_PEM_TYPE,
  readPrivateKey, toPublicKeyPem,
} from '../../../../src/verify/cosign/key-file.ts';
import { generateCosignKeyPair } from '../../../../src/verify/cosign/key-file-generate.ts';
import { isBobError } from '../../../../src/shared/index.ts';
import { isolatedEnv } from '../../../env/peers.ts';
import { run } from '../../../env/run.ts';
import { toolPath } from '../../../env/tools.ts';

const PASSWORD = 'correct horse battery staple';

interface KeyJson {
  kdf: { name: string; params: unknown; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

/** The JSON inside a key file's PEM block. */
function innerJson(pem: string): KeyJson {
  const body = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
  return JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as KeyJson;
}

function rewrap(pem: string, json: unknown, type = ENCRYPTED_KEY_PEM_TYPE): string {
  const base64 = Buffer.from(JSON.stringify(json)).toString('base64');
  return `-----BEGIN ${type}-----\n${base64.replace(/(.{64})/g, '$1\n')}\n-----END ${type}-----\n`;
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; reason: unknown; message: string; errorClass: string }> {
  try {
    await promise;
  } catch (error) {
    if (isBobError(error)) return { code: error.code, reason: error.details['reason'], message: error.message, errorClass: error.errorClass };
    throw error;
  }
  assert.fail('expected a SIGNING_FAILED error');
}

describe('verify/cosign key file', function () {
  this.timeout(60_000);
  let pair: { privateKeyPem: string; publicKeyPem: string };

  before(async () => {
    pair = await generateCosignKeyPair(PASSWORD);
  });

  it('round-trips a generated ECDSA P-256 key in the format cosign writes', async () => {
    assert.match(pair.privateKeyPem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n(?:[A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n$/);
    assert.match(pair.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.ok(isEncryptedKeyFile(pair.privateKeyPem));
    const json = innerJson(pair.privateKeyPem);
    assert.deepEqual(Object.keys(json), ['kdf', 'cipher', 'ciphertext']);
    assert.deepEqual(json.kdf.params, { N: 65536, r: 8, p: 1 });
    assert.equal(json.kdf.name, 'scrypt');
    assert.equal(json.cipher.name, 'nacl/secretbox');
    assert.equal(Buffer.from(json.kdf.salt, 'base64').length, 32);
    assert.equal(Buffer.from(json.cipher.nonce, 'base64').length, 24);
    const key = await decryptPrivateKey(pair.privateKeyPem, PASSWORD);
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(toPublicKeyPem(key), pair.publicKeyPem);
  });

  for (const cosign of ['cosign2', 'cosign3'] as const) {
    it(`decrypts a key made by ${cosign} generate-key-pair to the public key it wrote`, async () => {
      const home = mkdtempSync(join(tmpdir(), `bob-keyfile-${cosign}-`));
      try {
        await run(toolPath(cosign), ['generate-key-pair'], { env: isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD }), cwd: home });
        const key = await decryptPrivateKey(readFileSync(join(home, 'cosign.key'), 'utf8'), PASSWORD);
        assert.equal(toPublicKeyPem(key), readFileSync(join(home, 'cosign.pub'), 'utf8'));
        const wrong = await failureOf(decryptPrivateKey(readFileSync(join(home, 'cosign.key'), 'utf8'), 'not it'));
        assert.equal(wrong.reason, 'password');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  }

  it('refuses a wrong password without naming it', async () => {
    const failure = await failureOf(decryptPrivateKey(pair.privateKeyPem, 'hunter2-wrong'));
    assert.equal(failure.code, 'SIGNING_FAILED');
    assert.equal(failure.reason, 'password');
    assert.equal(failure.errorClass, 'stalling');
    assert.match(failure.message, /^incorrect password/);
    assert.doesNotMatch(failure.message, /hunter2/);
  });

  it('refuses tampered ciphertext (the secretbox does not open)', async () => {
    const json = innerJson(pair.privateKeyPem);
    const ciphertext = Buffer.from(json.ciphertext, 'base64');
    ciphertext[10] = (ciphertext[10] ?? 0) ^ 1;
    const tampered = rewrap(pair.privateKeyPem, { ...json, ciphertext: ciphertext.toString('base64') });
    const failure = await failureOf(decryptPrivateKey(tampered, PASSWORD));
    assert.equal(failure.reason, 'password');
    assert.match(failure.message, /corrupted/);
  });

  for (const [what, params] of [
    ['N 16384', { N: 16384, r: 8, p: 1 }], ['N 262144', { N: 262144, r: 8, p: 1 }], ['r 16', { N: 65536, r: 16, p: 1 }],
    ['p 2', { N: 65536, r: 8, p: 2 }], ['N as a string', { N: '65536', r: 8, p: 1 }],
  ] as const) {
    it(`refuses unsupported scrypt parameters (${what}) before deriving anything`, async () => {
      const json = innerJson(pair.privateKeyPem);
      const failure = await failureOf(decryptPrivateKey(rewrap(pair.privateKeyPem, { ...json, kdf: { ...json.kdf, params } }), PASSWORD));
      assert.equal(failure.code, 'SIGNING_FAILED');
      assert.equal(failure.reason, 'kdf');
      assert.match(failure.message, /kdf\.params/);
    });
  }

  it('refuses other KDFs, ciphers, bad nonces and non-JSON blocks, naming the field', async () => {
    const json = innerJson(pair.privateKeyPem);
    const cases: [unknown, string, RegExp][] = [
      [{ ...json, kdf: { ...json.kdf, name: 'argon2' } }, 'kdf', /kdf\.name/],
      [{ ...json, cipher: { ...json.cipher, name: 'aes-gcm' } }, 'cipher', /cipher\.name/],
      [{ ...json, cipher: { ...json.cipher, nonce: Buffer.alloc(12).toString('base64') } }, 'cipher', /cipher\.nonce/],
      [{ ...json, ciphertext: 'not base64!' }, 'format', /ciphertext/],
      [{ ...json, kdf: 'scrypt' }, 'format', /"kdf"/],
    ];
    for (const [broken, reason, message] of cases) {
      const failure = await failureOf(decryptPrivateKey(rewrap(pair.privateKeyPem, broken), PASSWORD));
      assert.equal(failure.reason, reason, failure.message);
      assert.match(failure.message, message);
    }
    const notJson = `-----BEGIN ${ENCRYPTED_KEY_PEM_TYPE}-----\n${Buffer.from('{"kdf":1,"kdf":2}').toString('base64')}\n-----END ${ENCRYPTED_KEY_PEM_TYPE}-----\n`;
    assert.equal((await failureOf(decryptPrivateKey(notJson, PASSWORD))).reason, 'format');
  });

  it('reads the legacy ENCRYPTED COSIGN PRIVATE KEY header', async () => {
    const legacy = rewrap(pair.privateKeyPem, innerJson(pair.privateKeyPem), LEGACY_ENCRYPTED_KEY_PEM_TYPE);
    assert.match(legacy, /^-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----/);
    assert.equal(toPublicKeyPem(await decryptPrivateKey(legacy, PASSWORD)), pair.publicKeyPem);
  });

  it('encrypts with the legacy and OWASP scrypt costs too', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const scryptCost of [32768, 131072]) {
      const pem = await encryptPrivateKey(privateKey, '', { scryptCost });
      assert.deepEqual(innerJson(pem).kdf.params, { N: scryptCost, r: 8, p: 1 });
      assert.equal(toPublicKeyPem(await decryptPrivateKey(pem, '')), toPublicKeyPem(privateKey));
    }
    assert.equal((await failureOf(encryptPrivateKey(privateKey, '', { scryptCost: 1024 }))).reason, 'kdf');
  });

  it('reads unencrypted PEM keys without asking for a password, and refuses other PEM blocks', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const never = (): Promise<string> => Promise.reject(new Error('no password for an unencrypted key'));
    for (const pem of [
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
    ]) {
      const key: KeyObject = await readPrivateKey(pem, never);
      assert.equal(toPublicKeyPem(key), toPublicKeyPem(privateKey));
    }
    let asked = 0;
    const key = await readPrivateKey(pair.privateKeyPem, () => { asked++; return Promise.resolve(PASSWORD); });
    assert.equal(asked, 1);
    assert.equal(toPublicKeyPem(key), pair.publicKeyPem);
    const publicOnly = await failureOf(readPrivateKey(pair.publicKeyPem, never));
    assert.equal(publicOnly.reason, 'format');
    assert.match(publicOnly.message, /"PUBLIC KEY"/);
    assert.equal((await failureOf(readPrivateKey('no pem here', never))).reason, 'format');
    assert.equal((await failureOf(decryptPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), PASSWORD))).reason, 'format');
  });
});
