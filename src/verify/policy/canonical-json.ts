/**
 * RFC 8785 (JCS) canonical JSON, for Rekor's signed entry timestamp: the
 * SET signs the canonical form of its `Payload` (research/signatures.md
 * §5.2). Input is parsed strictly (duplicate keys refused); numbers are
 * IEEE doubles written as ECMAScript writes them, which is JCS's rule.
 */
import { isJsonObject, parseStrictJson } from '../strict-json.ts';

function serialize(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('non-finite number in canonical JSON');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => serialize(item)).join(',')}]`;
  if (isJsonObject(value)) {
    // JCS sorts keys by UTF-16 code units, which is JavaScript's default string order.
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((key) => `${JSON.stringify(key)}:${serialize(value[key])}`).join(',')}}`;
  }
  throw new TypeError('not a JSON value');
}

/** The JCS canonical bytes of a JSON value (already parsed strictly). */
export function toCanonicalJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(serialize(value));
}

/** Parses `text` strictly and returns its canonical bytes; throws StrictJsonError on invalid JSON. */
export function canonicalizeJsonText(text: string | Uint8Array): Uint8Array {
  return toCanonicalJson(parseStrictJson(text));
}
