/**
 * bobctl's local content-addressable cache of manifests and blobs
 * (`$BOBCTL_CACHE`, else `$XDG_CACHE_HOME/bob/content`, else
 * `~/.cache/bob/content`), laid out like an OCI image layout's blobs/:
 * `<algorithm>/<hex>`. Entries are written to a temp file and renamed only
 * once their digest checked, and re-checked on every read, so a corrupted
 * entry is dropped, never used. With it, re-pulling an unchanged artifact
 * costs one HEAD request.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { digestOf, parseDigest } from '../oci/index.ts';

export class ContentCache {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /** The cache a CLI run uses, from its environment; undefined with --no-cache. */
  static fromEnvironment(env: Readonly<Record<string, string | undefined>>): ContentCache {
    const explicit = env['BOBCTL_CACHE'];
    if (explicit !== undefined && explicit !== '') return new ContentCache(explicit);
    const xdg = env['XDG_CACHE_HOME'];
    const base = xdg !== undefined && xdg !== '' ? xdg : join(env['HOME'] ?? homedir(), '.cache');
    return new ContentCache(join(base, 'bob', 'content'));
  }

  /** Where `digest` lives; undefined for a malformed digest (never a path from it). */
  pathOf(digest: string): string | undefined {
    const parsed = parseDigest(digest);
    return parsed === undefined ? undefined : join(this.#root, parsed.algorithm, parsed.hex);
  }

  /** The cached bytes of `digest` if present, at most `maxBytes`, and matching. */
  async read(digest: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const path = this.pathOf(digest);
    const parsed = parseDigest(digest);
    if (path === undefined || parsed === undefined) return undefined;
    try {
      if ((await stat(path)).size > maxBytes) return undefined;
      const bytes = await readFile(path);
      if (digestOf(bytes, parsed.algorithm) === digest) return bytes;
      await rm(path, { force: true });
    } catch {
      // absent or unreadable: a miss
    }
    return undefined;
  }

  /** The path of a cached blob of exactly `size` bytes (its digest is checked by whoever reads it). */
  async blobPath(digest: string, size: number): Promise<string | undefined> {
    const path = this.pathOf(digest);
    if (path === undefined) return undefined;
    try {
      const info = await stat(path);
      return info.isFile() && info.size === size ? path : undefined;
    } catch {
      return undefined;
    }
  }

  /** Drops an entry that turned out to be bad. */
  async evict(digest: string): Promise<void> {
    const path = this.pathOf(digest);
    if (path !== undefined) await rm(path, { force: true });
  }

  /** Stores `bytes` (already verified); a cache that cannot be written is only a miss later. */
  async write(digest: string, bytes: Uint8Array): Promise<void> {
    try {
      const writer = await this.openWriter(digest);
      if (writer === undefined) return;
      writer.stream.end(bytes);
      await writer.commit();
    } catch {
      // best effort: the pull itself succeeded
    }
  }

  /**
   * A temp file for `digest`; `commit` renames it into place (call it only
   * after the bytes were verified), `abort` removes it. A write error never
   * escapes as an unhandled rejection: commit reports it, abort ignores it.
   */
  async openWriter(digest: string): Promise<CacheWriter | undefined> {
    const path = this.pathOf(digest);
    if (path === undefined) return undefined;
    const dir = join(path, '..');
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.tmp-${randomUUID()}`);
    const stream = createWriteStream(temp);
    const closed = new Promise<void>((resolve, reject) => {
      stream.once('close', resolve);
      stream.once('error', reject);
    });
    closed.catch(() => undefined);
    return {
      stream,
      async commit() {
        try {
          if (!stream.writableEnded) stream.end();
          await closed;
          await rename(temp, path);
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
      },
      async abort() {
        stream.destroy();
        await closed.catch(() => undefined);
        await rm(temp, { force: true });
      },
    };
  }
}

export interface CacheWriter {
  readonly stream: WriteStream;
  commit(): Promise<void>;
  abort(): Promise<void>;
}
