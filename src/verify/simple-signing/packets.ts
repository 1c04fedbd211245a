/**
 * A minimal OpenPGP packet reader (RFC 9580 §4.2, §5.6): packet framing and
 * decompression, nothing else. Simple signing walks the packets of a signed
 * message itself instead of trusting "the signed data" openpgp.js returns
 * for inline messages (CVE-2025-47934, research/reliability.md §1.8): we
 * must know exactly which bytes the signature covers.
 */
import { inflateRawSync, inflateSync } from 'node:zlib';
import { RejectionError } from '../errors.ts';

export const PACKET_TAG = {
  signature: 2,
  onePassSignature: 4,
  compressedData: 8,
  literalData: 11,
} as const;

/** Decompressed data larger than this is refused (a payload is a few hundred bytes; zip bombs are not). */
export const MAX_DECOMPRESSED_BYTES = 4 * 1024 * 1024;

export interface Packet {
  readonly tag: number;
  /** The body, partial-length chunks joined. */
  readonly body: Uint8Array;
  /** Header and body exactly as read (only meaningful for packets without partial lengths). */
  readonly raw: Uint8Array;
}

function invalid(message: string): RejectionError {
  return new RejectionError('SIGNATURE_INVALID', `not a valid OpenPGP signed message: ${message}`);
}

/** Packets that may use partial body lengths (RFC 9580 §4.2.1.4): data packets only. */
const PARTIAL_ALLOWED = new Set<number>([PACKET_TAG.compressedData, PACKET_TAG.literalData, 9, 18, 20]);

class Reader {
  readonly bytes: Uint8Array;
  position = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get done(): boolean {
    return this.position >= this.bytes.length;
  }

  byte(): number {
    const value = this.bytes[this.position];
    if (value === undefined) throw invalid('truncated packet header');
    this.position++;
    return value;
  }

  take(length: number): Uint8Array {
    if (length > this.bytes.length - this.position) throw invalid('truncated packet body');
    const slice = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return slice;
  }

  uint32(): number {
    return ((this.byte() << 24) >>> 0) + (this.byte() << 16) + (this.byte() << 8) + this.byte();
  }
}

/** New-format length (§4.2.1): `{ length, partial }`. */
function readNewLength(reader: Reader): { length: number; partial: boolean } {
  const first = reader.byte();
  if (first < 192) return { length: first, partial: false };
  if (first < 224) return { length: ((first - 192) << 8) + reader.byte() + 192, partial: false };
  if (first === 255) return { length: reader.uint32(), partial: false };
  return { length: 1 << (first & 0x1f), partial: true };
}

function readPacket(reader: Reader): Packet {
  const start = reader.position;
  const header = reader.byte();
  if ((header & 0x80) === 0) throw invalid(`byte 0x${header.toString(16).padStart(2, '0')} is not a packet header`);
  if ((header & 0x40) !== 0) {
    const tag = header & 0x3f;
    let { length, partial } = readNewLength(reader);
    if (partial && !PARTIAL_ALLOWED.has(tag)) throw invalid(`packet type ${tag} with a partial body length`);
    const chunks: Uint8Array[] = [reader.take(length)];
    while (partial) {
      ({ length, partial } = readNewLength(reader));
      chunks.push(reader.take(length));
    }
    const body = chunks.length === 1 ? chunks[0] ?? new Uint8Array(0) : Buffer.concat(chunks);
    return { tag, body, raw: reader.bytes.subarray(start, reader.position) };
  }
  // Old format (§4.2.2): tag in bits 5-2, length type in bits 1-0.
  const tag = (header >> 2) & 0x0f;
  const lengthType = header & 0x03;
  let length: number;
  if (lengthType === 0) length = reader.byte();
  else if (lengthType === 1) length = (reader.byte() << 8) + reader.byte();
  else if (lengthType === 2) length = reader.uint32();
  else length = reader.bytes.length - reader.position; // indeterminate: to the end of the data
  const body = reader.take(length);
  return { tag, body, raw: reader.bytes.subarray(start, reader.position) };
}

/** All packets of `bytes`, in order; any framing error rejects. */
export function readPackets(bytes: Uint8Array): Packet[] {
  const reader = new Reader(bytes);
  const packets: Packet[] = [];
  while (!reader.done) packets.push(readPacket(reader));
  return packets;
}

/** The content of a compressed data packet (§5.6): ZIP (raw deflate) or ZLIB; BZip2 is not supported. */
export function decompress(body: Uint8Array): Uint8Array {
  const algorithm = body[0];
  const data = body.subarray(1);
  if (algorithm === 0) return data;
  if (algorithm !== 1 && algorithm !== 2) throw invalid(`unsupported compression algorithm ${String(algorithm)}`);
  let result: InflateResult;
  try {
    const options = { maxOutputLength: MAX_DECOMPRESSED_BYTES, info: true };
    // With `info` Node returns the engine too (its bytesWritten = input consumed); @types/node does not say so.
    result = (algorithm === 1 ? inflateRawSync(data, options) : inflateSync(data, options)) as unknown as InflateResult;
  } catch (error) {
    const tooLarge = error instanceof RangeError || (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    throw invalid(tooLarge ? `compressed data expands beyond ${MAX_DECOMPRESSED_BYTES} bytes` : 'corrupt compressed data');
  }
  // zlib stops at the end of the stream and would silently drop whatever follows it.
  if (result.engine.bytesWritten !== data.length) throw invalid('data after the end of the compressed stream');
  return result.buffer;
}

interface InflateResult {
  readonly buffer: Buffer;
  readonly engine: { readonly bytesWritten: number };
}

/** A literal data packet (§5.9): format, file name, date, then the data. */
export interface LiteralData {
  readonly format: number;
  readonly data: Uint8Array;
}

export function toLiteralData(body: Uint8Array): LiteralData {
  const reader = new Reader(body);
  const format = reader.byte();
  const nameLength = reader.byte();
  reader.take(nameLength);
  reader.take(4);
  return { format, data: body.subarray(reader.position) };
}

/** The fields of a one-pass signature packet (§5.4) that must agree with its signature. */
export interface OnePassSignature {
  readonly version: number;
  readonly signatureType: number;
  readonly hashAlgorithm: number;
  readonly publicKeyAlgorithm: number;
  /** v3: the 8-byte issuer key ID, hex; v6: undefined. */
  readonly keyId?: string;
  /** v6: the issuer fingerprint, hex. */
  readonly fingerprint?: string;
  /** 1 when no other one-pass signature follows ("last" flag). */
  readonly last: number;
}

export function toOnePassSignature(body: Uint8Array): OnePassSignature {
  const reader = new Reader(body);
  const version = reader.byte();
  const signatureType = reader.byte();
  const hashAlgorithm = reader.byte();
  const publicKeyAlgorithm = reader.byte();
  let result: OnePassSignature;
  if (version === 3) {
    const keyId = Buffer.from(reader.take(8)).toString('hex');
    result = { version, signatureType, hashAlgorithm, publicKeyAlgorithm, keyId, last: reader.byte() };
  } else if (version === 6) {
    reader.take(reader.byte());
    const fingerprint = Buffer.from(reader.take(32)).toString('hex');
    result = { version, signatureType, hashAlgorithm, publicKeyAlgorithm, fingerprint, last: reader.byte() };
  } else {
    throw invalid(`one-pass signature version ${version}`);
  }
  if (!reader.done) throw invalid('trailing bytes in the one-pass signature packet');
  return result;
}
