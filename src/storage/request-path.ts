/**
 * The artifact server's request-target check (research/reliability.md §6
 * row 40). Only origin-form targets (`/a/b`, RFC 9112 §3.2.1) of safe,
 * non-hidden segments reach the filesystem. Structural tricks are refused
 * before any decoding can turn them into separators: encoded `/`, `\` or
 * NUL, raw backslashes, empty segments (`//etc/passwd`), dot segments
 * (also when percent-encoded: `%2e%2e`), control characters, malformed
 * percent-encoding. The query string is ignored, as by Go's FileServer.
 */

/** At most this many characters of request-target are looked at. */
export const MAX_TARGET_LENGTH = 2048;
/** Deeper paths cannot name an artifact (`ocirepository/<ns>/<name>/<file>`) or anything else served. */
const MAX_SEGMENTS = 8;

/** Segments as they may appear on disk: no leading dot, so `.tmp-*` files and `..` can never be named. */
const SERVABLE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const ENCODED_SEPARATOR = /%(?:2f|5c|00)/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Accepted segments, or the status to answer with. */
export type RequestPath =
  | { readonly ok: true; readonly segments: readonly string[] }
  | { readonly ok: false; readonly status: 400 | 404 | 414 };

/** Splits and decodes a request-target (`req.url`) into path segments that are safe to join under the root. */
export function toRequestPath(target: string): RequestPath {
  if (target.length > MAX_TARGET_LENGTH) return { ok: false, status: 414 };
  if (!target.startsWith('/')) return { ok: false, status: 400 };
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  if (rawPath.includes('\\') || ENCODED_SEPARATOR.test(rawPath) || CONTROL.test(rawPath)) return { ok: false, status: 400 };
  if (rawPath === '/') return { ok: false, status: 404 };
  const rawSegments = rawPath.slice(1).split('/');
  if (rawSegments.length > MAX_SEGMENTS) return { ok: false, status: 404 };
  const segments: string[] = [];
  for (const raw of rawSegments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400 };
    }
    if (segment === '' || segment === '.' || segment === '..' || CONTROL.test(segment)) return { ok: false, status: 400 };
    if (!SERVABLE_SEGMENT.test(segment)) return { ok: false, status: 404 };
    segments.push(segment);
  }
  return { ok: true, segments };
}

/** Guard: a relative path (from realpath) whose every segment could have been requested. */
export function isServableRelativePath(segments: readonly string[]): boolean {
  return segments.length > 0 && segments.length <= MAX_SEGMENTS && segments.every((segment) => SERVABLE_SEGMENT.test(segment));
}
