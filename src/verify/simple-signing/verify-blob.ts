/**
 * Verifying one simple-signing blob against a GPG keyring, as strictly as
 * containers/image's gpgme mechanism (signature/mechanism_gpgme.go: exactly
 * one signature; a bad status, an unknown key, an expired signature, an
 * expired or revoked key all fail) — research/signatures.md §3.2.
 *
 * openpgp.js is used for key handling and the signature arithmetic only. The
 * message structure is walked by signed-message.ts, and the signature is
 * verified as a DETACHED signature over exactly the literal data bytes we
 * return, never over "the data" the library extracts from an inline message
 * (CVE-2025-47934, research/reliability.md §1.8 and §6 row 35).
 */
import type { PublicKey, SignaturePacket, Subkey } from 'openpgp';
import { loadOpenpgp } from '../lazy-libraries.ts';
import { toSafeText } from '../../shared/index.ts';
import { RejectionError } from '../errors.ts';
import type { GpgKeyring } from './keyring.ts';
import { toSignedMessageParts, type SignedMessageParts } from './signed-message.ts';

export interface VerifiedSimpleSigningBlob {
  /** The primary key fingerprint of the signer (a subkey maps to its primary), upper-case hex. */
  readonly primaryFingerprint: string;
  /** The signed literal data: the payload JSON, not yet parsed. */
  readonly payload: Uint8Array;
}

