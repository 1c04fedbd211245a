/**
 * cosign's private key file (research/signatures.md §4.4; cosign
 * pkg/cosign/keys.go, go-securesystemslib encrypted/encrypted.go): a PEM
 * block `ENCRYPTED SIGSTORE PRIVATE KEY` (legacy `ENCRYPTED COSIGN PRIVATE
 * KEY`) whose bytes are the JSON
 *   {"kdf":{"name":"scrypt","params":{"N":…,"r":8,"p":1},"salt":"<b64>"},
 *    "cipher":{"name":"nacl/secretbox","nonce":"<b64 24 bytes>"},"ciphertext":"<b64>"}
 * where the secretbox key is scrypt(password, salt, N, r, p, 32) and the
 * plaintext is the PKCS#8 DER private key.
 *
 * Passwords never appear in a message, a detail or a cause.
 */
import { createPrivateKey, createPublicKey, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { loadNacl } from '../lazy-libraries.ts';
import { decodeStandardBase64, encodeStandardBase64 } from '../base64.ts';
import { verifyError } from '../errors.ts';
import { isJsonObject, parseStrictJson, type JsonObject } from '../strict-json.ts';

/** The PEM type cosign writes today. */
export const ENCRYPTED_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
/** The PEM type cosign wrote before v2 and still reads. */
export const LEGACY_ENCRYPTED_KEY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';
const PLAIN_KEY_PEM_TYPES = new Set(['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY']);

const KDF_NAME = 'scrypt';
const CIPHER_NAME = 'nacl/secretbox';
/** securesystemslib's accepted cost parameters: legacy, standard (cosign's default), OWASP. */
export const SCRYPT_COSTS: readonly number[] = [32768, 65536, 131072];
export const DEFAULT_SCRYPT_COST = 65536;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SALT_BYTES = 32;
// 128 * N * r bytes: 128 MiB at N = 131072; Node's default maxmem (32 MiB) refuses N = 65536.
const SCRYPT_MAXMEM = 256 * 1024 * 1024;
const PEM_LINE = 64;

export interface EncryptOptions {
  /** scrypt N; one of SCRYPT_COSTS. Default 65536 like cosign. */
  readonly scryptCost?: number;
}

/** NaCl secretbox (XSalsa20-Poly1305) key and nonce sizes, as cosign's encrypted key format uses it. */
const SECRETBOX_KEY_BYTES = 32;
const SECRETBOX_NONCE_BYTES = 24;

function keyFileError(message: string, reason: string): Error {
  // Stalling: a wrong password or a broken file does not fix itself on retry.
  return verifyError('SIGNING_FAILED', message, { errorClass: 'stalling', details: { reason } });
}

interface PemBlock {
  readonly type: string;
  readonly bytes: Uint8Array;
}

/** The first PEM block of `text` (text around it is ignored, as Go's pem.Decode does). */
function decodePem(text: string): PemBlock | undefined {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (match === null) return undefined;
  const body = (match[2] ?? '').replace(/\s+/g, '');
  const bytes = decodeStandardBase64(body);
  if (bytes === undefined) return undefined;
  return { type: match[1] ?? '', bytes };
}

/** A PEM block with 64-character lines, as Go's pem.Encode writes it. */
export function encodePem(type: string, bytes: Uint8Array): string {
  const base64 = encodeStandardBase64(bytes);
  const lines: string[] = [];
  for (let at = 0; at < base64.length; at += PEM_LINE) lines.push(base64.slice(at, at + PEM_LINE));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

async function deriveKey(password: string, salt: Uint8Array, cost: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, SECRETBOX_KEY_BYTES, { N: cost, r: SCRYPT_R, p: SCRYPT_P, maxmem: SCRYPT_MAXMEM }, (error, key) => {
      if (error === null) resolve(new Uint8Array(key));
      else reject(keyFileError('cannot derive the key-file key (scrypt failed)', 'kdf'));
    });
  });
}

function field(object: JsonObject, name: string): JsonObject {
  const value = object[name];
  if (!isJsonObject(value)) throw keyFileError(`cosign private key: "${name}" must be an object`, 'format');
  return value;
}

function base64Field(object: JsonObject, name: string, path: string): Uint8Array {
  const value = object[name];
  const bytes = typeof value === 'string' ? decodeStandardBase64(value) : undefined;
  if (bytes === undefined || bytes.length === 0) throw keyFileError(`cosign private key: "${path}" must be non-empty standard base64`, 'format');
  return bytes;
}

