/**
 * A pass-through stage that hashes and counts what flows through it: the
 * sha256 (OCI digest / diff_id), the CRC-32 a gzip trailer needs (RFC 1952
 * §2.3.1), and the byte count. Results are valid after the stream finished.
 */
import { Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { createStreamDigester, type DigestAlgorithm, type StreamDigester } from '../shared/index.ts';
import type { TransformCallback } from 'node:stream';

export class DigestTap extends Transform {
  readonly #hash: StreamDigester;
  readonly #withCrc: boolean;
  #crc = 0;
  #size = 0;
  #digest: Promise<string> | undefined;

  constructor(algorithm: DigestAlgorithm = 'sha256', options: { readonly crc?: boolean } = {}) {
    super();
    // Large archives hash on a worker thread while deflate and I/O go on.
    this.#hash = createStreamDigester(algorithm);
    this.#withCrc = options.crc ?? false;
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** CRC-32 of the bytes seen so far (0 unless constructed with `crc: true`). */
  get crc(): number {
    return this.#crc;
  }

  /** `<algorithm>:<hex>`; ask only after the stream finished. */
  async digest(): Promise<string> {
    this.#digest ??= this.#hash.digest();
    return this.#digest;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A failed stream's digest is never asked for; a finished one's still is.
    if (error !== null) this.#hash.dispose();
    callback(error);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const ready = this.#hash.update(chunk);
    if (this.#withCrc) this.#crc = crc32(chunk, this.#crc);
    this.#size += chunk.length;
    // Back-pressure from the hash worker bounds the memory queued for it.
    if (ready) callback(null, chunk);
    else void this.#hash.drained().then(() => { callback(null, chunk); });
  }
}
