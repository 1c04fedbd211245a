/**
 * The six signature algorithms Notary Project envelopes allow, derived from
 * the signing key exactly as notation-core-go does (signature/algorithm.go:
 * RSA 2048/3072/4096 → PS256/384/512, EC P-256/384/521 → ES256/384/512;
 * research/signatures.md §6.3). Signatures are raw: RSASSA-PSS, and ECDSA
 * as r‖s (JWS/COSE), never DER.
 */
import { constants, sign, verify, type KeyObject } from 'node:crypto';

export type SignatureAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** COSE algorithm identifiers (IANA COSE Algorithms registry). */
export const COSE_ALGORITHM_IDS: Readonly<Record<SignatureAlgorithm, number>> = {
  PS256: -37, PS384: -38, PS512: -39, ES256: -7, ES384: -35, ES512: -36,
};

/**
 * How the RSA-PSS salt length is checked: JWS verifies like golang-jwt
 * (`PSSSaltLengthAuto`, any salt), COSE like go-cose (salt = hash length,
 * RFC 8230 §2).
 */
export type PssSaltRule = 'auto' | 'digest';

const HASHES: Readonly<Record<SignatureAlgorithm, 'sha256' | 'sha384' | 'sha512'>> = {
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512',
};

/** Bytes of one ECDSA coordinate per curve. */
const EC_COORDINATE_BYTES: Readonly<Record<string, number>> = { ES256: 32, ES384: 48, ES512: 66 };

/** Guard: one of the six algorithm names. */
export function isSignatureAlgorithm(value: unknown): value is SignatureAlgorithm {
  return typeof value === 'string' && (SIGNATURE_ALGORITHMS as readonly string[]).includes(value);
}

/** The hash an algorithm signs with (also the timestamp imprint hash). */
export function toHashName(algorithm: SignatureAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return HASHES[algorithm];
}

/** A short description of a key for messages: `RSA 2048`, `EC secp256k1`. */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    return `${key.asymmetricKeyType.toUpperCase()} ${String(details.modulusLength ?? 0)}`;
  }
  if (key.asymmetricKeyType === 'ec') return `EC ${details.namedCurve ?? 'unknown curve'}`;
  return key.asymmetricKeyType ?? 'unknown key type';
}

/** The algorithm a key must sign with, or undefined when notation does not support the key. */
export function toSignatureAlgorithm(key: KeyObject): SignatureAlgorithm | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    switch (details.modulusLength) {
      case 2048: return 'PS256';
      case 3072: return 'PS384';
      case 4096: return 'PS512';
      default: return undefined;
    }
  }
  if (key.asymmetricKeyType === 'ec') {
    switch (details.namedCurve) {
      case 'prime256v1': return 'ES256';
      case 'secp384r1': return 'ES384';
      case 'secp521r1': return 'ES512';
      default: return undefined;
    }
  }
  return undefined;
}

/** Checks `signature` over `data` with `key`; false for any malformed signature. */
export function verifySignature(
  algorithm: SignatureAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array, saltRule: PssSaltRule,
): boolean {
  const hash = HASHES[algorithm];
  try {
    if (algorithm.startsWith('PS')) {
      return verify(hash, data, {
        key, padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: saltRule === 'auto' ? constants.RSA_PSS_SALTLEN_AUTO : constants.RSA_PSS_SALTLEN_DIGEST,
      }, signature);
    }
    // r‖s of exactly twice the coordinate size (golang-jwt and go-cose both insist).
    if (signature.length !== 2 * (EC_COORDINATE_BYTES[algorithm] ?? 0)) return false;
    return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** Signs as notation does: PSS with salt = hash length, ECDSA as r‖s. */
export function signData(algorithm: SignatureAlgorithm, key: KeyObject, data: Uint8Array): Uint8Array {
  const hash = HASHES[algorithm];
  if (algorithm.startsWith('PS')) {
    return sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  }
  return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
}
