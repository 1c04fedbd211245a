/**
 * Finds the file a request may receive: the realpath of `<root>/<segments>`
 * must stay under realpath(root), every segment of it must be servable (no
 * hidden or temporary names, even as a symlink's target), and it must be a
 * regular file. So `latest.tar.gz` is served through its link, while a link
 * leading out of the root, to a directory or to a temporary file is 404 (Flux
 * LocalPath securejoin and ArtifactExist's regular-file rule,
 * research/reliability.md §6 row 40).
 */
import type { Stats } from 'node:fs';
import { realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { openNoFollow } from './durable-fs.ts';
import { errnoOf } from './errors.ts';
import { isServableRelativePath } from './request-path.ts';

/** An open regular file under the root; the caller closes `handle`. */
export interface ServedFile {
  readonly handle: FileHandle;
  readonly stats: Stats;
  /** Base name after resolving links (`<hex>.tar.gz` for `latest.tar.gz`). */
  readonly realName: string;
}

/** errnos that mean "nothing servable here" rather than a server fault. */
const NOT_FOUND_ERRNOS = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'ENAMETOOLONG', 'EISDIR']);

/**
 * The open file for `segments` (already checked by toRequestPath), or
 * undefined for 404. Throws only unexpected I/O errors.
 */
export async function openServedFile(realRoot: string, segments: readonly string[]): Promise<ServedFile | undefined> {
  let real: string;
  try {
    real = await realpath(join(realRoot, ...segments));
  } catch (error) {
    if (NOT_FOUND_ERRNOS.has(errnoOf(error) ?? '')) return undefined;
    throw error;
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || !isServableRelativePath(inside.split(sep))) return undefined;
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: the resolved path has no link at its end; if one appeared since, refuse.
    handle = await openNoFollow(real);
  } catch (error) {
    if (NOT_FOUND_ERRNOS.has(errnoOf(error) ?? '')) return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile()) return { handle, stats, realName: basename(real) };
  } catch (error) {
    await handle.close();
    throw error;
  }
  await handle.close();
  return undefined;
}
