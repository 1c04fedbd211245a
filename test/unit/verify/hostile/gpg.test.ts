// Hostile OpenPGP messages (research/reliability.md §1.8, §6 row 35): issuer
// claims in the UNHASHED subpacket area (not covered by the signature) that
// point at a trusted key while another key signed. The message shapes of
// CVE-2025-47934 / CVE-2023-41037 (swapped inline data, cleartext, text
// signatures) are covered by test/unit/verify/simple-signing/verify-blob.test.ts.
import assert from 'node:assert/strict';
import { generateKey, readPrivateKey, type PrivateKey } from 'openpgp';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import { loadGpgKeyring, signSimpleSigning, verifySimpleSigningBlob } from '../../../../src/verify/simple-signing/index.ts';
import type { Packet } from '../../../../src/verify/simple-signing/packets.ts';
import { innerPackets, serialise } from '../simple-signing/message-builder.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function subpacket(type: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(body.length + 1, type), body]);
}

/** A v4 signature packet body with its unhashed area replaced (RFC 9580 §5.2.3). */
function withUnhashed(signature: Uint8Array, unhashed: Uint8Array): Buffer {
  const body = Buffer.from(signature);
  assert.equal(body[0], 4, 'a v4 signature');
  const hashedLength = body.readUInt16BE(4);
  const unhashedStart = 6 + hashedLength;
  const unhashedLength = body.readUInt16BE(unhashedStart);
  const rest = body.subarray(unhashedStart + 2 + unhashedLength);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(unhashed.length);
  return Buffer.concat([body.subarray(0, unhashedStart), length, unhashed, rest]);
}

/** The one-pass signature packet (v3) naming `keyId` instead. */
function withOnePassKeyId(onePass: Uint8Array, keyId: Uint8Array): Buffer {
  const body = Buffer.from(onePass);
  assert.equal(body[0], 3, 'a v3 one-pass signature packet');
  Buffer.from(keyId).copy(body, 4);
  return body;
}

async function keyPair(name: string): Promise<PrivateKey> {
  const { privateKey } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name }], date: new Date(Date.now() - 3_600_000), format: 'armored' });
  return readPrivateKey({ armoredKey: privateKey });
}

describe('hostile inputs: GPG unhashed subpackets', function () {
  this.timeout(60_000);

  it('an issuer key ID and fingerprint only in the unhashed area, naming a trusted key, while another key signed: SIGNATURE_INVALID', async () => {
    const trusted = await keyPair('trusted');
    const attacker = await keyPair('attacker');
    const blob = await signSimpleSigning({
      manifestDigest: DIGEST, dockerReference: 'registry.example/app:v1', privateKeyArmored: attacker.armor(), now: new Date(Date.now() - 60_000),
    });
    const [onePass, literal, signature] = innerPackets(blob);
    assert.ok(onePass?.tag === 4 && literal?.tag === 11 && signature?.tag === 2);
    const trustedId = Buffer.from(trusted.getKeyID().toHex(), 'hex');
    const forgedUnhashed = Buffer.concat([subpacket(16, trustedId), subpacket(33, Buffer.concat([Buffer.of(4), trusted.keyPacket.getFingerprintBytes() ?? new Uint8Array()]))]);
    const forged: Packet[] = [
      { ...onePass, body: withOnePassKeyId(onePass.body, trustedId) },
      literal,
      { ...signature, body: withUnhashed(signature.body, forgedUnhashed) },
    ];
    const keyring = await loadGpgKeyring([trusted.toPublic().write()]);
    await assert.rejects(verifySimpleSigningBlob(serialise(forged), keyring), (error: unknown) => {
      assert.ok(isRejectionError(error), String(error));
      assert.equal(error.code, 'SIGNATURE_INVALID', error.message);
      assert.match(error.message, /^invalid OpenPGP signature: /);
      return true;
    });
    // Control: the untouched message by the attacker names the attacker, who is not trusted.
    await assert.rejects(verifySimpleSigningBlob(blob, keyring), (error: unknown) => isRejectionError(error) && error.code === 'SIGNER_UNTRUSTED'
      && error.message === `signed by key ID ${attacker.getKeyID().toHex().toUpperCase()}, which is not in the trusted keyring`);
  });

  it('a trusted signature with an unhashed signature-expiration subpacket still verifies: unhashed data is never trusted', async () => {
    const trusted = await keyPair('trusted');
    const blob = await signSimpleSigning({
      manifestDigest: DIGEST, dockerReference: 'registry.example/app:v1', privateKeyArmored: trusted.armor(), now: new Date(Date.now() - 60_000),
    });
    const [onePass, literal, signature] = innerPackets(blob);
    assert.ok(onePass !== undefined && literal !== undefined && signature !== undefined);
    const keyring = await loadGpgKeyring([trusted.toPublic().write()]);
    // A signature-expiration subpacket (type 3) saying "expired 1 second after creation", unhashed: ignored, as gpg ignores it.
    const junk = Buffer.concat([subpacket(16, Buffer.from(trusted.getKeyID().toHex(), 'hex')), subpacket(3, Buffer.from([0, 0, 0, 1]))]);
    const verified = await verifySimpleSigningBlob(serialise([onePass, literal, { ...signature, body: withUnhashed(signature.body, junk) }]), keyring);
    assert.equal(verified.primaryFingerprint, trusted.getFingerprint().toUpperCase());
  });
});
