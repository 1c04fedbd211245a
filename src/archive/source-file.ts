/**
 * Reading a file of the source tree (packing, listing). Small files use
 * synchronous calls: every async fs call is a thread-pool round trip, and
 * four of them per file dominated packing and listing 5,000 small files
 * (research/performance.md §3.3 item 2); one small read blocks the event
 * loop for microseconds. Larger files stream in chunks.
 */
import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { archiveError, toArchiveError } from './errors.ts';
import { quotePath } from './quote-path.ts';

/** Files up to this size are read in one synchronous call. */
export const SMALL_FILE_BYTES = 64 * 1024;
const CHUNK_BYTES = 256 * 1024;

export class SourceFile {
  readonly #fd: number;
  readonly #path: string;
  /** Size when opened; reads stop there, and a shorter file is ARCHIVE_SOURCE_CHANGED. */
  readonly size: number;
  /** Raw st_mode bits. */
  readonly mode: number;

  private constructor(fd: number, path: string, size: number, mode: number) {
    this.#fd = fd;
    this.#path = path;
    this.size = size;
    this.mode = mode;
  }

  /**
   * Opens `absolute` (O_NOFOLLOW: the walk resolved links already, so a link
   * appearing now is a race) and checks it is a regular file. `path` is the
   * archive path, for messages.
   */
  static open(absolute: string, path: string): SourceFile {
    let fd: number;
    try {
      fd = openSync(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      throw toArchiveError(error, `reading ${quotePath(path)}`);
    }
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) throw changed(path);
      return new SourceFile(fd, path, stats.size, stats.mode);
    } catch (error) {
      closeSync(fd);
      throw toArchiveError(error, `reading ${quotePath(path)}`);
    }
  }

  /** The whole content, read synchronously; for files up to SMALL_FILE_BYTES. */
  readAll(): Buffer {
    const content = Buffer.allocUnsafe(this.size);
    try {
      for (let position = 0; position < this.size; ) {
        const bytesRead = readSync(this.#fd, content, position, this.size - position, position);
        if (bytesRead === 0) throw changed(this.#path);
        position += bytesRead;
      }
    } catch (error) {
      throw toArchiveError(error, `reading ${quotePath(this.#path)}`);
    }
    return content;
  }

  /** The content in fresh buffers (callers may keep them), exactly `size` bytes. */
  async *chunks(signal?: AbortSignal): AsyncGenerator<Buffer> {
    for (let position = 0; position < this.size; ) {
      signal?.throwIfAborted();
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, this.size - position));
      const bytesRead = await this.#read(buffer, position);
      if (bytesRead === 0) throw changed(this.#path);
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  #read(buffer: Buffer, position: number): Promise<number> {
    return new Promise((resolve, reject) => {
      read(this.#fd, buffer, 0, buffer.length, position, (error, bytesRead) => {
        if (error) reject(toArchiveError(error, `reading ${quotePath(this.#path)}`));
        else resolve(bytesRead);
      });
    });
  }
}

function changed(path: string): Error {
  return archiveError('ARCHIVE_SOURCE_CHANGED', `${quotePath(path)} changed while it was being read`);
}
