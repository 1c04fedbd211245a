/**
 * A pass-through stage that hashes and counts what flows through it: the
 * sha256 (OCI digest / diff_id), the CRC-32 a gzip trailer needs (RFC 1952
 * §2.3.1), and the byte count. Results are valid after the stream finished.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { Hash } from 'node:crypto';
import type { TransformCallback } from 'node:stream';

export type DigestAlgorithm = 'sha256' | 'sha512';

export class DigestTap extends Transform {
  readonly #hash: Hash;
  readonly #algorithm: DigestAlgorithm;
  readonly #withCrc: boolean;
  #crc = 0;
  #size = 0;
  #digest: string | undefined;

  constructor(algorithm: DigestAlgorithm = 'sha256', options: { readonly crc?: boolean } = {}) {
    super();
    this.#algorithm = algorithm;
    this.#hash = createHash(algorithm);
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

  /** `<algorithm>:<hex>`; only after the stream finished. */
  get digest(): string {
    this.#digest ??= `${this.#algorithm}:${this.#hash.digest('hex')}`;
    return this.#digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    if (this.#withCrc) this.#crc = crc32(chunk, this.#crc);
    this.#size += chunk.length;
    callback(null, chunk);
  }
}
