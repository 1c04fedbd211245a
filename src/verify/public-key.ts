/**
 * Public keys as cosign and sigstore use them (research/signatures.md §4.4):
 * PEM `PUBLIC KEY` (PKIX SubjectPublicKeyInfo) holding ECDSA P-256/P-384/
 * P-521, RSA of at least 2048 bits, or Ed25519, and the signature encodings
 * sigstore's default verifiers expect (sigstore pkg/signature):
 * - ECDSA: ASN.1 DER (r, s) over the curve's hash (SHA-256/384/512); cosign
 *   ≤ 2 signs every curve with SHA-256, so that is accepted too for P-384/521;
 * - RSA: PKCS#1 v1.5 with SHA-256;
 * - Ed25519: pure Ed25519. cosign's default loader can sign with Ed25519ph,
 *   which node:crypto cannot verify (it has no prehash mode): such
 *   signatures do not verify here (a false reject, never a false accept).
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { configInvalid } from './errors.ts';

export type PublicKeyAlgorithm =
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384'
  | 'ecdsa-p521-sha512'
  | 'rsa-pkcs1v15-sha256'
  | 'ed25519';

/** A parsed, usable public key. */
export interface PublicKey {
  /** The name the key was configured under (a Secret key, a file name). */
  readonly name: string;
  readonly keyObject: KeyObject;
  readonly algorithm: PublicKeyAlgorithm;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** base64(sha256(SPKI DER)): cosign's `verificationMaterial.publicKey.hint` (cosign internal/key/svkeypair.go). */
  readonly hint: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;
const CURVES: Readonly<Record<string, PublicKeyAlgorithm>> = {
  prime256v1: 'ecdsa-p256-sha256',
  secp384r1: 'ecdsa-p384-sha384',
  secp521r1: 'ecdsa-p521-sha512',
};
const HASHES: Readonly<Record<PublicKeyAlgorithm, readonly (string | null)[]>> = {
  'ecdsa-p256-sha256': ['sha256'],
  'ecdsa-p384-sha384': ['sha384', 'sha256'],
  'ecdsa-p521-sha512': ['sha512', 'sha256'],
  'rsa-pkcs1v15-sha256': ['sha256'],
  ed25519: [null],
};
const MIN_RSA_BITS = 2048;

/** base64(sha256(der)): the key hint cosign writes into keyed bundles. */
export function toKeyHint(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('base64');
}

function toAlgorithm(name: string, keyObject: KeyObject): PublicKeyAlgorithm {
  const type = keyObject.asymmetricKeyType;
  if (type === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve ?? '';
    const algorithm = CURVES[curve];
    if (algorithm === undefined) throw configInvalid(`public key ${name}: unsupported ECDSA curve ${curve || '(unknown)'}, use P-256, P-384 or P-521`);
    return algorithm;
  }
  if (type === 'rsa') {
    const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw configInvalid(`public key ${name}: RSA key of ${String(bits)} bits, at least ${String(MIN_RSA_BITS)} required`);
    return 'rsa-pkcs1v15-sha256';
  }
  if (type === 'ed25519') return 'ed25519';
  throw configInvalid(`public key ${name}: unsupported key type ${type ?? '(unknown)'}, use ECDSA, RSA or Ed25519`);
}

/** A PublicKey from a node:crypto public KeyObject (e.g. a certificate's key); throws configInvalid when unsupported. */
export function toPublicKey(name: string, keyObject: KeyObject): PublicKey {
  const algorithm = toAlgorithm(name, keyObject);
  const spki = new Uint8Array(keyObject.export({ type: 'spki', format: 'der' }));
  return { name, keyObject, algorithm, spki, hint: toKeyHint(spki) };
}

/**
 * Parses one PEM `PUBLIC KEY` block (text outside the block is ignored, as
 * Go's pem.Decode does; a second key is refused as ambiguous). Throws
 * configInvalid naming `name` when the PEM is garbage or the key unsupported.
 */
export function parsePublicKey(name: string, pem: string | Uint8Array): PublicKey {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw configInvalid(`public key ${name}: no PEM block found`);
  if (blocks.length > 1) throw configInvalid(`public key ${name}: more than one PEM block`);
  const [block] = blocks;
  if (block?.[1] !== 'PUBLIC KEY') throw configInvalid(`public key ${name}: PEM block is "${block?.[1] ?? ''}", expected "PUBLIC KEY"`);
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: block[0], format: 'pem', type: 'spki' });
  } catch {
    throw configInvalid(`public key ${name}: not a valid PKIX public key`);
  }
  return toPublicKey(name, keyObject);
}

/**
 * True when `signature` is `key`'s signature over `data` in cosign's
 * encoding for the key's algorithm (see the file comment). Never throws.
 */
export function verifySignatureWithKey(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length === 0) return false;
  for (const hash of HASHES[key.algorithm]) {
    try {
      if (verify(hash, data, key.keyObject, signature)) return true;
    } catch {
      // Malformed DER or a length the key cannot have: not a valid signature.
    }
  }
  return false;
}
