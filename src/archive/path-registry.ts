/**
 * Every path an archive creates, explicit or implied, as a trie keyed by
 * collision key. It rejects duplicates and collisions before anything is
 * written (research/reliability.md §6 row 6), keeps a file from being used as
 * a directory, and counts implied directories against the entry limit
 * because each one costs an inode (row 10). Memory is bounded by
 * maxEntries x maxSegmentBytes.
 */
import { archiveError } from './errors.ts';
import { toCollisionKey } from './entry-path.ts';
import { quotePath } from './quote-path.ts';
import type { EntryPath } from './entry-path.ts';

export type EntryKind = 'file' | 'dir';

interface Node {
  readonly spelling: string;
  kind: EntryKind;
  explicit: boolean;
  children: Map<string, Node> | undefined;
}

export class PathRegistry {
  readonly #root: Node = { spelling: '', kind: 'dir', explicit: true, children: undefined };
  readonly #maxEntries: number;
  #count = 0;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** Paths registered so far, implied directories included. */
  get count(): number {
    return this.#count;
  }

  /**
   * Registers `entry` as `kind`. Returns the directories (paths, parents
   * first, the entry itself if it is a new directory) that do not exist yet.
   * Throws ARCHIVE_DUPLICATE_ENTRY or ARCHIVE_TOO_MANY_ENTRIES.
   */
  claim(entry: EntryPath, kind: EntryKind): string[] {
    const created: string[] = [];
    let node = this.#root;
    const last = entry.segments.length - 1;
    for (const [index, segment] of entry.segments.entries()) {
      const key = toCollisionKey(segment);
      node.children ??= new Map();
      const existing = node.children.get(key);
      const prefix = (): string => entry.segments.slice(0, index + 1).join('/');
      if (existing === undefined) {
        const isLeaf = index === last;
        this.#count++;
        if (this.#count > this.#maxEntries) {
          throw archiveError('ARCHIVE_TOO_MANY_ENTRIES', `archive has more than ${this.#maxEntries} entries`, {
            details: { limit: this.#maxEntries },
          });
        }
        const child: Node = { spelling: segment, kind: isLeaf ? kind : 'dir', explicit: isLeaf, children: undefined };
        node.children.set(key, child);
        if (!isLeaf || kind === 'dir') created.push(prefix());
        node = child;
        continue;
      }
      if (existing.spelling !== segment) {
        throw duplicate(entry.path, `${quotePath(segment)} collides with ${quotePath(existing.spelling)}`);
      }
      if (index < last) {
        if (existing.kind === 'file') throw duplicate(entry.path, `parent ${quotePath(prefix())} is a file`);
      } else if (existing.kind !== kind) {
        throw duplicate(entry.path, 'is both a file and a directory');
      } else if (existing.explicit) {
        throw duplicate(entry.path, 'appears twice');
      } else {
        existing.explicit = true;
      }
      node = existing;
    }
    return created;
  }
}

function duplicate(path: string, why: string): Error {
  return archiveError('ARCHIVE_DUPLICATE_ENTRY', `entry ${quotePath(path)}: ${why}`);
}
