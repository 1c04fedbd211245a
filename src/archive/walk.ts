/**
 * Deterministic walk of a source tree for packing and listing: depth-first,
 * each directory's names sorted by UTF-8 bytes (locale- and
 * UTF-16-independent, like Go's sort.Strings), ignore rules applied, and
 * every path checked with the extractor's own rules so we never build an
 * archive we would refuse to extract.
 */
import { realpath, readdir, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { archiveError, toArchiveError } from './errors.ts';
import { toEntryPath } from './entry-path.ts';
import { DEFAULT_EXTRACT_LIMITS } from './limits.ts';
import { PathRegistry } from './path-registry.ts';
import { quotePath } from './quote-path.ts';
import { isErrno, loadIgnore } from './source-ignore.ts';
import type { Dirent } from 'node:fs';
import type { IgnoreMatcher } from './ignore.ts';
import type { EntryKind } from './path-registry.ts';
import type { IgnoreOptions } from './source-ignore.ts';

export interface WalkOptions {
  readonly ignore?: IgnoreOptions;
  /**
   * Follow symlinks whose target stays inside the root: the link's path gets
   * the target's content. Without it any (non-ignored) symlink is an error.
   */
  readonly resolveSymlinks?: boolean;
  readonly signal?: AbortSignal;
}

/** One path to pack: its archive path, kind, and the real file or directory behind it. */
export interface SourceEntry {
  readonly path: string;
  readonly kind: EntryKind;
  readonly absolute: string;
}

interface WalkContext {
  readonly rootReal: string;
  readonly ignore: IgnoreMatcher;
  readonly registry: PathRegistry;
  readonly resolveSymlinks: boolean;
  readonly signal: AbortSignal | undefined;
}

/**
 * Walks `source`: a directory (its contents, not itself) or a single file
 * (one entry named after it; ignore rules do not apply).
 */
export async function* walkSource(source: string, options: WalkOptions = {}): AsyncGenerator<SourceEntry> {
  let rootReal: string;
  let isDirectory: boolean;
  try {
    rootReal = await realpath(source);
    isDirectory = (await stat(rootReal)).isDirectory();
  } catch (error) {
    throw toArchiveError(error, `reading source ${quotePath(basename(source))}`);
  }
  const registry = new PathRegistry(Number.MAX_SAFE_INTEGER);
  if (!isDirectory) {
    const name = basename(source);
    const entry = checkPath(name, registry, 'file');
    yield { path: entry, kind: 'file', absolute: rootReal };
    return;
  }
  const ignore = await loadIgnore(rootReal, options.ignore);
  const context: WalkContext = {
    rootReal,
    ignore,
    registry,
    resolveSymlinks: options.resolveSymlinks ?? false,
    signal: options.signal,
  };
  yield* walkDirectory(context, rootReal, '', [rootReal]);
}

async function* walkDirectory(
  context: WalkContext,
  directory: string,
  relative: string,
  ancestors: readonly string[],
): AsyncGenerator<SourceEntry> {
  const dirents = await readSorted(directory, relative);
  for (const dirent of dirents) {
    context.signal?.throwIfAborted();
    const path = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
    const resolved = await resolveDirent(context, dirent, join(directory, dirent.name), path);
    if (resolved === undefined) continue;
    yield { path: checkPath(path, context.registry, resolved.kind), kind: resolved.kind, absolute: resolved.absolute };
    if (resolved.kind === 'dir') {
      if (ancestors.includes(resolved.absolute)) {
        throw archiveError('ARCHIVE_LINK_REJECTED', `symlink ${quotePath(path)}: loops back to a parent directory`);
      }
      yield* walkDirectory(context, resolved.absolute, path, [...ancestors, resolved.absolute]);
    }
  }
}

async function readSorted(directory: string, relative: string): Promise<Dirent[]> {
  try {
    const dirents = await readdir(directory, { withFileTypes: true });
    const keyed = dirents.map((dirent) => ({ dirent, key: Buffer.from(dirent.name) }));
    keyed.sort((a, b) => Buffer.compare(a.key, b.key));
    return keyed.map(({ dirent }) => dirent);
  } catch (error) {
    throw toArchiveError(error, `reading directory ${quotePath(relative === '' ? '.' : relative)}`);
  }
}

// The kind and real location of one directory entry, or undefined if ignored.
async function resolveDirent(
  context: WalkContext,
  dirent: Dirent,
  absolute: string,
  path: string,
): Promise<{ kind: EntryKind; absolute: string } | undefined> {
  if (dirent.isDirectory() || dirent.isFile()) {
    const kind: EntryKind = dirent.isDirectory() ? 'dir' : 'file';
    return context.ignore.isIgnored(path, kind === 'dir') ? undefined : { kind, absolute };
  }
  if (!dirent.isSymbolicLink()) {
    if (context.ignore.isIgnored(path, false)) return undefined;
    throw archiveError('ARCHIVE_ENTRY_TYPE_UNSUPPORTED', `${quotePath(path)}: not a regular file or directory`);
  }
  if (!context.resolveSymlinks) {
    if (context.ignore.isIgnored(path, false)) return undefined;
    throw archiveError(
      'ARCHIVE_LINK_REJECTED',
      `${quotePath(path)} is a symlink; symlinks are not packed unless resolving symlinks is enabled`,
    );
  }
  const target = await resolveLink(context.rootReal, path, absolute);
  if (context.ignore.isIgnored(path, target.kind === 'dir')) return undefined;
  return target;
}

async function resolveLink(rootReal: string, path: string, absolute: string): Promise<{ kind: EntryKind; absolute: string }> {
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ELOOP')) {
      throw archiveError('ARCHIVE_LINK_REJECTED', `symlink ${quotePath(path)}: target does not exist`, { cause: error });
    }
    throw toArchiveError(error, `resolving symlink ${quotePath(path)}`);
  }
  // realpath resolved every link in the chain, so this containment check
  // cannot be fooled by a chain that is lexically inside (oras GHSA-m37j).
  if (real !== rootReal && !real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) {
    throw archiveError('ARCHIVE_LINK_REJECTED', `symlink ${quotePath(path)}: target is outside the source root`);
  }
  let stats;
  try {
    stats = await stat(real);
  } catch (error) {
    throw toArchiveError(error, `resolving symlink ${quotePath(path)}`);
  }
  if (stats.isDirectory()) return { kind: 'dir', absolute: real };
  if (stats.isFile()) return { kind: 'file', absolute: real };
  throw archiveError('ARCHIVE_ENTRY_TYPE_UNSUPPORTED', `symlink ${quotePath(path)}: target is not a regular file or directory`);
}

function checkPath(path: string, registry: PathRegistry, kind: EntryKind): string {
  const entry = toEntryPath(path, DEFAULT_EXTRACT_LIMITS);
  if (entry === undefined) throw archiveError('ARCHIVE_PATH_INVALID', `${quotePath(path)}: not a valid entry name`);
  registry.claim(entry, kind);
  return entry.path;
}
