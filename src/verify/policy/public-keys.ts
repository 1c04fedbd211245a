/**
 * Public keys of sigstoreSigned requirements, read like sigstore's
 * cryptoutils.UnmarshalPEMToPublicKey (first PEM block; "PUBLIC KEY" =
 * PKIX, "RSA PUBLIC KEY" = PKCS#1) and used like sigstore's LoadVerifier
 * with SHA-256 fixed (containers/image signature/internal/sigstore_payload.go):
 * ECDSA → ASN.1 DER signature over SHA-256, RSA → PKCS#1 v1.5 SHA-256,
 * Ed25519 → pure Ed25519.
 *
 * Deliberately not src/verify/public-key.ts: that one follows cosign
 * (ECDSA P-384/P-521 signatures over SHA-384/512 accepted, "RSA PUBLIC KEY"
 * and RSA < 2048 refused), while containers/image hashes with SHA-256 for
 * every key; reusing it would accept signatures skopeo rejects.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { decodePem } from './pem.ts';

/** Why a key cannot be used; the caller turns it into CONFIG_INVALID naming the field. */
export class PublicKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublicKeyError';
  }
}

/** Parses the first PEM block of `bytes` as a public key. Throws PublicKeyError. */
export function parsePemPublicKey(bytes: Uint8Array): KeyObject {
  const block = decodePem(Buffer.from(bytes).toString('latin1'));
  if (block === undefined) throw new PublicKeyError('PEM decoding failed');
  let key: KeyObject;
  try {
    if (block.type === 'PUBLIC KEY') key = createPublicKey({ key: Buffer.from(block.bytes), format: 'der', type: 'spki' });
    else if (block.type === 'RSA PUBLIC KEY') key = createPublicKey({ key: Buffer.from(block.bytes), format: 'der', type: 'pkcs1' });
    else throw new PublicKeyError(`unknown public key PEM file type ${JSON.stringify(block.type.slice(0, 40))}`);
  } catch (error) {
    if (error instanceof PublicKeyError) throw error;
    throw new PublicKeyError('the PEM block is not a valid public key');
  }
  if (!isSupportedKey(key)) throw new PublicKeyError(`unsupported public key type ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** The key types sigstore's LoadVerifier accepts. */
export function isSupportedKey(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'ed25519';
}

/** True when the key is ECDSA (Rekor keys must be). */
export function isEcdsaKey(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec';
}

/** The PKIX DER of a public key (what cryptoutils.MarshalPublicKeyToPEM wraps). */
export function toSpkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/** Verifies `signature` over `data` with SHA-256 (pure Ed25519 for Ed25519 keys); false on any failure. */
export function verifySha256Signature(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.asymmetricKeyType === 'ed25519') return verify(null, data, key, signature);
    if (key.asymmetricKeyType === 'ec') return verify('sha256', data, { key, dsaEncoding: 'der' }, signature);
    if (key.asymmetricKeyType === 'rsa') return verify('sha256', data, key, signature);
    return false;
  } catch {
    return false;
  }
}
