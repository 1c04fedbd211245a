// Simple-signing blobs made by the real gpg (and by openpgp.js in-process)
// are verified as containers/image's gpgme mechanism does, and every message
// shape other than [compressed] one-pass signature + literal + signature is
// refused before cryptography (openpgp.js CVE-2025-47934; reliability.md §6
// row 35).
import assert from 'node:assert/strict';
import { createMessage, enums, generateKey, readKey, readPrivateKey, sign, type SecretKeyPacket } from 'openpgp';
import { isBobError } from '../../../../src/shared/index.ts';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import {
  loadGpgKeyring, signSimpleSigning, verifySimpleSigningBlob, type GpgKeyring,
} from '../../../../src/verify/simple-signing/index.ts';
import { Gpg, T0 } from './gpg.ts';
import { compressed, innerPackets, literal, packet, serialise } from './message-builder.ts';

const PAYLOAD = '{"critical":{"identity":{"docker-reference":"example.test/app:v1"},"image":{"docker-manifest-digest":"sha256:'
  + 'a'.repeat(64) + '"},"type":"atomic container signature"},"optional":{"creator":"test","timestamp":1700000000}}';

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRejectionError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new assert.AssertionError({ message: 'expected a RejectionError' });
}

describe('verify: simple signing blob verification', function () {
  this.timeout(60_000);
  const gpg = new Gpg('simple-signing-verify');
  let signer: string;
  let other: string;
  let keyring: GpgKeyring;
  let signed: Buffer;

  before(async () => {
    signer = await gpg.generateKey('signer <signer@example.test>');
    other = await gpg.generateKey('other <other@example.test>');
    keyring = await loadGpgKeyring([await gpg.exportPublic(signer)]);
    signed = await gpg.sign(PAYLOAD, { localUser: signer });
  });

  describe('accepts what gpg --sign makes', () => {
    it('a compressed message (a3 01 …): payload and primary fingerprint', async () => {
      assert.deepEqual([...signed.subarray(0, 2)], [0xa3, 0x01]);
      const verified = await verifySimpleSigningBlob(signed, keyring);
      assert.equal(verified.primaryFingerprint, signer);
      assert.equal(Buffer.from(verified.payload).toString(), PAYLOAD);
    });

    it('an uncompressed message (gpg -z 0)', async () => {
      const plain = await gpg.sign(PAYLOAD, { localUser: signer, extra: ['-z', '0'] });
      assert.equal(plain[0], 0x90); // old-format one-pass signature: no compression
      const verified = await verifySimpleSigningBlob(plain, keyring);
      assert.equal(Buffer.from(verified.payload).toString(), PAYLOAD);
    });

    it('literal data with partial body lengths (gpg reading stdin, as gpgme feeds it)', async () => {
      // gpg buffers small input; past its buffer it streams the literal data in partial-length chunks.
      const large = PAYLOAD + ' '.repeat(100_000);
      const streamed = await gpg.gpg(['--local-user', signer, '-z', '0', '--sign'], { input: large });
      // Skip the one-pass signature packet (old format, tag 4, one-byte length) by its header: searching for
      // the literal packet's tag byte could hit the same value inside the signer's key ID.
      assert.equal(streamed[0], 0x90, 'expected an old-format one-pass signature packet first');
      const literalHeader = 2 + (streamed[1] ?? 0);
      assert.equal(streamed[literalHeader], 0xcb, 'expected a new-format literal data packet');
      assert.ok((streamed[literalHeader + 1] ?? 0) >= 224, 'expected a partial body length');
      assert.equal(Buffer.from((await verifySimpleSigningBlob(streamed, keyring)).payload).toString(), large);
      const compressedStream = await gpg.gpg(['--local-user', signer, '--sign'], { input: large });
      assert.equal(Buffer.from((await verifySimpleSigningBlob(compressedStream, keyring)).payload).toString(), large);
    });

    it('ZLIB compression too (gpg --compress-algo zlib)', async () => {
      const zlib = await gpg.sign(PAYLOAD, { localUser: signer, extra: ['--compress-algo', 'zlib'] });
      assert.equal(zlib[1], 2);
      assert.equal((await verifySimpleSigningBlob(zlib, keyring)).primaryFingerprint, signer);
    });

    it('a signature by a subkey, reported as its PRIMARY fingerprint', async () => {
      const primary = await gpg.generateKey('subkey owner <sub@example.test>', { usage: 'cert' });
      const subkey = await gpg.addSigningSubkey(primary);
      const blob = await gpg.sign(PAYLOAD, { localUser: `${subkey}!` });
      const verified = await verifySimpleSigningBlob(blob, await loadGpgKeyring([await gpg.exportPublic(primary)]));
      assert.equal(verified.primaryFingerprint, primary);
      assert.notEqual(verified.primaryFingerprint, subkey);
    });

    it('a message signed in-process by openpgp.js (signSimpleSigning)', async () => {
      const { privateKey, publicKey } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'bob' }], format: 'armored' });
      const blob = await signSimpleSigning({
        manifestDigest: `sha256:${'b'.repeat(64)}`, dockerReference: 'example.test/app:v1', privateKeyArmored: privateKey,
      });
      const verified = await verifySimpleSigningBlob(blob, await loadGpgKeyring([Buffer.from(publicKey)]));
      assert.equal(verified.primaryFingerprint, (await readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase());
      assert.match(Buffer.from(verified.payload).toString(), /"docker-manifest-digest":"sha256:b{64}"/);
    });
  });

  describe('refuses other message shapes (SIGNATURE_INVALID)', () => {
    it('inline message whose literal data was swapped for other bytes of the same length', async () => {
      const [onePass, lit, sig] = innerPackets(await gpg.sign(PAYLOAD, { localUser: signer, extra: ['-z', '0'] }));
      assert.ok(onePass !== undefined && lit !== undefined && sig !== undefined);
      const evil = PAYLOAD.replace('example.test/app:v1', 'example.test/evi:v1');
      assert.equal(evil.length, PAYLOAD.length);
      const swapped = Buffer.concat([packet(4, onePass.body), literal(evil), packet(2, sig.body)]);
      const result = await rejection(verifySimpleSigningBlob(swapped, keyring));
      assert.equal(result.code, 'SIGNATURE_INVALID');
      assert.match(result.message, /invalid OpenPGP signature/);
    });

    it('extra literal data around a valid signed message (the CVE-2025-47934 shape)', async () => {
      const packets = innerPackets(signed);
      const before = Buffer.concat([literal('{"evil":true}'), serialise(packets)]);
      const after = Buffer.concat([serialise(packets), literal('{"evil":true}')]);
      for (const blob of [before, after, compressed(before), compressed(after), Buffer.concat([compressed(serialise(packets), 0), literal('{}')])]) {
        const result = await rejection(verifySimpleSigningBlob(blob, keyring));
        assert.equal(result.code, 'SIGNATURE_INVALID');
        assert.match(result.message, /unexpected OpenPGP packet sequence/);
      }
      // gpg's compressed packet runs to the end of the data: bytes after the deflate stream are refused, not ignored.
      const afterStream = await rejection(verifySimpleSigningBlob(Buffer.concat([signed, literal('{"evil":true}')]), keyring));
      assert.equal(afterStream.code, 'SIGNATURE_INVALID');
      assert.match(afterStream.message, /data after the end of the compressed stream/);
    });

    it('nested compression', async () => {
      const result = await rejection(verifySimpleSigningBlob(compressed(signed), keyring));
      assert.equal(result.code, 'SIGNATURE_INVALID');
      assert.match(result.message, /nested compressed data/);
    });

    it('cleartext-signed and armored text', async () => {
      const clear = await gpg.gpg(['--local-user', signer, '--clearsign'], { input: PAYLOAD });
      const armored = await gpg.gpg(['--local-user', signer, '--armor', '--sign'], { input: PAYLOAD });
      for (const blob of [clear, armored]) {
        const result = await rejection(verifySimpleSigningBlob(blob, keyring));
        assert.equal(result.code, 'SIGNATURE_INVALID');
        assert.match(result.message, /ASCII-armored or cleartext-signed/);
      }
    });

    it('two signatures', async () => {
      const second = await gpg.sign(PAYLOAD, { localUser: [signer, other] });
      const result = await rejection(verifySimpleSigningBlob(second, await loadGpgKeyring([await gpg.exportPublic(signer), await gpg.exportPublic(other)])));
      assert.equal(result.code, 'SIGNATURE_INVALID');
      assert.match(result.message, /carries 2 signatures; exactly one is required/);
    });

    it('a signature that is not a binary document signature (gpg --textmode: type 0x01)', async () => {
      const text = await gpg.sign(PAYLOAD, { localUser: signer, extra: ['--textmode'] });
      const result = await rejection(verifySimpleSigningBlob(text, keyring));
      assert.equal(result.code, 'SIGNATURE_INVALID');
      assert.match(result.message, /signature type 0x01 is not a binary document signature/);
    });

    it('unsigned literal data (gpg --store), compressed or not', async () => {
      const stored = await gpg.gpg(['--store'], { input: PAYLOAD });
      for (const blob of [stored, literal(PAYLOAD), compressed(literal(PAYLOAD))]) {
        const result = await rejection(verifySimpleSigningBlob(blob, keyring));
        assert.equal(result.code, 'SIGNATURE_INVALID');
        assert.match(result.message, /not signed/);
      }
    });

    it('a signature packet without its one-pass header, or packets out of order', async () => {
      const [onePass, lit, sig] = innerPackets(signed);
      assert.ok(onePass !== undefined && lit !== undefined && sig !== undefined);
      for (const order of [[sig, lit], [lit, sig], [onePass, sig, lit], [sig, onePass, lit]]) {
        const result = await rejection(verifySimpleSigningBlob(serialise(order), keyring));
        assert.equal(result.code, 'SIGNATURE_INVALID');
      }
    });

    it('a one-pass header that does not match its signature', async () => {
      const [onePass, lit, sig] = innerPackets(signed);
      assert.ok(onePass !== undefined && lit !== undefined && sig !== undefined);
      const header = Buffer.from(onePass.body);
      header[2] = header[2] === 8 ? 10 : 8; // another hash algorithm
      const result = await rejection(verifySimpleSigningBlob(serialise([{ ...onePass, body: header }, lit, sig]), keyring));
      assert.equal(result.code, 'SIGNATURE_INVALID');
      assert.match(result.message, /one-pass signature header does not match/);
    });

    it('corrupt bytes: truncated, garbage, a damaged signature value, empty', async () => {
      const [onePass, lit, sig] = innerPackets(signed);
      assert.ok(onePass !== undefined && lit !== undefined && sig !== undefined);
      const damaged = Buffer.from(sig.body);
      damaged[damaged.length - 5] = (damaged[damaged.length - 5] ?? 0) ^ 0xff;
      const blobs = [
        signed.subarray(0, signed.length - 20), Buffer.from('garbage'), Buffer.alloc(0),
        serialise([onePass, lit, { ...sig, body: damaged }]), Buffer.of(0xa3, 0x01, 0xff, 0xff),
      ];
      for (const blob of blobs) {
        const result = await rejection(verifySimpleSigningBlob(blob, keyring));
        assert.equal(result.code, 'SIGNATURE_INVALID', result.message);
      }
    });

    it('a compressed message that expands beyond the cap', async () => {
      const bomb = compressed(literal(Buffer.alloc(5 * 1024 * 1024)));
      const result = await rejection(verifySimpleSigningBlob(bomb, keyring));
      assert.equal(result.code, 'SIGNATURE_INVALID');
      assert.match(result.message, /expands beyond/);
    });
  });

  describe('trust and time', () => {
    it('an unknown signer is SIGNER_UNTRUSTED, naming its key ID', async () => {
      const result = await rejection(verifySimpleSigningBlob(signed, await loadGpgKeyring([await gpg.exportPublic(other)])));
      assert.equal(result.code, 'SIGNER_UNTRUSTED');
      assert.match(result.message, new RegExp(`key ID ${signer.slice(-16)}, which is not in the trusted keyring`));
    });

    it('an expired signature is SIGNATURE_EXPIRED (gpg --default-sig-expire under --faked-system-time)', async () => {
      const key = await gpg.generateKey('sig expiry <sigexp@example.test>', { fakedTime: T0 });
      const blob = await gpg.sign(PAYLOAD, { localUser: key, fakedTime: T0 + 86_400, sigExpire: '1d' });
      const ring = await loadGpgKeyring([await gpg.exportPublic(key)]);
      const result = await rejection(verifySimpleSigningBlob(blob, ring));
      assert.equal(result.code, 'SIGNATURE_EXPIRED');
      assert.match(result.message, /the signature expired at 2020-01-03T00:00:00/);
      const valid = await verifySimpleSigningBlob(blob, ring, { now: new Date((T0 + 86_400 + 3600) * 1000) });
      assert.equal(valid.primaryFingerprint, key);
    });

    it('an expired key is SIGNATURE_EXPIRED naming the key', async () => {
      const key = await gpg.generateKey('key expiry <keyexp@example.test>', { fakedTime: T0, expire: '1d' });
      const blob = await gpg.sign(PAYLOAD, { localUser: key, fakedTime: T0 + 3600 });
      const ring = await loadGpgKeyring([await gpg.exportPublic(key)]);
      const result = await rejection(verifySimpleSigningBlob(blob, ring));
      assert.equal(result.code, 'SIGNATURE_EXPIRED');
      assert.equal(result.message, `key ${key} is expired`);
      assert.equal((await verifySimpleSigningBlob(blob, ring, { now: new Date((T0 + 7200) * 1000) })).primaryFingerprint, key);
    });

    it('a revoked primary key (gpg revocation certificate imported) is SIGNATURE_EXPIRED', async () => {
      const key = await gpg.generateKey('revoked <revoked@example.test>');
      const blob = await gpg.sign(PAYLOAD, { localUser: key });
      const before = await gpg.exportPublic(key);
      await gpg.revoke(key);
      const result = await rejection(verifySimpleSigningBlob(blob, await loadGpgKeyring([await gpg.exportPublic(key)])));
      assert.equal(result.code, 'SIGNATURE_EXPIRED');
      assert.equal(result.message, `key ${key} is revoked`);
      // The revocation merged into an older copy of the key counts too.
      const merged = await rejection(verifySimpleSigningBlob(blob, await loadGpgKeyring([before, await gpg.exportPublic(key, true)])));
      assert.equal(merged.code, 'SIGNATURE_EXPIRED');
    });

    it('a revoked signing subkey is SIGNATURE_EXPIRED naming the subkey (openpgp.js in-process)', async () => {
      const { privateKey } = await generateKey({
        type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'sub' }], subkeys: [{ sign: true }], format: 'object',
      });
      const subkey = privateKey.subkeys[0];
      assert.ok(subkey !== undefined);
      const message = await createMessage({ binary: new TextEncoder().encode(PAYLOAD) });
      const blob: unknown = await sign({ message, signingKeys: privateKey, format: 'binary', signingKeyIDs: subkey.getKeyID() });
      assert.ok(blob instanceof Uint8Array);
      const valid = await verifySimpleSigningBlob(blob, await loadGpgKeyring([privateKey.toPublic().write()]));
      assert.equal(valid.primaryFingerprint, privateKey.getFingerprint().toUpperCase());
      const revoked = await readPrivateKey({ binaryKey: privateKey.write() });
      const revokedSubkey = revoked.subkeys[0];
      assert.ok(revokedSubkey !== undefined);
      revoked.subkeys[0] = await revokedSubkey.revoke(revoked.keyPacket as SecretKeyPacket, { flag: enums.reasonForRevocation.keyCompromised });
      const result = await rejection(verifySimpleSigningBlob(blob, await loadGpgKeyring([revoked.toPublic().write()])));
      assert.equal(result.code, 'SIGNATURE_EXPIRED');
      assert.equal(result.message, `subkey ${subkey.getKeyID().toHex().toUpperCase()} of key ${privateKey.getFingerprint().toUpperCase()} is revoked`);
    });

    it('a signature from the future is SIGNATURE_INVALID', async () => {
      const result = await rejection(verifySimpleSigningBlob(signed, keyring, { now: new Date(T0 * 1000) }));
      assert.equal(result.code, 'SIGNATURE_INVALID');
      assert.match(result.message, /created in the future/);
    });
  });

  describe('keyring loading', () => {
    it('reads binary and armored keys, several per input, merged by fingerprint', async () => {
      const binary = await gpg.exportPublic(signer);
      const armoredBoth = Buffer.concat([await gpg.exportPublic(signer, true), Buffer.from('\n'), await gpg.exportPublic(other, true)]);
      const ring = await loadGpgKeyring([binary, armoredBoth, Buffer.concat([binary, await gpg.exportPublic(other)])]);
      assert.deepEqual(ring.fingerprints, [signer, other]);
      assert.equal((await verifySimpleSigningBlob(signed, ring)).primaryFingerprint, signer);
    });

    it('accepts an armored secret key block, keeping only the public part', async () => {
      const ring = await loadGpgKeyring([Buffer.from(await gpg.exportSecretArmored(signer))]);
      assert.deepEqual(ring.fingerprints, [signer]);
      assert.equal(ring.keys[0]?.isPrivate(), false);
    });

    it('refuses garbage, empty input and an empty list with CONFIG_INVALID', async () => {
      const cases: [Uint8Array[], RegExp][] = [
        [[Buffer.from('not a key')], /GPG key entry 1 is not an OpenPGP public key/],
        [[await gpg.exportPublic(signer), Buffer.alloc(0)], /GPG key entry 2 is empty/],
        [[Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbroken\n-----END PGP PUBLIC KEY BLOCK-----\n')], /entry 1 is not an OpenPGP public key/],
        [[Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\nunterminated')], /entry 1 is not an OpenPGP public key/],
        [[], /no public keys given/],
      ];
      for (const [input, expected] of cases) {
        await assert.rejects(loadGpgKeyring(input), (error: unknown) => isBobError(error, 'CONFIG_INVALID') && expected.test(error.message));
      }
    });
  });
});
