/**
 * One `Range: bytes=...` request (RFC 9110 §14.1.2, §14.2). A single range
 * is served with 206; several ranges would need multipart/byteranges and
 * let a client multiply the work of one request, so they are refused with
 * 416 like every unsatisfiable or malformed byte range. Headers longer than
 * MAX_RANGE_HEADER are 400. Other range units are ignored (§14.2: a server
 * MUST ignore a unit it does not understand), giving the full 200.
 */

/** Longer Range headers are refused without parsing. */
export const MAX_RANGE_HEADER = 256;

/** 15 digits: every offset of a file that can exist, and still a safe integer. */
const SINGLE_RANGE = /^bytes=(\d{0,15})-(\d{0,15})$/i;

/** What to answer: the whole file, a slice [start, end] (inclusive), 416 or 400. */
export type ByteRange =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'bad-request' };

/** Reads a Range header against a file of `size` bytes. */
export function toByteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: 'full' };
  if (header.length > MAX_RANGE_HEADER) return { kind: 'bad-request' };
  const value = header.trim();
  if (!/^bytes=/i.test(value)) return { kind: 'full' };
  const match = SINGLE_RANGE.exec(value);
  if (match === null) return { kind: 'unsatisfiable' };
  const first = match[1] ?? '';
  const last = match[2] ?? '';
  if (first === '') {
    // bytes=-N: the last N bytes (§14.1.3 suffix-range).
    if (last === '') return { kind: 'unsatisfiable' };
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'unsatisfiable' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
