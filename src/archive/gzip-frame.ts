/**
 * Deterministic gzip framing around a raw deflate stream (RFC 1952 §2.3):
 * no file name, MTIME 0, XFL 0 and OS 255 ("unknown"), which is also what
 * Go's compress/gzip writes by default, so the bytes depend only on the tar
 * bytes, the level and the zlib build, never on the host or the clock.
 */
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

// ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255
export const GZIP_HEADER: Buffer = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);

/** Source of the trailer values: CRC-32 and length of the uncompressed data. */
export interface GzipTrailerSource {
  readonly crc: number;
  readonly size: number;
}

/** Prefixes the fixed header and appends CRC32 + ISIZE (both little-endian) read from `trailer` at the end. */
export class GzipFramer extends Transform {
  readonly #trailer: GzipTrailerSource;
  #started = false;

  constructor(trailer: GzipTrailerSource) {
    super();
    this.#trailer = trailer;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#start();
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#start();
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.#trailer.crc >>> 0, 0);
    // ISIZE is the length modulo 2^32 (RFC 1952 §2.3.1).
    trailer.writeUInt32LE(this.#trailer.size % 2 ** 32, 4);
    callback(null, trailer);
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.push(GZIP_HEADER);
  }
}
