/**
 * The few filesystem moves atomic publication needs: open without following
 * a final symlink, fsync a directory so a rename survives a crash (rename(2)
 * is atomic, but only durable once the directory entry is on disk), remove
 * without failing.
 */
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * Opens `path` read-only; fails with ELOOP if its last component is a
 * symlink. O_NONBLOCK so that a FIFO planted in place of a file cannot block
 * the open (and a libuv thread) forever; regular files ignore the flag.
 */
export async function openNoFollow(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
}

/** fsync(2) on a directory: makes the renames and unlinks inside it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes a file or tree, ignoring every error (cleanup after a failure already reported). */
export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true }).catch(() => undefined);
}
