/**
 * Storage error codes. A malformed key or path is 'stalling' (the same input
 * fails the same way every time); everything the filesystem or a reader can
 * fix by itself (ENOSPC, EIO, a corrupt file to rebuild, an abort) is
 * 'transient' (ARCHITECTURE.md house rule 4). Messages name the object and
 * the failing step, never file contents.
 */
import { BobError } from '../shared/index.ts';
import type { ErrorClass } from '../shared/index.ts';

export type StorageErrorCode =
  /** A namespace, name, artifact path or digest that is not allowed as a path segment. */
  | 'STORAGE_PATH_INVALID'
  /** Constructor or call options out of range (base URL, keep, ttl...). */
  | 'STORAGE_OPTIONS_INVALID'
  /** Writing, syncing or renaming a new artifact failed (ENOSPC, EIO, EACCES...). */
  | 'STORAGE_WRITE_FAILED'
  /** Reading a stored artifact failed for a reason other than its absence. */
  | 'STORAGE_READ_FAILED'
  /** The artifact written does not hash to the digest the caller expected. */
  | 'STORAGE_DIGEST_MISMATCH'
  /** A stored artifact is no longer its digest or size, or is not a regular file. */
  | 'STORAGE_CORRUPT'
  /** A stored artifact is gone. */
  | 'STORAGE_ARTIFACT_MISSING'
  /** Garbage collection or object removal failed. */
  | 'STORAGE_REMOVE_FAILED'
  /** The artifact server could not listen or close. */
  | 'STORAGE_SERVER_FAILED'
  /** The AbortSignal fired. */
  | 'STORAGE_ABORTED';

const STALLING: ReadonlySet<StorageErrorCode> = new Set<StorageErrorCode>(['STORAGE_PATH_INVALID', 'STORAGE_OPTIONS_INVALID']);

/** The error class a storage code implies (see the file comment). */
export function toStorageErrorClass(code: StorageErrorCode): ErrorClass {
  return STALLING.has(code) ? 'stalling' : 'transient';
}

export interface StorageErrorOptions {
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** A BobError with a storage code and the class that code implies. */
export function storageError(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}): BobError {
  return new BobError(code, message, { ...options, errorClass: toStorageErrorClass(code) });
}

/**
 * `error` if it is already a BobError; STORAGE_ABORTED for aborts; else
 * `code` wrapping it, with only the errno (ENOSPC...) copied into the
 * message and details, so no absolute host path reaches a condition.
 */
export function toStorageError(error: unknown, code: StorageErrorCode, context: string): BobError {
  if (error instanceof BobError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return storageError('STORAGE_ABORTED', `${context}: aborted`, { cause: error });
  }
  const errno = errnoOf(error);
  return errno === undefined
    ? storageError(code, context, { cause: error })
    : storageError(code, `${context}: ${errno}`, { cause: error, details: { errno } });
}

/** The `code` of a node:fs error (ENOENT, ENOSPC...), if it has one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' && /^E[A-Z0-9]+$/.test(error.code) ? error.code : undefined;
}

/** Guard: `error` is a node:fs error with errno `code`. */
export function isErrno(error: unknown, code: string): boolean {
  return errnoOf(error) === code;
}

/** Throws STORAGE_ABORTED when `signal` has fired. */
export function assertNotAborted(signal: AbortSignal | undefined, context: string): void {
  if (signal?.aborted === true) {
    throw storageError('STORAGE_ABORTED', `${context}: aborted`, { cause: signal.reason });
  }
}