export interface VerifyBlobOptions {
  /** When expiry and revocation are judged; default now. */
  readonly now?: Date;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? toSafeText(error.message, 160) : 'unknown error';
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

async function readSignaturePacket(parts: SignedMessageParts): Promise<SignaturePacket> {
  const { readSignature } = await loadOpenpgp();
  let packets: readonly SignaturePacket[];
  try {
    const signature = await readSignature({
      binarySignature: parts.signaturePacket,
      config: { ignoreUnsupportedPackets: false, ignoreMalformedPackets: false },
    });
    packets = signature.packets;
  } catch (error) {
    throw new RejectionError('SIGNATURE_INVALID', `unreadable OpenPGP signature packet: ${reasonOf(error)}`);
  }
  const [packet] = packets;
  if (packets.length !== 1 || packet === undefined) throw new RejectionError('SIGNATURE_INVALID', 'unreadable OpenPGP signature packet');
  return packet;
}

/** The one-pass header must describe the signature that follows (RFC 9580 §5.4). */
/** `binary` is openpgp's enums.signature.binary (type 0x00, RFC 9580 §5.2.1.1), passed in because the library loads lazily. */
function assertConsistent(parts: SignedMessageParts, signature: SignaturePacket, binary: SignaturePacket['signatureType']): void {
  if (signature.signatureType !== binary) {
    throw new RejectionError(
      'SIGNATURE_INVALID',
      `OpenPGP signature type 0x${(signature.signatureType ?? 0).toString(16).padStart(2, '0')} is not a binary document signature (0x00)`,
    );
  }
  const { onePass } = parts;
  const issuer = signature.issuerKeyID.toHex();
  const announced: readonly (number | null)[] = [signature.signatureType, signature.hashAlgorithm, signature.publicKeyAlgorithm];
  if (
    onePass.signatureType !== announced[0]
    || onePass.hashAlgorithm !== announced[1]
    || onePass.publicKeyAlgorithm !== announced[2]
    || (onePass.keyId !== undefined && onePass.keyId !== issuer)
    || (onePass.fingerprint !== undefined && (signature.issuerFingerprint === null || onePass.fingerprint !== hex(signature.issuerFingerprint)))
  ) {
    throw new RejectionError('SIGNATURE_INVALID', 'the one-pass signature header does not match the signature');
  }
  if (/^0+$/.test(issuer)) throw new RejectionError('SIGNATURE_INVALID', 'the OpenPGP signature names no issuer key');
}

interface Candidate {
  readonly key: PublicKey;
  readonly signer: PublicKey | Subkey;
}

function findCandidates(keyring: GpgKeyring, signature: SignaturePacket): Candidate[] {
  const candidates: Candidate[] = [];
  for (const key of keyring.keys) {
    for (const signer of key.getKeys(signature.issuerKeyID)) {
      // An issuer fingerprint, when present, must name this very key (key IDs can collide).
      if (signature.issuerFingerprint !== null && hex(signature.issuerFingerprint) !== signer.getFingerprint()) continue;
      candidates.push({ key, signer });
    }
  }
  return candidates;
}

function toUpperHex(id: string): string {
  return id.toUpperCase();
}

/** Revoked or expired at `now`: SIGNATURE_EXPIRED naming the key; otherwise an unusable key is untrusted. */
function classifyKeyFailure(error: unknown, what: string): RejectionError {
  const reason = reasonOf(error);
  if (/revoked/i.test(reason)) return new RejectionError('SIGNATURE_EXPIRED', `${what} is revoked`);
  if (/expired/i.test(reason)) return new RejectionError('SIGNATURE_EXPIRED', `${what} is expired`);
  return new RejectionError('SIGNER_UNTRUSTED', `${what} cannot be used to verify signatures: ${reason}`);
}

async function assertValidAt(candidate: Candidate, signature: SignaturePacket, now: Date): Promise<void> {
  const { key, signer } = candidate;
  const primary = `key ${toUpperHex(key.getFingerprint())}`;
  try {
    await key.verifyPrimaryKey(now);
  } catch (error) {
    throw classifyKeyFailure(error, primary);
  }
  if (signer !== key) {
    try {
      await (signer as Subkey).verify(now);
    } catch (error) {
      throw classifyKeyFailure(error, `subkey ${toUpperHex(signer.getKeyID().toHex())} of ${primary}`);
    }
  }
  try {
    // Signing capability, subkey back-signature, algorithm strength.
    await key.getSigningKey(signer.getKeyID(), now);
  } catch (error) {
    throw classifyKeyFailure(error, signer === key ? primary : `subkey ${toUpperHex(signer.getKeyID().toHex())} of ${primary}`);
  }
  const created = signature.created;
  if (created !== null && signer.getCreationTime() > created) {
    throw new RejectionError('SIGNATURE_INVALID', 'the signature is older than the key that made it');
  }
}

/**
 * Verifies a simple-signing blob: exactly one binary signature by a key (or
 * subkey) in `keyring`, valid now, over the message's literal data. Throws
 * RejectionError SIGNATURE_INVALID (malformed, unsigned, several
 * signatures, bad signature), SIGNER_UNTRUSTED (key not in the keyring or
 * not usable for signing) or SIGNATURE_EXPIRED (expired signature, expired
 * or revoked key or subkey).
 */
export async function verifySimpleSigningBlob(
  blob: Uint8Array, keyring: GpgKeyring, options: VerifyBlobOptions = {},
): Promise<VerifiedSimpleSigningBlob> {
  const { createMessage, enums, readSignature, verify } = await loadOpenpgp();
  const now = options.now ?? new Date();
  const parts = toSignedMessageParts(blob);
  const signature = await readSignaturePacket(parts);
  assertConsistent(parts, signature, enums.signature.binary);
  const created = signature.created;
  if (created === null) throw new RejectionError('SIGNATURE_INVALID', 'the OpenPGP signature has no creation time');
  const candidates = findCandidates(keyring, signature);
  if (candidates.length === 0) {
    throw new RejectionError(
      'SIGNER_UNTRUSTED',
      `signed by key ID ${toUpperHex(signature.issuerKeyID.toHex())}, which is not in the trusted keyring`,
    );
  }
  // The data the signature must cover: our literal bytes in a fresh literal packet, verified detached.
  const message = await createMessage({ binary: parts.literal.data, format: 'binary' });
  const [literalPacket] = message.packets;
  let signer: Candidate | undefined;
  let failure: unknown;
  for (const candidate of candidates) {
    try {
      // Judged as of its own creation time here: expiry against `now` is checked below, with its own code.
      await signature.verify(candidate.signer.keyPacket, enums.signature.binary, literalPacket ?? {}, created, true);
      signer = candidate;
      break;
    } catch (error) {
      failure = error;
    }
  }
  if (signer === undefined) throw new RejectionError('SIGNATURE_INVALID', `invalid OpenPGP signature: ${reasonOf(failure)}`);
  if (created > now) throw new RejectionError('SIGNATURE_INVALID', `the signature was created in the future (${created.toISOString()})`);
  if (signature.isExpired(now)) {
    const expiry = signature.getExpirationTime();
    throw new RejectionError('SIGNATURE_EXPIRED', `the signature expired at ${expiry instanceof Date ? expiry.toISOString() : 'an unknown time'}`);
  }
  await assertValidAt(signer, signature, now);
  // Belt and braces: openpgp.js's own complete check of the same detached signature must agree.
  const detached = await readSignature({ binarySignature: parts.signaturePacket });
  const result = await verify({ message, signature: detached, verificationKeys: [signer.key], date: now, expectSigned: true, format: 'binary' })
    .then(async (verification) => verification.signatures[0]?.verified)
    .catch((error: unknown) => { throw new RejectionError('SIGNATURE_INVALID', `invalid OpenPGP signature: ${reasonOf(error)}`); });
  if (result !== true) throw new RejectionError('SIGNATURE_INVALID', 'invalid OpenPGP signature');
  return { primaryFingerprint: toUpperHex(signer.key.getFingerprint()), payload: parts.literal.data };
}
