/**
 * Structural checks on the raw tar stream, in front of tar-stream's parser.
 * tar-stream trusts the framing: it skips zero blocks and keeps parsing
 * (so data after the end-of-archive marker and concatenated archives pass),
 * buffers PAX headers up to 4 MiB, accepts negative base-256 sizes in
 * extension headers, and ignores a directory's data size. This guard mirrors
 * its framing block by block (POSIX.1-2001 ustar/pax, 512-byte blocks) and
 * rejects, before tar-stream sees them: bad header checksums, negative or
 * huge sizes (CVE-2026-59874 class), oversized PAX/GNU long-name headers
 * (CVE-2024-28863 class), GNU sparse and unknown types, more entries or bytes
 * than allowed, a missing end-of-archive marker, and any non-zero byte after
 * it (research/reliability.md §6 rows 7, 9-13).
 */
import { Transform } from 'node:stream';
import { archiveError } from './errors.ts';
import { quotePath } from './quote-path.ts';
import type { TransformCallback } from 'node:stream';
import type { ExtractLimits } from './limits.ts';

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const ZERO_SCAN = Buffer.alloc(64 * 1024);

// Typeflags of POSIX ustar/pax and GNU long names that tar-stream decodes.
// Entries of allowed-but-refused types (links, devices, FIFOs) carry on to
// the extractor, which rejects them with their final (PAX) name.
const ENTRY_TYPES = new Set(['0', '\0', '1', '2', '3', '4', '5', '6', '7']);
const EXTENSION_TYPES = new Set(['x', 'g', 'L', 'K']);

export type TarGuardLimits = Pick<
  ExtractLimits,
  'maxUncompressedBytes' | 'maxEntries' | 'maxPaxHeaderBytes' | 'maxPathBytes'
>;

type State =
  | { readonly kind: 'header' }
  | { kind: 'skip'; remaining: number }
  | { readonly kind: 'extension'; readonly type: string; readonly size: number; readonly chunks: Buffer[]; received: number }
  | { readonly kind: 'end' };

export class TarGuard extends Transform {
  readonly #limits: TarGuardLimits;
  #state: State = { kind: 'header' };
  #header = Buffer.alloc(BLOCK);
  #headerFill = 0;
  #total = 0;
  #entries = 0;
  #zeroBlocks = 0;
  #paxSize: number | undefined;
  #pendingExtensions = new Set<string>();

  constructor(limits: TarGuardLimits) {
    super();
    this.#limits = limits;
  }

  /** Bytes of tar stream seen. */
  get total(): number {
    return this.#total;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#total += chunk.length;
      if (this.#total > this.#limits.maxUncompressedBytes) throw this.#tooLarge();
      this.#scan(chunk);
      callback(null, chunk);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.#state.kind === 'end') {
      callback();
      return;
    }
    const where =
      this.#state.kind !== 'header' ? 'entry data cut short' : this.#headerFill > 0 ? 'header cut short' : 'missing end-of-archive marker';
    callback(corrupt(`truncated tar stream: ${where}`));
  }

  #scan(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const state = this.#state;
      switch (state.kind) {
        case 'end':
          if (!isZero(chunk, offset, chunk.length)) throw corrupt('trailing data after the end-of-archive marker');
          return;
        case 'skip': {
          const n = Math.min(state.remaining, chunk.length - offset);
          state.remaining -= n;
          offset += n;
          if (state.remaining === 0) this.#state = { kind: 'header' };
          break;
        }
        case 'extension': {
          const n = Math.min(state.size - state.received, chunk.length - offset);
          state.chunks.push(chunk.subarray(offset, offset + n));
          state.received += n;
          offset += n;
          if (state.received === state.size) this.#endExtension(state.type, Buffer.concat(state.chunks));
          break;
        }
        case 'header': {
          const n = Math.min(BLOCK - this.#headerFill, chunk.length - offset);
          chunk.copy(this.#header, this.#headerFill, offset, offset + n);
          this.#headerFill += n;
          offset += n;
          if (this.#headerFill === BLOCK) {
            this.#headerFill = 0;
            this.#onHeader(this.#header);
          }
          break;
        }
      }
    }
  }