interface EncryptedKey {
  readonly cost: number;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function toEncryptedKey(bytes: Uint8Array): EncryptedKey {
  let json: unknown;
  try {
    json = parseStrictJson(bytes);
  } catch {
    throw keyFileError('cosign private key: the PEM block is not valid JSON', 'format');
  }
  if (!isJsonObject(json)) throw keyFileError('cosign private key: the PEM block is not a JSON object', 'format');
  const kdf = field(json, 'kdf');
  const cipher = field(json, 'cipher');
  if (kdf['name'] !== KDF_NAME) throw keyFileError(`cosign private key: unsupported kdf.name (only ${KDF_NAME})`, 'kdf');
  if (cipher['name'] !== CIPHER_NAME) throw keyFileError(`cosign private key: unsupported cipher.name (only ${CIPHER_NAME})`, 'cipher');
  const params = field(kdf, 'params');
  const cost = params['N'];
  if (typeof cost !== 'number' || !SCRYPT_COSTS.includes(cost) || params['r'] !== SCRYPT_R || params['p'] !== SCRYPT_P) {
    throw keyFileError(
      `cosign private key: unsupported scrypt parameters kdf.params (N must be one of ${SCRYPT_COSTS.join(', ')}, r ${String(SCRYPT_R)}, p ${String(SCRYPT_P)})`,
      'kdf',
    );
  }
  const nonce = base64Field(cipher, 'nonce', 'cipher.nonce');
  if (nonce.length !== SECRETBOX_NONCE_BYTES) {
    throw keyFileError(`cosign private key: cipher.nonce must be ${String(SECRETBOX_NONCE_BYTES)} bytes`, 'cipher');
  }
  return { cost, salt: base64Field(kdf, 'salt', 'kdf.salt'), nonce, ciphertext: base64Field(json, 'ciphertext', 'ciphertext') };
}

function toPrivateKey(der: Uint8Array, what: string): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw keyFileError(`${what} does not hold a PKCS#8 private key`, 'key');
  }
}

/** Whether `text` is a cosign encrypted private key (either PEM type). */
export function isEncryptedKeyFile(text: string): boolean {
  const block = decodePem(text);
  return block?.type === ENCRYPTED_KEY_PEM_TYPE || block?.type === LEGACY_ENCRYPTED_KEY_PEM_TYPE;
}

/**
 * Decrypts a cosign private key file. A wrong password (the secretbox does
 * not open) is SIGNING_FAILED with reason `password`; a malformed file names
 * the bad field.
 */
export async function decryptPrivateKey(text: string, password: string): Promise<KeyObject> {
  const block = decodePem(text);
  if (block === undefined || (block.type !== ENCRYPTED_KEY_PEM_TYPE && block.type !== LEGACY_ENCRYPTED_KEY_PEM_TYPE)) {
    throw keyFileError(`not a cosign private key: expected a PEM block "${ENCRYPTED_KEY_PEM_TYPE}"`, 'format');
  }
  const encrypted = toEncryptedKey(block.bytes);
  const key = await deriveKey(password, encrypted.salt, encrypted.cost);
  const nacl = await loadNacl();
  const plaintext = nacl.secretbox.open(encrypted.ciphertext, encrypted.nonce, key);
  if (plaintext === null) throw keyFileError('incorrect password for the cosign private key (or the key file is corrupted)', 'password');
  return toPrivateKey(plaintext, 'the decrypted cosign private key');
}

/** Encrypts a private key into cosign's key file format (PEM `ENCRYPTED SIGSTORE PRIVATE KEY`). */
export async function encryptPrivateKey(privateKey: KeyObject, password: string, options: EncryptOptions = {}): Promise<string> {
  const cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
  if (!SCRYPT_COSTS.includes(cost)) throw keyFileError(`scrypt cost must be one of ${SCRYPT_COSTS.join(', ')}`, 'kdf');
  const salt = randomBytes(SALT_BYTES);
  const nacl = await loadNacl();
  const nonce = randomBytes(SECRETBOX_NONCE_BYTES);
  const key = await deriveKey(password, salt, cost);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = nacl.secretbox(new Uint8Array(der), new Uint8Array(nonce), key);
  // Field order as securesystemslib marshals its structs.
  const json = JSON.stringify({
    kdf: { name: KDF_NAME, params: { N: cost, r: SCRYPT_R, p: SCRYPT_P }, salt: encodeStandardBase64(salt) },
    cipher: { name: CIPHER_NAME, nonce: encodeStandardBase64(nonce) },
    ciphertext: encodeStandardBase64(ciphertext),
  });
  return encodePem(ENCRYPTED_KEY_PEM_TYPE, new TextEncoder().encode(json));
}

/**
 * A private key from a key file: cosign's encrypted format (the password is
 * asked for only then) or an unencrypted PEM key (PKCS#8 `PRIVATE KEY`, or
 * SEC 1 / PKCS#1).
 */
export async function readPrivateKey(text: string, password: () => Promise<string>): Promise<KeyObject> {
  const block = decodePem(text);
  if (block === undefined) throw keyFileError('not a PEM private key file', 'format');
  if (block.type === ENCRYPTED_KEY_PEM_TYPE || block.type === LEGACY_ENCRYPTED_KEY_PEM_TYPE) {
    return decryptPrivateKey(text, await password());
  }
  if (!PLAIN_KEY_PEM_TYPES.has(block.type)) {
    throw keyFileError(`unsupported PEM block "${block.type}": expected "${ENCRYPTED_KEY_PEM_TYPE}" or "PRIVATE KEY"`, 'format');
  }
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw keyFileError(`the PEM block "${block.type}" does not hold a usable private key`, 'key');
  }
}

/** The public key of a private key as PEM `PUBLIC KEY` (PKIX SPKI), cosign.pub's format. */
export function toPublicKeyPem(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return encodePem('PUBLIC KEY', new Uint8Array(der));
}
