/**
 * Writes validated entries into the staging directory. Only regular files
 * and directories exist here; every file is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW, so nothing is ever written through an existing
 * path or link (node-tar PR #456 TOCTOU, CVE-2021-32803), and modes are
 * normalized (files 0644, or 0755 if any execute bit was set; directories
 * 0755; no setuid/setgid/sticky) with an explicit chmod so the umask cannot
 * change them. No chown: ownership is the extracting process's (§6 row 8).
 */
import { chmodSync, closeSync, constants, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { archiveError, toArchiveError } from './errors.ts';
import { quotePath } from './quote-path.ts';
import type { EntryPath } from './entry-path.ts';
import type { PathRegistry } from './path-registry.ts';

/** Positioned writes of one large file allowed to run at once. */
const WRITES_IN_FLIGHT = 4;
/** Bytes gathered into one vectored write. */
const WRITE_BATCH_BYTES = 1024 * 1024;

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
// Files up to this size are buffered and written with synchronous calls:
// each async fs call is a thread-pool round trip, and four of them per file
// made 5,000 small files take ~1.5 s (research/performance.md §3.3 item 2).
// One such file blocks the event loop for microseconds.
const SMALL_FILE_BYTES = 64 * 1024;

/** Normalized file mode: 0755 if any execute bit is set in `mode`, else 0644. */
export function toFileMode(mode: number): number {
  return (mode & 0o111) === 0 ? 0o644 : 0o755;
}

export class EntryWriter {
  readonly #root: string;
  readonly #registry: PathRegistry;

  constructor(root: string, registry: PathRegistry) {
    this.#root = root;
    this.#registry = registry;
  }

  /** Creates directory `entry` and missing parents (synchronously: mkdir is cheap); returns how many it created. */
  writeDirectory(entry: EntryPath): number {
    return this.#createDirectories(this.#registry.claim(entry, 'dir'), entry);
  }

  /**
   * Creates file `entry` (and missing parents) with `data`, which must be
   * exactly `size` bytes; returns how many directories it created.
   */
  async writeFile(entry: EntryPath, mode: number, size: number, data: AsyncIterable<Buffer>): Promise<number> {
    const created = this.#createDirectories(this.#registry.claim(entry, 'file'), entry);
    const path = join(this.#root, ...entry.segments);
    try {
      if (size <= SMALL_FILE_BYTES) {
        writeSmallFile(path, toFileMode(mode), await readExactly(data, size, entry));
        return created;
      }
      const handle = await open(path, CREATE_FLAGS, 0o600);
      try {
        // Chunks are gathered into ~1 MiB vectored writes (tar-stream hands out
        // small pieces; a write per piece cost more than the I/O), and up to
        // WRITES_IN_FLIGHT of them run in the thread pool while the next
        // chunks inflate and parse.
        const inFlight = new Set<Promise<unknown>>();
        let gathered: Buffer[] = [];
        let gatheredBytes = 0;
        let written = 0;
        const send = async (): Promise<void> => {
          const expected = gatheredBytes;
          const pending = handle.writev(gathered, written - gatheredBytes).then(({ bytesWritten }) => {
            // writev(2) may write less (a full disk); a short file must never pass as complete.
            if (bytesWritten !== expected) throw archiveError('ARCHIVE_IO_FAILED', `short write for entry ${quotePath(entry.path)}`);
          });
          gathered = [];
          gatheredBytes = 0;
          inFlight.add(pending);
          void pending.then(() => inFlight.delete(pending), () => undefined);
          if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
        };
        for await (const chunk of data) {
          written += chunk.length;
          if (written > size) break;
          gathered.push(chunk);
          gatheredBytes += chunk.length;
          if (gatheredBytes >= WRITE_BATCH_BYTES) await send();
        }
        if (gatheredBytes > 0 && written <= size) await send();
        await Promise.all(inFlight);
        if (written !== size) throw sizeMismatch(entry);
        await handle.chmod(toFileMode(mode));
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw toArchiveError(error, `writing entry ${quotePath(entry.path)}`);
    }
    return created;
  }

  #createDirectories(paths: readonly string[], entry: EntryPath): number {
    for (const path of paths) {
      const absolute = join(this.#root, ...path.split('/'));
      try {
        // Not recursive: the registry hands out parents first, and EEXIST
        // here would mean something we did not create is in the way.
        mkdirSync(absolute, { mode: 0o700 });
        chmodSync(absolute, 0o755);
      } catch (error) {
        throw toArchiveError(error, `creating directory for entry ${quotePath(entry.path)}`);
      }
    }
    return paths.length;
  }
}

async function readExactly(data: AsyncIterable<Buffer>, size: number, entry: EntryPath): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of data) {
    length += chunk.length;
    if (length > size) break;
    chunks.push(chunk);
  }
  if (length !== size) throw sizeMismatch(entry);
  return chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, length);
}

function writeSmallFile(path: string, mode: number, content: Buffer): void {
  const fd = openSync(path, CREATE_FLAGS, 0o600);
  try {
    for (let offset = 0; offset < content.length; ) offset += writeSync(fd, content, offset);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

function sizeMismatch(entry: EntryPath): Error {
  return archiveError('ARCHIVE_CORRUPT', `entry ${quotePath(entry.path)}: data does not match its size`);
}
