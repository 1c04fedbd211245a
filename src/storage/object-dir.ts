/**
 * An object's directory on disk, checked to be where its name says: the
 * realpath of `<root>/<relDir>` must equal realpath(root) + relDir, so a
 * symlink planted anywhere below the root (a namespace directory replaced
 * by a link to /etc, say) can never redirect a write, read or delete
 * (Flux uses securejoin for the same reason: reliability.md §4.5).
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, storageError } from './errors.ts';

/** Directories storage creates: owner only, like Flux's artifact files (0600). */
export const DIR_MODE = 0o700;

/**
 * Creates `<root>/<relDir>` if needed, one segment at a time, refusing
 * (STORAGE_PATH_INVALID) a segment that exists as anything but a real
 * directory, so nothing is ever created through a link. Returns the real
 * absolute path.
 */
export async function ensureObjectDir(root: string, relDir: string): Promise<string> {
  await mkdir(root, { recursive: true, mode: DIR_MODE });
  let current = root;
  for (const segment of relDir.split('/')) {
    current = join(current, segment);
    try {
      await mkdir(current, { mode: DIR_MODE });
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    if (!(await lstat(current)).isDirectory()) {
      throw storageError('STORAGE_PATH_INVALID', `object directory ${relDir} is redirected by a symlink or blocked by a file`);
    }
  }
  const resolved = await resolveObjectDir(root, relDir);
  if (resolved === undefined) throw storageError('STORAGE_WRITE_FAILED', `object directory ${relDir} vanished while being created`);
  return resolved;
}

/**
 * The real absolute path of `<root>/<relDir>`, undefined when it (or the
 * root) does not exist. Throws STORAGE_PATH_INVALID if a symlink on the way
 * leads elsewhere.
 */
export async function resolveObjectDir(root: string, relDir: string): Promise<string | undefined> {
  let realRoot: string;
  let realDir: string;
  try {
    realRoot = await realpath(root);
    realDir = await realpath(join(root, relDir));
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
    throw error;
  }
  if (realDir !== join(realRoot, relDir)) {
    throw storageError('STORAGE_PATH_INVALID', `object directory ${relDir} is redirected by a symlink`);
  }
  return realDir;
}
