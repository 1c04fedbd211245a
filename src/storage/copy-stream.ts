/**
 * Copying or moving a finished file (a verified blob, `operation: copy`)
 * into the temporary file of a store. Copies stream with backpressure and
 * stop on abort between chunks (fs.copyFile cannot be interrupted).
 */
import { createWriteStream } from 'node:fs';
import { lstat, rename, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { openNoFollow } from './durable-fs.ts';
import { isErrno, storageError } from './errors.ts';

/**
 * Puts `source`'s bytes into `target` (truncating it): rename(2) when
 * `move` and on the same filesystem, else a streamed copy (then, when
 * `move`, unlink of the source). Refuses a source that is not a regular
 * file, symlinks included.
 */
export async function copyInto(source: string, target: string, move: boolean, signal: AbortSignal): Promise<void> {
  const stats = await lstat(source);
  if (!stats.isFile()) throw storageError('STORAGE_WRITE_FAILED', 'the source is not a regular file');
  if (move) {
    try {
      await rename(source, target);
      return;
    } catch (error) {
      if (!isErrno(error, 'EXDEV')) throw error;
    }
  }
  // O_NOFOLLOW: a source swapped for a link since the lstat is refused (ELOOP).
  const handle = await openNoFollow(source);
  // The read stream owns the handle from here and closes it when done or destroyed.
  await pipeline(handle.createReadStream(), createWriteStream(target, { flags: 'w' }), { signal });
  if (move) await unlink(source);
}
