/**
 * Signing a manifest digest the way `skopeo standalone-sign` and
 * `skopeo copy --sign-by` do (containers/image signature/docker.go,
 * signature/simple.go; research/signatures.md §3.1-§3.3): the payload as
 * containers/image marshals it, in a binary OpenPGP signed message
 * compressed like gpg's default output (old-format compressed data packet,
 * ZIP: the blob starts `a3 01`), ready to be stored as a lookaside
 * `signature-N` or through the registry extension.
 */
import { deflateRawSync } from 'node:zlib';
import type { PrivateKey } from 'openpgp';
import { loadOpenpgp } from '../lazy-libraries.ts';
import { isDigest, toSafeText } from '../../shared/index.ts';
import { parseReference } from '../../oci/index.ts';
import { verifyError } from '../errors.ts';
import { toSimpleSigningPayload } from './payload.ts';

export interface SignSimpleSigningOptions {
  /** The digest of the manifest bytes being signed. */
  readonly manifestDigest: string;
  /** The identity claimed, e.g. `registry.example/app:v1`, stored verbatim. */
  readonly dockerReference: string;
  /** An ASCII-armored OpenPGP private key; a signing subkey is used when it has one. */
  readonly privateKeyArmored: string;
  /** Required when the key is encrypted. */
  readonly passphrase?: string;
  /** `optional.creator`; default `bob`. */
  readonly creator?: string;
  /** The signature time and `optional.timestamp`; default now. */
  readonly now?: Date;
}

/** Old-format packet header, tag 8 (compressed data), indeterminate length; algorithm 1 = ZIP (RFC 9580 §4.2.2, §9.4). */
const COMPRESSED_ZIP_HEADER = Uint8Array.of(0xa3, 0x01);

function signingFailed(message: string, cause?: unknown): Error {
  return verifyError('SIGNING_FAILED', message, { errorClass: 'stalling', ...(cause === undefined ? {} : { cause }) });
}

async function unlockKey(armored: string, passphrase: string | undefined): Promise<PrivateKey> {
  const { decryptKey, readPrivateKey } = await loadOpenpgp();
  let key: PrivateKey;
  try {
    key = await readPrivateKey({ armoredKey: armored });
  } catch (error) {
    throw signingFailed(`not an ASCII-armored OpenPGP private key: ${error instanceof Error ? toSafeText(error.message, 120) : 'unreadable'}`);
  }
  if (key.isDecrypted()) return key;
  if (passphrase === undefined) throw signingFailed('the OpenPGP private key is encrypted and no passphrase was given');
  try {
    return await decryptKey({ privateKey: key, passphrase });
  } catch {
    // The library's message could echo nothing secret, but say no more than needed.
    throw signingFailed('the OpenPGP private key could not be decrypted with the given passphrase');
  }
}

/** A simple-signing blob for `manifestDigest` claiming `dockerReference`. Throws SIGNING_FAILED for unusable input or keys. */
export async function signSimpleSigning(options: SignSimpleSigningOptions): Promise<Uint8Array> {
  if (!isDigest(options.manifestDigest)) throw signingFailed(`manifest digest ${JSON.stringify(String(options.manifestDigest).slice(0, 80))} is not valid`);
  if (options.dockerReference.startsWith('oci://')) throw signingFailed('the docker reference must not carry a scheme');
  try {
    parseReference(options.dockerReference);
  } catch (error) {
    throw signingFailed(`docker reference ${JSON.stringify(options.dockerReference.slice(0, 200))} is not valid`, error);
  }
  const now = options.now ?? new Date();
  const payload = toSimpleSigningPayload({
    dockerManifestDigest: options.manifestDigest,
    dockerReference: options.dockerReference,
    creator: options.creator ?? 'bob',
    timestamp: Math.floor(now.getTime() / 1000),
  });
  const key = await unlockKey(options.privateKeyArmored, options.passphrase);
  const { createMessage, sign } = await loadOpenpgp();
  let signed: unknown;
  try {
    const message = await createMessage({ binary: payload, format: 'binary' });
    signed = await sign({ message, signingKeys: key, format: 'binary', date: now });
  } catch (error) {
    throw signingFailed(`OpenPGP signing failed: ${error instanceof Error ? toSafeText(error.message, 120) : 'unknown error'}`);
  }
  if (!(signed instanceof Uint8Array)) throw signingFailed('OpenPGP signing returned no binary message');
  return Buffer.concat([COMPRESSED_ZIP_HEADER, deflateRawSync(signed)]);
}
