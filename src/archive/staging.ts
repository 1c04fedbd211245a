/**
 * Atomic publication of an extracted tree. Extraction writes into a fresh
 * directory next to the target (same filesystem, so rename(2) cannot fail
 * with EXDEV: notation CVE-2024-51491) and only a fully verified tree is
 * renamed into place. On failure the staging directory is removed and the
 * target keeps its previous content (research/reliability.md §6 "nothing
 * written", row 38).
 */
import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { archiveError, toArchiveError } from './errors.ts';
import { isErrno } from './source-ignore.ts';

export interface Staging {
  /** The empty staging directory to extract into. */
  readonly directory: string;
  /** Moves the staging directory to the target, replacing what was there. */
  commit(): Promise<void>;
  /** Removes the staging directory; never throws. */
  discard(): Promise<void>;
}

const stagingPrefix = (target: string): string => `.${basename(target)}.staging-`;
const backupPrefix = (target: string): string => `.${basename(target)}.old-`;

/**
 * Creates `.<name>.staging-XXXXXX` next to `target` (creating the parent if
 * needed). Throws ARCHIVE_TARGET_INVALID if `target` exists and is not a
 * directory (a symlink included).
 */
export async function createStaging(target: string): Promise<Staging> {
  const absolute = resolve(target);
  try {
    const stats = await lstat(absolute);
    if (!stats.isDirectory()) {
      throw archiveError('ARCHIVE_TARGET_INVALID', 'extraction target exists and is not a directory');
    }
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw toArchiveError(error, 'checking extraction target');
  }
  let directory: string;
  try {
    await mkdir(dirname(absolute), { recursive: true });
    directory = await mkdtemp(join(dirname(absolute), stagingPrefix(absolute)));
  } catch (error) {
    throw toArchiveError(error, 'creating staging directory');
  }
  return {
    directory,
    commit: () => commit(directory, absolute),
    discard: async () => {
      await rm(directory, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

async function commit(directory: string, target: string): Promise<void> {
  try {
    // mkdtemp creates 0700; the tree is normalized to 0755 directories.
    await chmod(directory, 0o755);
    try {
      // Succeeds when the target is absent or an empty directory.
      await rename(directory, target);
      return;
    } catch (error) {
      if (!isErrno(error, 'ENOTEMPTY') && !isErrno(error, 'EEXIST')) throw error;
    }
    // Node has no renameat2(RENAME_EXCHANGE): move the old tree aside, move
    // the new one in, and put the old one back if that fails. Readers can see
    // no target for the instant between the two renames.
    const backup = join(dirname(target), `${backupPrefix(target)}${randomUUID()}`);
    await rename(target, backup);
    try {
      await rename(directory, target);
    } catch (error) {
      await rename(backup, target);
      throw error;
    }
    await rm(backup, { recursive: true, force: true }).catch(() => undefined);
  } catch (error) {
    throw toArchiveError(error, 'moving extracted tree into place');
  }
}

/**
 * Removes staging and backup directories a crash left next to `target`
 * (`.<name>.staging-*`, `.<name>.old-*`). Call before extracting, under the
 * caller's lock. Returns how many were removed.
 */
export async function removeStaleStaging(target: string): Promise<number> {
  const absolute = resolve(target);
  let names: string[];
  try {
    names = await readdir(dirname(absolute));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return 0;
    throw toArchiveError(error, 'listing staging directories');
  }
  const stale = names.filter((name) => name.startsWith(stagingPrefix(absolute)) || name.startsWith(backupPrefix(absolute)));
  for (const name of stale) {
    try {
      await rm(join(dirname(absolute), name), { recursive: true, force: true });
    } catch (error) {
      throw toArchiveError(error, 'removing stale staging directory');
    }
  }
  return stale.length;
}
