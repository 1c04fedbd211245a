/**
 * The filesystem half of garbage collection (the choice is retention.ts):
 * list at most GC_ENTRY_LIMIT entries of an object's directory, keep only
 * regular `<hex>.tar.gz` files (never `latest.tar.gz`, temporary files or
 * anything a link), unlink the selected ones and fsync the directory.
 */
import { lstat, opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FILE_PATTERN } from './artifact.ts';
import { syncDirectory } from './durable-fs.ts';
import { assertNotAborted, isErrno } from './errors.ts';
import { GC_ENTRY_LIMIT, selectGarbage } from './retention.ts';
import type { RetentionCandidate, RetentionPolicy } from './retention.ts';

/** Removes the garbage of `dir`; returns the file names removed, oldest first. */
export async function collectGarbage(
  dir: string,
  protectedNames: ReadonlySet<string>,
  policy: RetentionPolicy,
  nowMs: number,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const garbage = selectGarbage(await listArtifactFiles(dir, signal), protectedNames, policy, nowMs);
  for (const name of garbage) {
    assertNotAborted(signal, 'collecting garbage');
    await unlink(join(dir, name)).catch((error: unknown) => {
      if (!isErrno(error, 'ENOENT')) throw error;
    });
  }
  if (garbage.length > 0) await syncDirectory(dir);
  return garbage;
}

async function listArtifactFiles(dir: string, signal: AbortSignal | undefined): Promise<RetentionCandidate[]> {
  const candidates: RetentionCandidate[] = [];
  let seen = 0;
  for await (const entry of await opendir(dir)) {
    // Breaking out of the iteration closes the directory handle.
    if (++seen > GC_ENTRY_LIMIT) break;
    assertNotAborted(signal, 'collecting garbage');
    if (!entry.isFile() || !ARTIFACT_FILE_PATTERN.test(entry.name)) continue;
    const stats = await lstat(join(dir, entry.name)).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    });
    if (stats?.isFile() === true) candidates.push({ name: entry.name, mtimeMs: stats.mtimeMs });
  }
  return candidates;
}
