/**
 * Base64 as the signature formats define it. Node's decoder skips any
 * character it does not know and accepts both alphabets with or without
 * padding, so "this is invalid base64" would decode to something
 * (research/signatures.md §1.2, §8 pitfall 2). Every decode here checks the
 * alphabet, the padding and that re-encoding gives the input back
 * (non-canonical trailing bits are refused).
 */
const STANDARD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_UNPADDED = /^[A-Za-z0-9_-]*$/;

/** Standard alphabet with padding (RFC 4648 §4; Go's encoding/json for []byte). Undefined when not canonical. */
export function decodeStandardBase64(text: string): Uint8Array | undefined {
  if (!STANDARD.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** URL-safe alphabet without padding (RFC 7515 §2, JWS). Undefined when not canonical. */
export function decodeUrlBase64(text: string): Uint8Array | undefined {
  if (!URL_UNPADDED.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

export function encodeStandardBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function encodeUrlBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
