/**
 * The `latest.tar.gz` symlink of an object (Flux status.url points at it,
 * research/flux.md §2.1). It is relative (the storage volume may be mounted
 * anywhere) and replaced atomically: a new link under a temporary name, then
 * rename(2) over the old one, so a reader sees the old or the new target,
 * never no link at all.
 */
import { readlink, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FILE_PATTERN, LATEST_FILE_NAME } from './artifact.ts';
import { isErrno } from './errors.ts';
import { removeQuietly } from './durable-fs.ts';
import { toTempName } from './temp-name.ts';
import type { RandomToken } from './temp-name.ts';

/** Points `<dir>/latest.tar.gz` at `fileName` (a sibling). */
export async function swapLatestLink(dir: string, fileName: string, random: RandomToken): Promise<void> {
  const temporary = join(dir, toTempName(random));
  try {
    await symlink(fileName, temporary);
    await rename(temporary, join(dir, LATEST_FILE_NAME));
  } catch (error) {
    await removeQuietly(temporary);
    throw error;
  }
}

/**
 * The artifact file name `latest.tar.gz` points at, or undefined when there
 * is no link or it points anywhere but a sibling artifact file.
 */
export async function readLatestTarget(dir: string): Promise<string | undefined> {
  let target: string;
  try {
    target = await readlink(join(dir, LATEST_FILE_NAME));
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'EINVAL') || isErrno(error, 'ENOTDIR')) return undefined;
    throw error;
  }
  return ARTIFACT_FILE_PATTERN.test(target) ? target : undefined;
}
