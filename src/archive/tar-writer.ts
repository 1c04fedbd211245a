/**
 * The tar bytes of a pack, written directly: POSIX ustar headers (pax.1,
 * "ustar Interchange Format") with a pax extended header (typeflag 'x') for
 * names or sizes ustar cannot hold. Small entries are gathered into ~1 MiB
 * buffers, so 5,000 small files are a few hundred stream chunks rather than
 * tens of thousands of per-entry streams (tar-stream's pack cost ~150 µs an
 * entry; it stays the parser, where its framing matters).
 */

const BLOCK = 512;
const GATHER_BYTES = 1024 * 1024;
/** ustar's size field: 11 octal digits. */
const MAX_USTAR_SIZE = 0o77777777777;

export interface TarEntryHeader {
  /** Entry name; directories end in '/'. */
  readonly name: string;
  readonly type: 'file' | 'directory';
  readonly mode: number;
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
}

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as GNU tar and Go's archive/tar write them.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** Splits a long name into ustar prefix and name at a '/', if that fits. */
function splitName(name: Buffer): { prefix: Buffer; name: Buffer } | undefined {
  if (name.length <= 100) return { prefix: Buffer.alloc(0), name };
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    const prefix = name.subarray(0, i);
    const rest = name.subarray(i + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return { prefix, name: rest };
    if (prefix.length <= 155) break;
  }
  return undefined;
}

function ustarHeader(name: Buffer, prefix: Buffer, typeflag: string, mode: number, size: number, mtime: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  name.copy(header, 0);
  header.write(octal(mode & 0o7777, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(mtime, 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write(typeflag, 156, 'ascii');
  header.write('ustar\u000000', 257, 'ascii');
  header.write(octal(0, 8), 329, 'ascii');
  header.write(octal(0, 8), 337, 'ascii');
  prefix.copy(header, 345);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  return header;
}

/** One pax record, `<length> <key>=<value>\n`, where length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  const digits = String(bodyLength).length;
  let length = bodyLength + digits;
  // Adding the length's own digits can carry it into one more digit (99 -> 101).
  if (String(length).length > digits) length++;
  return `${length}${body}`;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The header block(s) of an entry: a pax header first when ustar cannot say it all. */
export function encodeHeader(entry: TarEntryHeader): Buffer {
  const typeflag = entry.type === 'directory' ? '5' : '0';
  const name = Buffer.from(entry.name, 'utf8');
  const split = splitName(name);
  const records: string[] = [];
  if (split === undefined) records.push(paxRecord('path', entry.name));
  if (entry.size > MAX_USTAR_SIZE) records.push(paxRecord('size', String(entry.size)));
  if (records.length === 0 && split !== undefined) {
    return ustarHeader(split.name, split.prefix, typeflag, entry.mode, entry.size, entry.mtime);
  }
  const pax = Buffer.from(records.join(''), 'utf8');
  const short = split ?? { prefix: Buffer.alloc(0), name: name.subarray(0, 100) };
  return Buffer.concat([
    ustarHeader(Buffer.from('PaxHeader'), Buffer.alloc(0), 'x', entry.mode, pax.length, entry.mtime),
    pax,
    padding(pax.length),
    ustarHeader(short.name, short.prefix, typeflag, entry.mode, Math.min(entry.size, MAX_USTAR_SIZE), entry.mtime),
  ]);
}

/** Gathers small buffers into ~1 MiB chunks; large ones pass through. */
export class ChunkGatherer {
  #parts: Buffer[] = [];
  #bytes = 0;

  /** Adds `buffer`; returns a chunk to emit when enough was gathered. */
  add(buffer: Buffer): Buffer | undefined {
    this.#parts.push(buffer);
    this.#bytes += buffer.length;
    return this.#bytes >= GATHER_BYTES ? this.take() : undefined;
  }

  /** Whatever was gathered, or undefined. */
  take(): Buffer | undefined {
    if (this.#bytes === 0) return undefined;
    const chunk = this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts, this.#bytes);
    this.#parts = [];
    this.#bytes = 0;
    return chunk;
  }
}

export { padding as entryPadding };

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);
