/**
 * The `bytes` fields of a Sigstore bundle as Go's protojson reads them
 * (cosign 3, sigstore-go): base64 in the standard or the URL alphabet,
 * padded or not, and nothing else. @sigstore/protobuf-specs decodes with
 * `Buffer.from(text, 'base64')`, which skips unknown characters and mixes
 * alphabets, so a bundle must pass this check before `fromJSON`
 * (research/signatures.md §8 pitfall 2).
 */
import { RejectionError } from '../errors.ts';

const ALPHABET = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Paths of the bundle's bytes fields (protobuf-specs sigstore_bundle.proto,
 * sigstore_common.proto, sigstore_rekor.proto); `[]` walks an array.
 * `publicKey.hint` is a string, not bytes.
 */
const BYTES_FIELDS: readonly (readonly string[])[] = [
  ['dsseEnvelope', 'payload'],
  ['dsseEnvelope', 'signatures', '[]', 'sig'],
  ['messageSignature', 'messageDigest', 'digest'],
  ['messageSignature', 'signature'],
  ['verificationMaterial', 'certificate', 'rawBytes'],
  ['verificationMaterial', 'x509CertificateChain', 'certificates', '[]', 'rawBytes'],
  ['verificationMaterial', 'tlogEntries', '[]', 'logId', 'keyId'],
  ['verificationMaterial', 'tlogEntries', '[]', 'inclusionPromise', 'signedEntryTimestamp'],
  ['verificationMaterial', 'tlogEntries', '[]', 'inclusionProof', 'rootHash'],
  ['verificationMaterial', 'tlogEntries', '[]', 'inclusionProof', 'hashes', '[]'],
  ['verificationMaterial', 'tlogEntries', '[]', 'canonicalizedBody'],
  ['verificationMaterial', 'timestampVerificationData', 'rfc3161Timestamps', '[]', 'signedTimestamp'],
];

/**
 * Whether `text` is what protojson's unmarshalBytes accepts: the URL
 * alphabet when it holds `-` or `_` (then `+` and `/` are illegal), padding
 * only when the length is a multiple of 4, never a lone trailing character.
 * Go's decoder also skips `\r` and `\n`; bob refuses them (stricter).
 */
export function isProtojsonBase64(text: string): boolean {
  if (!ALPHABET.test(text)) return false;
  if (/[-_]/.test(text) && /[+/]/.test(text)) return false;
  if (text.includes('=')) return text.length % 4 === 0;
  return text.length % 4 !== 1;
}

function check(value: unknown, path: readonly string[], shown: string): void {
  if (value === undefined || value === null) return;
  const [step, ...rest] = path;
  if (step === undefined) {
    if (typeof value !== 'string' || !isProtojsonBase64(value)) {
      throw new RejectionError('PAYLOAD_INVALID', `not a Sigstore bundle: ${shown} is not valid base64`);
    }
    return;
  }
  if (step === '[]') {
    // A non-array here is the bundle parser's to refuse; only values reached are checked.
    if (Array.isArray(value)) value.forEach((item: unknown, index) => { check(item, rest, `${shown}[${String(index)}]`); });
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return;
  const next: unknown = Object.hasOwn(value, step) ? (value as Record<string, unknown>)[step] : undefined;
  check(next, rest, shown === '' ? step : `${shown}.${step}`);
}

/** Throws RejectionError PAYLOAD_INVALID naming the field when a bytes field of the bundle JSON is not protojson base64. */
export function assertBundleBytesFields(json: unknown): void {
  for (const path of BYTES_FIELDS) check(json, path, '');
}
