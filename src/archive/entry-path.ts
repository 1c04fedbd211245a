/**
 * Entry path validation, shared by extraction (names from the archive) and
 * packing (so we never produce an archive we would refuse to extract).
 * Reject, never repair: stripping a leading `/` or resolving `..` is how
 * node-tar CVE-2021-32804 (`////etc/x`), CVE-2021-37713 (`C:../x`) and the
 * zip-slip family happened (research/reliability.md §1.7, §6 rows 1, 2, 11).
 */
import { archiveError } from './errors.ts';
import { quotePath } from './quote-path.ts';
import type { ExtractLimits } from './limits.ts';

export type PathLimits = Pick<ExtractLimits, 'maxPathBytes' | 'maxSegmentBytes' | 'maxDepth'>;

/** A validated relative path: non-empty segments without `.`/`..`, joined by `/`. */
export interface EntryPath {
  readonly path: string;
  readonly segments: readonly string[];
}

// C0 controls (NUL included: POSIX names end at NUL, CVE-2026-59875), DEL,
// and U+FFFD, which tar-stream substitutes for bytes that are not UTF-8, so
// two different byte names could otherwise decode to one string.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_CHAR = /[\u0000-\u001f\u007f\ufffd]/u;
const DRIVE = /^[A-Za-z]:/;

/**
 * Validates an entry name. A leading `./` and a trailing `/` are allowed
 * (what `tar -C dir .` writes); anything else unusual throws
 * ARCHIVE_PATH_INVALID. Returns undefined for the root itself (`.` or `./`).
 */
export function toEntryPath(name: string, limits: PathLimits): EntryPath | undefined {
  const invalid = (why: string): Error =>
    archiveError('ARCHIVE_PATH_INVALID', `entry ${quotePath(name)}: ${why}`, { details: { reason: why } });
  if (name === '') throw invalid('empty name');
  if (FORBIDDEN_CHAR.test(name)) throw invalid('contains NUL, a control character or invalid UTF-8');
  // Backslash is a separator on Windows and in `\\host\share`; on POSIX it
  // makes names that mean different things to different tools (CVE-2021-37701).
  if (name.includes('\\')) throw invalid('contains a backslash');
  if (name.startsWith('/')) throw invalid('absolute path');
  if (DRIVE.test(name)) throw invalid('drive-qualified path');
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  const raw = trimmed.split('/');
  let start = 0;
  while (start < raw.length && raw[start] === '.') start++;
  const segments = raw.slice(start);
  if (segments.length === 0) return undefined;
  for (const segment of segments) {
    if (segment === '..') throw invalid('parent directory segment');
    if (segment === '' || segment === '.') throw invalid('empty or "." segment');
    if (Buffer.byteLength(segment) > limits.maxSegmentBytes) {
      throw invalid(`segment longer than ${limits.maxSegmentBytes} bytes`);
    }
  }
  if (segments.length > limits.maxDepth) throw invalid(`deeper than ${limits.maxDepth} levels`);
  const path = segments.join('/');
  if (Buffer.byteLength(path) > limits.maxPathBytes) throw invalid(`longer than ${limits.maxPathBytes} bytes`);
  return { path, segments };
}

/**
 * The key two names collide under on some filesystem: Unicode NFC/NFD and
 * compatibility forms (APFS, ligatures), and case (macOS/Windows; `ß` vs
 * `ss`). Deliberately coarse: a false collision only rejects an odd archive,
 * a missed one is CVE-2021-37712 / CVE-2026-23950.
 */
export function toCollisionKey(segment: string): string {
  return segment.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}
