// bob's simple-signing signatures look like gpg's (compressed, `a3 01`),
// carry skopeo's payload layout, and the real gpg verifies them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { isBobError } from '../../../../src/shared/index.ts';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import {
  SIMPLE_SIGNING_TYPE, loadGpgKeyring, parseSignaturePayload, signSimpleSigning, verifySimpleSignature, verifySimpleSigningBlob,
} from '../../../../src/verify/simple-signing/index.ts';
import { run } from '../../../env/run.ts';
import { toolPath } from '../../../env/tools.ts';
import { Gpg } from './gpg.ts';
import { innerPackets } from './message-builder.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('verify: simple signing signing', function () {
  this.timeout(60_000);

  it('writes a compressed signed message with skopeo\'s payload, which gpg itself verifies', async () => {
    const gpg = new Gpg('simple-signing-sign');
    const fingerprint = await gpg.generateKey('bob signer <signer@example.test>');
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const blob = await signSimpleSigning({
      manifestDigest: DIGEST, dockerReference: 'example.test/app:v1', privateKeyArmored: await gpg.exportSecretArmored(fingerprint),
      creator: 'bob 0.1.0', now,
    });
    assert.deepEqual([...blob.subarray(0, 2)], [0xa3, 0x01]);
    assert.deepEqual(innerPackets(blob).map((packet) => packet.tag), [4, 11, 2]);
    const verified = await verifySimpleSigningBlob(blob, await loadGpgKeyring([await gpg.exportPublic(fingerprint)]));
    assert.equal(verified.primaryFingerprint, fingerprint);
    assert.equal(Buffer.from(verified.payload).toString(),
      `{"critical":{"identity":{"docker-reference":"example.test/app:v1"},"image":{"docker-manifest-digest":"${DIGEST}"},`
      + `"type":"atomic container signature"},"optional":{"creator":"bob 0.1.0","timestamp":${String(now.getTime() / 1000)}}}`);
    assert.equal(parseSignaturePayload(verified.payload, SIMPLE_SIGNING_TYPE).dockerManifestDigest, DIGEST);
    const file = join(gpg.home, 'bob.sig');
    writeFileSync(file, blob);
    const checked = await run(toolPath('gpg'), ['--batch', '--status-fd', '1', '--verify', file], { env: gpg.env });
    assert.match(checked.stdout, new RegExp(`\\[GNUPG:\\] VALIDSIG ${fingerprint} `));
  });

  it('verifySimpleSignature checks the signed digest after the cryptography (SUBJECT_MISMATCH)', async () => {
    const { privateKey, publicKey } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'd' }], format: 'armored' });
    const keyring = await loadGpgKeyring([Buffer.from(publicKey)]);
    const manifest = Buffer.from('{"schemaVersion":2}');
    const sha256 = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    const sha512 = `sha512:${createHash('sha512').update(manifest).digest('hex')}`;
    const blob = await signSimpleSigning({ manifestDigest: sha512, dockerReference: 'example.test/app:v1', privateKeyArmored: privateKey });
    assert.equal((await verifySimpleSignature(blob, keyring, sha512)).payload.dockerReference, 'example.test/app:v1');
    // containers/image hashes the manifest with the signature's algorithm: the same manifest by sha256 matches.
    assert.equal((await verifySimpleSignature(blob, keyring, sha256, { manifestBytes: manifest })).payload.dockerManifestDigest, sha512);
    for (const [digest, bytes] of [[sha256, undefined], [DIGEST, Buffer.from('other')]] as const) {
      await assert.rejects(verifySimpleSignature(blob, keyring, digest, bytes === undefined ? {} : { manifestBytes: bytes }), (error: unknown) =>
        isRejectionError(error) && error.code === 'SUBJECT_MISMATCH' && error.message.includes(`is for manifest ${sha512}, not ${digest}`));
    }
  });

  it('unlocks a passphrase-protected key and refuses a wrong or missing passphrase', async () => {
    const { privateKey } = await generateKey({
      type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'locked' }], passphrase: 'correct horse', format: 'armored',
    });
    const base = { manifestDigest: DIGEST, dockerReference: 'example.test/app:v1', privateKeyArmored: privateKey };
    assert.ok((await signSimpleSigning({ ...base, passphrase: 'correct horse' })).length > 0);
    for (const [options, message] of [
      [{ ...base, passphrase: 'wrong' }, /could not be decrypted/],
      [base, /encrypted and no passphrase/],
    ] as const) {
      await assert.rejects(signSimpleSigning(options), (error: unknown) =>
        isBobError(error, 'SIGNING_FAILED') && message.test(error.message) && !error.message.includes('wrong'));
    }
  });

  it('refuses a bad digest, reference or key with SIGNING_FAILED', async () => {
    const { privateKey } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'k' }], format: 'armored' });
    const base = { manifestDigest: DIGEST, dockerReference: 'example.test/app:v1', privateKeyArmored: privateKey };
    for (const options of [
      { ...base, manifestDigest: 'sha256:abc' },
      { ...base, dockerReference: 'Example.test/App' },
      { ...base, dockerReference: 'oci://example.test/app' },
      { ...base, privateKeyArmored: 'not a key' },
    ]) {
      await assert.rejects(signSimpleSigning(options), (error: unknown) => isBobError(error, 'SIGNING_FAILED'));
    }
  });
});
