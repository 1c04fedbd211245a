/**
 * Archive error codes. Hostile or malformed archive content is 'stalling':
 * the same blob (content-addressed, digest-checked) fails the same way every
 * time, so retrying cannot help (ARCHITECTURE.md house rule 4). Only I/O problems,
 * aborts and digest mismatches (a re-download may fix those) are 'transient'.
 */
import { BobError } from '../shared/index.ts';
import type { ErrorClass } from '../shared/index.ts';

export type ArchiveErrorCode =
  /** Entry path is absolute, has `..`, a backslash, NUL/control chars, or is too long/deep. */
  | 'ARCHIVE_PATH_INVALID'
  /** Symlink or hardlink entry (extract), or a symlink that cannot be packed. */
  | 'ARCHIVE_LINK_REJECTED'
  /** Device, FIFO, socket, contiguous, GNU sparse or unknown entry type. */
  | 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED'
  /** More uncompressed or compressed bytes than the limit allows. */
  | 'ARCHIVE_TOO_LARGE'
  /** More entries (explicit or implied directories) than the limit allows. */
  | 'ARCHIVE_TOO_MANY_ENTRIES'
  /** Two entries with the same path after NFC/NFKC and case folding. */
  | 'ARCHIVE_DUPLICATE_ENTRY'
  /** PAX extended header larger than the limit. */
  | 'ARCHIVE_HEADER_TOO_LARGE'
  /** Broken gzip or tar framing: bad CRC/checksum, truncation, trailing data, multi-member gzip, not gzip. */
  | 'ARCHIVE_CORRUPT'
  /** The blob's bytes do not hash to the expected digest or size. */
  | 'ARCHIVE_DIGEST_MISMATCH'
  /** The caller passed a malformed expected digest, size or limit. */
  | 'ARCHIVE_OPTIONS_INVALID'
  /** The extraction target exists and is not a directory. */
  | 'ARCHIVE_TARGET_INVALID'
  /** A file changed while it was being packed. */
  | 'ARCHIVE_SOURCE_CHANGED'
  /** A filesystem operation failed (ENOSPC, EACCES, ...). */
  | 'ARCHIVE_IO_FAILED'
  /** The AbortSignal fired. */
  | 'ARCHIVE_ABORTED';

const TRANSIENT: ReadonlySet<ArchiveErrorCode> = new Set<ArchiveErrorCode>([
  'ARCHIVE_DIGEST_MISMATCH',
  'ARCHIVE_SOURCE_CHANGED',
  'ARCHIVE_IO_FAILED',
  'ARCHIVE_ABORTED',
]);

/** The error class an archive code implies (see the file comment). */
export function toErrorClass(code: ArchiveErrorCode): ErrorClass {
  return TRANSIENT.has(code) ? 'transient' : 'stalling';
}

export interface ArchiveErrorOptions {
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** A BobError with an archive code and the class that code implies. */
export function archiveError(code: ArchiveErrorCode, message: string, options: ArchiveErrorOptions = {}): BobError {
  return new BobError(code, message, { ...options, errorClass: toErrorClass(code) });
}

/**
 * `error` if it is already a BobError, else ARCHIVE_IO_FAILED (node:fs
 * errors) or ARCHIVE_CORRUPT (zlib and tar-stream parse errors) wrapping it.
 * Only the cause's code is copied into details; the message stays generic so
 * no host path beyond `context` leaks.
 */
export function toArchiveError(error: unknown, context: string): BobError {
  if (error instanceof BobError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return archiveError('ARCHIVE_ABORTED', `${context}: aborted`, { cause: error });
  }
  const code = errnoCode(error);
  // errno codes (ENOSPC, EACCES...) are I/O; zlib (Z_*) and stream (ERR_*) codes are content.
  if (code !== undefined && /^E[A-Z0-9]+$/.test(code)) {
    return archiveError('ARCHIVE_IO_FAILED', `${context}: ${code}`, { cause: error, details: { errno: code } });
  }
  const reason = error instanceof Error ? error.message : 'unknown error';
  return archiveError('ARCHIVE_CORRUPT', `${context}: ${reason}`, { cause: error });
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
