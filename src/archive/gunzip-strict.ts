/**
 * Strict gunzip: exactly one gzip member (RFC 1952) and nothing after it.
 * node:zlib's Gunzip silently decodes concatenated members and silently drops
 * trailing zero bytes, and Go only checks the CRC when read to EOF
 * (research/reliability.md §1.2 (d), §6 row 13). Here we parse the header and
 * trailer ourselves around a raw inflater, learn where the deflate data ended
 * from `bytesWritten`, and then require exactly the 8-byte trailer with a
 * matching CRC-32 and length.
 */
import { createInflateRaw, crc32 } from 'node:zlib';
import { archiveError } from './errors.ts';
import { KIB } from '../shared/index.ts';
import type { InflateRaw } from 'node:zlib';

// FEXTRA (<= 64 KiB) plus NUL-terminated FNAME and FCOMMENT.
const MAX_HEADER_BYTES = 256 * KIB;
// Input fed per step. Deflate expands at most ~1032:1, so one step buffers at
// most ~66 MiB of output before the consumer pulls (bounded memory on bombs;
// the uncompressed cap downstream ends them). 16 KiB steps cost a zlib-thread
// round trip each: 100 MB pulled 30% slower.
const SLICE_BYTES = 64 * KIB;
const TRAILER_BYTES = 8;

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/** Decompresses one gzip member from `source`; throws ARCHIVE_CORRUPT on any deviation. */
export async function* gunzipStrict(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // Large output chunks: per-chunk overhead downstream (tar parsing, writes)
  // dominates with small ones (64 KiB: ~4x slower on 100 MB than 1 MiB).
  const inflater = createInflateRaw({ chunkSize: 1024 * KIB });
  const state = new InflateState(inflater);
  let pending: Buffer = Buffer.alloc(0);
  let inHeader = true;
  try {
    for await (const chunk of source) {
      let data = chunk;
      if (inHeader) {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const length = parseHeader(pending);
        if (length === undefined) {
          if (pending.length > MAX_HEADER_BYTES) throw corrupt('gzip header too large');
          continue;
        }
        inHeader = false;
        data = pending.subarray(length);
      }
      for (let offset = 0; offset < data.length; offset += SLICE_BYTES) {
        if (state.deflateEnded) {
          state.addTrailer(data.subarray(offset));
          break;
        }
        // Inflate this slice in the zlib thread while the consumer takes what
        // the previous ones produced: the two overlap instead of alternating.
        const feeding = state.feed(data.subarray(offset, offset + SLICE_BYTES));
        feeding.catch(() => undefined);
        yield* state.takeOutput();
        await feeding;
      }
    }
    if (inHeader) throw corrupt(pending.length === 0 ? 'empty blob, not gzip data' : 'truncated gzip header');
    await state.finish();
    yield* state.takeOutput();
    state.checkTrailer();
  } finally {
    inflater.destroy();
  }
}

class InflateState {
  readonly #inflater: InflateRaw;
  readonly #output: Buffer[] = [];
  #failure: Error | undefined;
  #readableEnded = false;
  #fed = 0;
  #crc = 0;
  #size = 0;
  #trailer: Buffer = Buffer.alloc(0);
  deflateEnded = false;

