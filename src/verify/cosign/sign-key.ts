/**
 * Signing with a cosign key the way sigstore's default signer does
 * (sigstore/pkg/signature LoadDefaultSignerVerifier): ECDSA with the hash
 * that matches the curve (P-256 SHA-256, P-384 SHA-384, P-521 SHA-512),
 * ASN.1 DER signatures; RSA PKCS#1 v1.5 with SHA-256. Ed25519 is refused:
 * cosign signs with Ed25519ph, which node:crypto cannot produce, and a pure
 * Ed25519 signature would not verify in cosign (research/signatures.md §8
 * pitfall 3).
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { verifyError } from '../errors.ts';
import { toKeyHint } from '../public-key.ts';

export type SigningHash = 'sha256' | 'sha384' | 'sha512';

/** A private key ready to sign, with its public half and cosign's key hint. */
export interface CosignSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly hash: SigningHash;
  /** base64(sha256(SPKI DER)): `verificationMaterial.publicKey.hint` of keyed bundles. */
  readonly keyHint: string;
}

const CURVE_HASHES: Readonly<Record<string, SigningHash>> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

function toSigningHash(privateKey: KeyObject): SigningHash {
  const type = privateKey.asymmetricKeyType;
  if (type === 'ec') {
    const curve = privateKey.asymmetricKeyDetails?.namedCurve ?? '';
    const hash = CURVE_HASHES[curve];
    if (hash !== undefined) return hash;
    throw verifyError('SIGNING_FAILED', `unsupported ECDSA curve ${curve || '(unknown)'}: cosign keys use P-256, P-384 or P-521`, { errorClass: 'stalling' });
  }
  if (type === 'rsa') {
    const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits >= 2048) return 'sha256';
    throw verifyError('SIGNING_FAILED', `RSA key of ${String(bits)} bits: cosign requires at least 2048`, { errorClass: 'stalling' });
  }
  throw verifyError('SIGNING_FAILED', `unsupported key type ${type ?? '(unknown)'}: use an ECDSA (P-256/384/521) or RSA key`, { errorClass: 'stalling' });
}

/** A signer for a private key; throws SIGNING_FAILED for key types cosign cannot verify from us. */
export function toCosignSigner(privateKey: KeyObject): CosignSigner {
  if (privateKey.type !== 'private') throw verifyError('SIGNING_FAILED', 'a private key is required to sign', { errorClass: 'stalling' });
  const hash = toSigningHash(privateKey);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, hash, keyHint: toKeyHint(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))) };
}

/** Signs `bytes` (hashing them with the signer's hash); ECDSA signatures are DER. */
export function signBytes(signer: CosignSigner, bytes: Uint8Array): Uint8Array {
  return new Uint8Array(sign(signer.hash, bytes, { key: signer.privateKey, dsaEncoding: 'der' }));
}

/** Whether `signature` is the signer's signature over `bytes` (used to skip re-signing). */
export function isSignedBy(signer: CosignSigner, bytes: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(signer.hash, bytes, { key: signer.publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
