/**
 * The two steps that turn a written temporary file into the object's
 * artifact (research/reliability.md §4.5, Flux Storage.Archive): seal it
 * (owner-only mode, mtime from the clock, fsync, hash) and publish it
 * (rename to `<hex>.tar.gz`, fsync the directory, swap `latest.tar.gz`,
 * fsync again). The first directory fsync orders the file before the link
 * that names it, so after a crash `latest.tar.gz` never dangles.
 */
import { lstat, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { openNoFollow, removeQuietly, syncDirectory } from './durable-fs.ts';
import { storageError } from './errors.ts';
import { digestOpenFile } from './file-digest.ts';
import type { FileDigest } from './file-digest.ts';
import { swapLatestLink } from './latest-link.ts';
import type { RandomToken } from './temp-name.ts';

/** Stored artifacts are readable by the controller only, like Flux's chmod 0600. */
export const FILE_MODE = 0o600;

/**
 * Makes the written file durable and returns its digest and size. The mtime
 * is set to `nowMs` so GC ages come from the same clock as lastUpdateTime.
 * A writer that replaced the file with a link is refused (ELOOP).
 */
export async function sealTempFile(tempPath: string, nowMs: number, signal: AbortSignal): Promise<FileDigest> {
  const handle = await openNoFollow(tempPath);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw storageError('STORAGE_WRITE_FAILED', 'the writer left something other than a regular file');
    await handle.chmod(FILE_MODE);
    const mtime = new Date(nowMs);
    await handle.utimes(mtime, mtime);
    await handle.sync();
    return await digestOpenFile(handle, signal);
  } finally {
    await handle.close();
  }
}

/**
 * rename → fsync dir → swap latest → fsync dir. If the rename created a new
 * name and the next two steps fail, the new file is removed again, leaving
 * the directory as it was. A failure of the last fsync (EIO) is reported
 * with the new link already in place.
 */
export async function publishArtifact(dir: string, tempPath: string, fileName: string, random: RandomToken): Promise<void> {
  const finalPath = join(dir, fileName);
  // Same content under the same name: replacing it is harmless, removing it would not be.
  const existed = await lstat(finalPath).then((stats) => stats.isFile(), () => false);
  await rename(tempPath, finalPath);
  try {
    await syncDirectory(dir);
    await swapLatestLink(dir, fileName, random);
  } catch (error) {
    if (!existed) await removeQuietly(finalPath);
    throw error;
  }
  await syncDirectory(dir);
}
