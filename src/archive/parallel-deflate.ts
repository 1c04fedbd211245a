/**
 * Raw deflate (RFC 1951) on several threads, the way pigz does it: the input
 * is cut into 1 MiB blocks, each compressed on its own with the previous
 * block's last 32 KiB as preset dictionary, ended with a sync flush (an empty
 * stored block, byte-aligned, not final) except the last, which is finished.
 * The compressed blocks concatenate into one valid deflate stream. The same
 * input, level and block size always give the same bytes, so digests stay
 * reproducible; on two cores a 100 MB pack takes about half the time.
 */
import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { constants, deflateRaw } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);

const BLOCK_BYTES = 1024 * 1024;
/** Deflate's window: a block can refer back this far into its predecessor. */
const WINDOW_BYTES = 32 * 1024;

export class ParallelDeflateRaw extends Transform {
  readonly #level: number;
  readonly #concurrency: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #dictionary: Buffer | undefined;
  /** Compressions under way, in output order. */
  #queue: Promise<Buffer>[] = [];

  constructor(level: number, concurrency = availableParallelism()) {
    super();
    this.#level = level;
    this.#concurrency = Math.max(1, concurrency);
  }

  #startBlock(block: Buffer, last: boolean): void {
    const options = {
      level: this.#level,
      finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      ...(this.#dictionary === undefined ? {} : { dictionary: this.#dictionary }),
    };
    this.#dictionary = Buffer.from(block.subarray(Math.max(0, block.length - WINDOW_BYTES)));
    this.#queue.push(deflateRawAsync(block, options));
  }

  /** Emits finished blocks in order; waits for the oldest while too many run. */
  async #drain(all: boolean): Promise<void> {
    while (this.#queue.length > 0 && (all || this.#queue.length > this.#concurrency)) {
      const next = this.#queue.shift();
      if (next !== undefined) this.push(await next);
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    while (this.#pendingBytes >= BLOCK_BYTES) {
      const joined = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#startBlock(joined.subarray(0, BLOCK_BYTES), false);
      const rest = joined.subarray(BLOCK_BYTES);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#pendingBytes = rest.length;
    }
    this.#drain(false).then(() => { callback(); }, (error: unknown) => { callback(error as Error); });
  }

  override _flush(callback: TransformCallback): void {
    this.#startBlock(Buffer.concat(this.#pending, this.#pendingBytes), true);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#drain(true).then(() => { callback(); }, (error: unknown) => { callback(error as Error); });
  }
}
