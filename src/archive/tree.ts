/**
 * Content listing of a directory tree, for `diff artifact`: compare a local
 * source with an extracted artifact file by file, independent of tar and
 * gzip bytes (which differ between zlib builds and between bob and Flux).
 * Uses the packing walk, so ignore rules, symlink handling and ordering are
 * the same as for `packArchive`.
 */
import { createHash } from 'node:crypto';
import { toFileMode } from './entry-writer.ts';
import { SMALL_FILE_BYTES, SourceFile } from './source-file.ts';
import { walkSource } from './walk.ts';
import type { WalkOptions } from './walk.ts';

export type TreeEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly mode: number; readonly size: number; readonly digest: string };

export interface TreeListing {
  /** Entries in walk order (depth-first, names sorted by UTF-8 bytes). */
  readonly entries: readonly TreeEntry[];
  /** `sha256:<hex>` over the canonical listing: equal trees have equal digests. */
  readonly digest: string;
}

export interface TreeDiff {
  /** Paths only in `after`. */
  readonly added: readonly string[];
  /** Paths only in `before`. */
  readonly removed: readonly string[];
  /** Paths in both whose kind, content or normalized mode differ. */
  readonly changed: readonly string[];
}

/**
 * Lists `root` (directory or single file) with a sha256 per file and the
 * normalized mode packing would give it. For an extracted artifact pass
 * `ignore: { defaults: [], sourceIgnore: false }` so nothing is skipped.
 */
export async function listTree(root: string, options: WalkOptions = {}): Promise<TreeListing> {
  const entries: TreeEntry[] = [];
  const listing = createHash('sha256');
  for await (const entry of walkSource(root, options)) {
    if (entry.kind === 'dir') {
      entries.push({ kind: 'dir', path: entry.path });
      listing.update(`dir ${entry.path}\n`);
      continue;
    }
    const file = await hashFile(entry.absolute, entry.path, options.signal);
    entries.push({ kind: 'file', path: entry.path, ...file });
    listing.update(`file ${file.mode.toString(8)} ${file.size} ${file.digest} ${entry.path}\n`);
  }
  return { entries, digest: `sha256:${listing.digest('hex')}` };
}

/** What changed from `before` to `after`, each list sorted like the listings. */
export function diffTrees(before: TreeListing, after: TreeListing): TreeDiff {
  const old = new Map(before.entries.map((entry) => [entry.path, entry]));
  const current = new Map(after.entries.map((entry) => [entry.path, entry]));
  const added = after.entries.filter((entry) => !old.has(entry.path)).map((entry) => entry.path);
  const removed = before.entries.filter((entry) => !current.has(entry.path)).map((entry) => entry.path);
  const changed = after.entries
    .filter((entry) => {
      const previous = old.get(entry.path);
      return previous !== undefined && !isSameEntry(previous, entry);
    })
    .map((entry) => entry.path);
  return { added, removed, changed };
}

function isSameEntry(a: TreeEntry, b: TreeEntry): boolean {
  if (a.kind === 'dir' || b.kind === 'dir') return a.kind === b.kind;
  return a.digest === b.digest && a.size === b.size && a.mode === b.mode;
}

async function hashFile(absolute: string, path: string, signal: AbortSignal | undefined): Promise<{ mode: number; size: number; digest: string }> {
  const file = SourceFile.open(absolute, path);
  try {
    const hash = createHash('sha256');
    if (file.size <= SMALL_FILE_BYTES) {
      hash.update(file.readAll());
    } else {
      for await (const chunk of file.chunks(signal)) hash.update(chunk);
    }
    return { mode: toFileMode(file.mode), size: file.size, digest: `sha256:${hash.digest('hex')}` };
  } finally {
    file.close();
  }
}
