/**
 * Re-verification of a stored artifact before reuse (Flux VerifyArtifact,
 * research/reliability.md §4.5): it must still be a regular file, not a
 * symlink, of the recorded size and digest. A mismatch is an outcome the
 * caller acts on (rebuild), not an exception.
 */
import { join } from 'node:path';
import type { BobError } from '../shared/index.ts';
import type { ArtifactRef } from './artifact.ts';
import { openNoFollow } from './durable-fs.ts';
import { isErrno, storageError } from './errors.ts';
import { digestOpenFile } from './file-digest.ts';

/** Outcome of verify(): ok, or the reason the caller must rebuild. */
export type ArtifactCheck =
  | { readonly ok: true; readonly size: number }
  /** error.code: STORAGE_ARTIFACT_MISSING, STORAGE_CORRUPT (details.reason says why) or STORAGE_PATH_INVALID. */
  | { readonly ok: false; readonly error: BobError };

/** Checks `<dir>/<fileName>` against `ref`; `dir` undefined means the object has no directory. Throws I/O errors. */
export async function checkArtifactFile(dir: string | undefined, fileName: string, ref: ArtifactRef, signal?: AbortSignal): Promise<ArtifactCheck> {
  const missing = (): ArtifactCheck => ({
    ok: false,
    error: storageError('STORAGE_ARTIFACT_MISSING', `artifact ${ref.path} is not in storage`),
  });
  const corrupt = (reason: string, details: Readonly<Record<string, string | number>> = {}): ArtifactCheck => ({
    ok: false,
    error: storageError('STORAGE_CORRUPT', `artifact ${ref.path} is corrupt: ${reason}`, { details: { reason, ...details } }),
  });
  if (dir === undefined) return missing();
  let handle;
  try {
    handle = await openNoFollow(join(dir, fileName));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return missing();
    if (isErrno(error, 'ELOOP')) return corrupt('not a regular file');
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return corrupt('not a regular file');
    if (ref.size !== undefined && stats.size !== ref.size) return corrupt('size mismatch', { expected: ref.size, actual: stats.size });
    const actual = await digestOpenFile(handle, signal);
    if (actual.digest !== ref.digest) return corrupt('digest mismatch', { expected: ref.digest, actual: actual.digest });
    return { ok: true, size: actual.size };
  } finally {
    await handle.close();
  }
}