  #onHeader(block: Buffer): void {
    if (block.equals(ZERO_BLOCK)) {
      // POSIX: the archive ends with two zero blocks. A lone zero block
      // between entries is how concatenated archives slip through.
      if (this.#pendingExtensions.size > 0) throw corrupt('extension header not followed by an entry');
      this.#zeroBlocks++;
      if (this.#zeroBlocks === 2) this.#state = { kind: 'end' };
      return;
    }
    if (this.#zeroBlocks > 0) throw corrupt('zero block inside the archive');
    checkChecksum(block);
    const type = String.fromCharCode(block[156] ?? 0);
    const size = parseNumber(block, 124, 12, 'size');
    if (EXTENSION_TYPES.has(type)) {
      this.#onExtensionHeader(type, size);
      return;
    }
    const name = rawName(block);
    if (!ENTRY_TYPES.has(type)) {
      const what = type === 'S' ? 'GNU sparse file' : `type ${JSON.stringify(type)}`;
      throw archiveError('ARCHIVE_ENTRY_TYPE_UNSUPPORTED', `entry ${quotePath(name)}: unsupported ${what}`);
    }
    this.#entries++;
    if (this.#entries > this.#limits.maxEntries) {
      throw archiveError('ARCHIVE_TOO_MANY_ENTRIES', `archive has more than ${this.#limits.maxEntries} entries`, {
        details: { limit: this.#limits.maxEntries },
      });
    }
    const dataSize = this.#paxSize ?? size;
    this.#paxSize = undefined;
    this.#pendingExtensions.clear();
    // tar-stream reads no data for directories (typeflag 5, or a regular
    // entry whose ustar name ends in "/"), so such data would be parsed as
    // headers: refuse instead of letting the two parsers disagree.
    const directoryLike = type === '5' || ((type === '0' || type === '\0') && (name === '' || name.endsWith('/')));
    if (directoryLike && dataSize > 0) throw corrupt(`directory entry ${quotePath(name)} has data`);
    if (this.#total + dataSize > this.#limits.maxUncompressedBytes) throw this.#tooLarge();
    this.#skip(dataSize);
  }

  #onExtensionHeader(type: string, size: number): void {
    if (this.#pendingExtensions.has(type)) throw corrupt(`two ${JSON.stringify(type)} extension headers in a row`);
    this.#pendingExtensions.add(type);
    if ((type === 'x' || type === 'g') && size > this.#limits.maxPaxHeaderBytes) {
      throw archiveError('ARCHIVE_HEADER_TOO_LARGE', `PAX header larger than ${this.#limits.maxPaxHeaderBytes} bytes`, {
        details: { limit: this.#limits.maxPaxHeaderBytes },
      });
    }
    // GNU long names: the name plus its NUL terminator.
    if ((type === 'L' || type === 'K') && size > this.#limits.maxPathBytes + 1) {
      const code = type === 'L' ? 'ARCHIVE_PATH_INVALID' : 'ARCHIVE_LINK_REJECTED';
      throw archiveError(code, `GNU long name longer than ${this.#limits.maxPathBytes} bytes`);
    }
    if (size === 0) {
      this.#endExtension(type, Buffer.alloc(0));
      return;
    }
    this.#state = { kind: 'extension', type, size, chunks: [], received: 0 };
  }

  #endExtension(type: string, data: Buffer): void {
    if (type === 'x' || type === 'g') this.#onPax(type, data);
    this.#skip(data.length, true);
  }

  #onPax(type: string, data: Buffer): void {
    for (const [key, value] of parsePax(data)) {
      // PAX 0.x/1.0 sparse files keep a sparse map in the data (GNU tar).
      if (key.startsWith('GNU.sparse.')) {
        throw archiveError('ARCHIVE_ENTRY_TYPE_UNSUPPORTED', 'unsupported GNU sparse file (PAX)');
      }
      if (type === 'g' && (key === 'path' || key === 'linkpath' || key === 'size')) {
        throw corrupt(`global PAX header sets ${JSON.stringify(key)}`);
      }
      if (type === 'x' && key === 'size') {
        if (!/^\d{1,16}$/u.test(value) || !Number.isSafeInteger(Number(value))) throw corrupt('invalid PAX size');
        this.#paxSize = Number(value);
      }
    }
    if (type === 'g') this.#pendingExtensions.delete('g');
  }

  // Skips `size` bytes of data plus padding to the next block boundary.
  #skip(size: number, afterExtension = false): void {
    const padded = size === 0 ? 0 : Math.ceil(size / BLOCK) * BLOCK;
    const remaining = afterExtension ? padded - size : padded;
    this.#state = remaining === 0 ? { kind: 'header' } : { kind: 'skip', remaining };
  }

  #tooLarge(): Error {
    return archiveError('ARCHIVE_TOO_LARGE', `uncompressed size exceeds ${this.#limits.maxUncompressedBytes} bytes`, {
      details: { limit: this.#limits.maxUncompressedBytes },
    });
  }
}

function checkChecksum(block: Buffer): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  if (parseNumber(block, 148, 8, 'checksum') !== sum) throw corrupt('tar header checksum mismatch');
}

/**
 * A ustar numeric field: octal digits between optional spaces/NULs, or
 * GNU base-256 (first byte 0x80, positive only). Stricter than tar-stream,
 * which returns negative numbers for 0xff-prefixed fields and parses
 * trailing garbage; where we accept, both agree on the value.
 */
function parseNumber(block: Buffer, offset: number, length: number, field: string): number {
  const bytes = block.subarray(offset, offset + length);
  if (bytes[0] === 0x80) {
    let value = 0;
    for (const byte of bytes.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw corrupt(`tar header ${field} too large`);
    return value;
  }
  const text = bytes.toString('latin1');
  const match = /^ *([0-7]*)[ \0]*$/u.exec(text);
  if (match === null) throw corrupt(`invalid tar header ${field}`);
  const digits = match[1] ?? '';
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

// The ustar name as tar-stream decodes it (prefix + "/" + name), for messages and the directory check.
function rawName(block: Buffer): string {
  const field = (start: number, length: number): string => {
    const end = block.indexOf(0, start);
    return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
  };
  const name = field(0, 100);
  const isUstar = block.toString('latin1', 257, 263) === 'ustar\0';
  const prefix = isUstar ? field(345, 155) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** PAX records `<length> <key>=<value>\n` (POSIX.1-2001 pax "extended header"), strictly. */
function parsePax(data: Buffer): [string, string][] {
  const records: [string, string][] = [];
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const lengthText = space === -1 ? '' : data.toString('latin1', offset, space);
    if (!/^[1-9]\d{0,8}$/u.test(lengthText)) throw corrupt('malformed PAX record');
    const end = offset + Number(lengthText);
    if (end > data.length || data[end - 1] !== 0x0a) throw corrupt('malformed PAX record');
    const record = data.toString('utf8', space + 1, end - 1);
    const equals = record.indexOf('=');
    if (equals <= 0) throw corrupt('malformed PAX record');
    records.push([record.slice(0, equals), record.slice(equals + 1)]);
    offset = end;
  }
  return records;
}

function isZero(buffer: Buffer, start: number, end: number): boolean {
  for (let offset = start; offset < end; offset += ZERO_SCAN.length) {
    const stop = Math.min(end, offset + ZERO_SCAN.length);
    if (!buffer.subarray(offset, stop).equals(ZERO_SCAN.subarray(0, stop - offset))) return false;
  }
  return true;
}

function corrupt(reason: string): Error {
  return archiveError('ARCHIVE_CORRUPT', reason, { details: { reason } });
}