  constructor(inflater: InflateRaw) {
    this.#inflater = inflater;
    inflater.on('data', (chunk: Buffer) => this.#output.push(chunk));
    inflater.on('error', (error: Error) => {
      this.#failure = error;
    });
    inflater.on('end', () => {
      this.#readableEnded = true;
    });
  }

  /** Writes `slice`; afterwards, if the deflate stream ended inside it, keeps the surplus as trailer. */
  async feed(slice: Buffer): Promise<void> {
    this.#fed += slice.length;
    // On a zlib error the write callback may never run: settle on 'error' or 'close' too.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.#inflater.off('error', done);
        this.#inflater.off('close', done);
        resolve();
      };
      this.#inflater.once('error', done);
      this.#inflater.once('close', done);
      this.#inflater.write(slice, done);
    });
    this.#throwIfFailed();
    // zlib stops consuming at the end of the deflate data: bytesWritten
    // counts what it consumed, so the rest of this slice is not deflate.
    const surplus = this.#fed - this.#inflater.bytesWritten;
    if (surplus > 0) {
      this.deflateEnded = true;
      this.addTrailer(slice.subarray(slice.length - surplus));
    }
  }

  addTrailer(bytes: Buffer): void {
    this.#trailer = Buffer.concat([this.#trailer, bytes]);
    // Fail as soon as the surplus is known to be more than a trailer.
    if (this.#trailer.length >= TRAILER_BYTES + 2) throw this.#surplusError();
  }

  *takeOutput(): Generator<Buffer> {
    while (this.#output.length > 0) {
      const chunk = this.#output.shift();
      if (chunk === undefined) break;
      this.#crc = crc32(chunk, this.#crc);
      this.#size += chunk.length;
      yield chunk;
    }
  }

  /** Ends the inflater (an incomplete deflate stream fails here) and waits for its last output. */
  async finish(): Promise<void> {
    if (!this.deflateEnded) this.#inflater.end();
    if (!this.#readableEnded && this.#failure === undefined) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.#inflater.off('end', done);
          this.#inflater.off('error', done);
          this.#inflater.off('close', done);
          resolve();
        };
        this.#inflater.on('end', done);
        this.#inflater.on('error', done);
        this.#inflater.on('close', done);
      });
    }
    this.#throwIfFailed();
  }

  checkTrailer(): void {
    if (this.#trailer.length > TRAILER_BYTES) throw this.#surplusError();
    if (this.#trailer.length < TRAILER_BYTES) throw corrupt('truncated gzip stream: missing trailer');
    if (this.#trailer.readUInt32LE(0) !== this.#crc >>> 0) throw corrupt('gzip CRC-32 mismatch');
    if (this.#trailer.readUInt32LE(4) !== this.#size % 2 ** 32) throw corrupt('gzip length mismatch');
  }

  #surplusError(): Error {
    const next = this.#trailer.subarray(TRAILER_BYTES);
    if (next.length >= 2 && next[0] === 0x1f && next[1] === 0x8b) {
      return corrupt('multi-member gzip is not supported');
    }
    return corrupt('trailing data after the gzip stream');
  }

  #throwIfFailed(): void {
    if (this.#failure === undefined) {
      if (this.#inflater.destroyed && !this.#readableEnded) throw corrupt('inflater closed unexpectedly');
      return;
    }
    const reason = this.#failure.message === 'unexpected end of file' ? 'truncated gzip stream' : 'invalid deflate data';
    throw archiveError('ARCHIVE_CORRUPT', reason, { cause: this.#failure });
  }
}

// Length of a complete gzip header at the start of `buffer`, or undefined if more bytes are needed.
function parseHeader(buffer: Buffer): number | undefined {
  if ((buffer.length >= 1 && buffer[0] !== 0x1f) || (buffer.length >= 2 && buffer[1] !== 0x8b)) {
    throw notGzip(buffer);
  }
  if (buffer.length < 10) return undefined;
  if (buffer[2] !== 8) throw corrupt('unsupported gzip compression method');
  const flags = buffer[3] ?? 0;
  if ((flags & FRESERVED) !== 0) throw corrupt('reserved gzip header flags set');
  let position = 10;
  if ((flags & FEXTRA) !== 0) {
    if (buffer.length < position + 2) return undefined;
    position += 2 + buffer.readUInt16LE(position);
    if (buffer.length < position) return undefined;
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if ((flags & flag) === 0) continue;
    const end = buffer.indexOf(0, position);
    if (end < 0) return undefined;
    position = end + 1;
  }
  if ((flags & FHCRC) !== 0) {
    if (buffer.length < position + 2) return undefined;
    // FHCRC is the low 16 bits of the CRC-32 of the header bytes before it.
    if ((crc32(buffer.subarray(0, position)) & 0xffff) !== buffer.readUInt16LE(position)) {
      throw corrupt('gzip header CRC mismatch');
    }
    position += 2;
  }
  return position;
}

function notGzip(buffer: Buffer): Error {
  const magic = buffer.subarray(0, 4).toString('hex');
  const zstd = magic === '28b52ffd' ? ', zstd' : '';
  return corrupt(`not gzip data (starts with 0x${magic}${zstd})`);
}

function corrupt(reason: string): Error {
  return archiveError('ARCHIVE_CORRUPT', reason, { details: { reason } });
}
