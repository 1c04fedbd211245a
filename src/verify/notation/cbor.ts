/**
 * A small, strict CBOR (RFC 8949) decoder and encoder for COSE_Sign1
 * envelopes. Strict where go-cose's decoder is (definite lengths only,
 * duplicate map keys refused, no trailing bytes) and bounded (depth, counts
 * never beyond the remaining input). Byte strings come back as views of the
 * input, so the protected header is verified over the exact bytes received
 * and never re-encoded (research/signatures.md §6.4, §8 CBOR row).
 */
export class CborError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CborError';
  }
}

export interface CborTag {
  readonly kind: 'tag';
  readonly tag: number;
  readonly value: CborValue;
}

/** Map keys are limited to what COSE labels can be: integers and text. */
export type CborKey = number | string;

export interface CborMap {
  readonly kind: 'map';
  readonly entries: readonly (readonly [CborKey, CborValue])[];
}

export type CborValue = number | string | boolean | null | undefined | Uint8Array | readonly CborValue[] | CborMap | CborTag;

const MAX_DEPTH = 16;

function isStructured(value: CborValue): value is CborMap | CborTag {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value);
}

/** Guard: a decoded map. */
export function isCborMap(value: CborValue): value is CborMap {
  return isStructured(value) && value.kind === 'map';
}

/** Guard: a decoded tag. */
export function isCborTag(value: CborValue): value is CborTag {
  return isStructured(value) && value.kind === 'tag';
}

/** Guard: a decoded array. */
export function isCborArray(value: CborValue): value is readonly CborValue[] {
  return Array.isArray(value);
}

/** The value stored under `key` in `map`, or undefined. */
export function getCborEntry(map: CborMap, key: CborKey): CborValue {
  for (const [entryKey, value] of map.entries) if (entryKey === key) return value;
  return undefined;
}

/** Guard: `key` is present in `map` (a present value may itself be `undefined`). */
export function hasCborEntry(map: CborMap, key: CborKey): boolean {
  return map.entries.some(([entryKey]) => entryKey === key);
}

class Decoder {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  position = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(count: number): void {
    if (count > this.bytes.length - this.position) throw new CborError(`truncated CBOR at offset ${String(this.position)}`);
  }

  readArgument(info: number): number {
    if (info < 24) return info;
    if (info === 24) {
      this.need(1);
      return this.view.getUint8(this.position++);
    }
    if (info === 25) {
      this.need(2);
      const value = this.view.getUint16(this.position);
      this.position += 2;
      return value;
    }
    if (info === 26) {
      this.need(4);
      const value = this.view.getUint32(this.position);
      this.position += 4;
      return value;
    }
    if (info === 27) {
      this.need(8);
      const value = this.view.getBigUint64(this.position);
      this.position += 8;
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CborError('CBOR integer or length too large');
      return Number(value);
    }
    if (info === 31) throw new CborError('indefinite-length CBOR items are not allowed');
    throw new CborError(`reserved CBOR additional information ${String(info)}`);
  }

  readValue(depth: number): CborValue {
    if (depth > MAX_DEPTH) throw new CborError('CBOR nested too deeply');
    this.need(1);
    const initial = this.view.getUint8(this.position++);
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) return this.readSimple(info);
    const argument = this.readArgument(info);
    switch (major) {
      case 0:
        return argument;
      case 1:
        return -1 - argument;
      case 2: {
        this.need(argument);
        const value = this.bytes.subarray(this.position, this.position + argument);
        this.position += argument;
        return value;
      }
      case 3: {
        this.need(argument);
        const raw = this.bytes.subarray(this.position, this.position + argument);
        this.position += argument;
        try {
          return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
        } catch {
          throw new CborError('CBOR text string is not valid UTF-8');
        }
      }
      case 4: {
        // Every item takes at least one byte: a count beyond the input is a lie.
        this.need(argument);
        const items: CborValue[] = [];
        for (let i = 0; i < argument; i++) items.push(this.readValue(depth + 1));
        return items;
      }
      case 5: {
        this.need(argument * 2);
        const entries: [CborKey, CborValue][] = [];
        for (let i = 0; i < argument; i++) {
          const key = this.readValue(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string') throw new CborError('CBOR map key must be an integer or text');
          if (entries.some(([existing]) => existing === key)) throw new CborError(`duplicate CBOR map key ${JSON.stringify(key)}`);
          entries.push([key, this.readValue(depth + 1)]);
        }
        return { kind: 'map', entries };
      }
      default: // 6
        return { kind: 'tag', tag: argument, value: this.readValue(depth + 1) };
    }
  }

  readSimple(info: number): CborValue {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) return undefined;
    if (info === 25) {
      this.need(2);
      const half = this.view.getUint16(this.position);
      this.position += 2;
      return toHalfFloat(half);
    }
    if (info === 26) {
      this.need(4);
      const value = this.view.getFloat32(this.position);
      this.position += 4;
      return value;
    }
    if (info === 27) {
      this.need(8);
      const value = this.view.getFloat64(this.position);
      this.position += 8;
      return value;
    }
    if (info === 31) throw new CborError('unexpected CBOR break');
    throw new CborError(`unsupported CBOR simple value ${String(info)}`);
  }
}

function toHalfFloat(half: number): number {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

/** Decodes exactly one CBOR item; anything after it is an error. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const decoder = new Decoder(bytes);
  const value = decoder.readValue(0);
  if (decoder.position !== bytes.length) throw new CborError('unexpected data after the CBOR item');
  return value;
}

// Encoding: only what signing needs, always in the shortest form (RFC 8949 §4.2.1).

function encodeHead(major: number, argument: number): Uint8Array {
  if (!Number.isSafeInteger(argument) || argument < 0) throw new CborError('CBOR argument out of range');
  if (argument < 24) return Uint8Array.of((major << 5) | argument);
  if (argument < 0x100) return Uint8Array.of((major << 5) | 24, argument);
  if (argument < 0x10000) return Uint8Array.of((major << 5) | 25, argument >> 8, argument & 0xff);
  if (argument < 0x100000000) {
    const head = new Uint8Array(5);
    head[0] = (major << 5) | 26;
    new DataView(head.buffer).setUint32(1, argument);
    return head;
  }
  const head = new Uint8Array(9);
  head[0] = (major << 5) | 27;
  new DataView(head.buffer).setBigUint64(1, BigInt(argument));
  return head;
}

/** Encodes integers, byte and text strings, arrays, maps (in the given order) and tags. */
export function encodeCbor(value: CborValue): Uint8Array {
  const parts: Uint8Array[] = [];
  const visit = (item: CborValue): void => {
    if (typeof item === 'number') {
      if (!Number.isSafeInteger(item)) throw new CborError('only integers can be encoded');
      parts.push(item >= 0 ? encodeHead(0, item) : encodeHead(1, -1 - item));
    } else if (typeof item === 'string') {
      const bytes = new TextEncoder().encode(item);
      parts.push(encodeHead(3, bytes.length), bytes);
    } else if (item instanceof Uint8Array) {
      parts.push(encodeHead(2, item.length), item);
    } else if (isCborArray(item)) {
      parts.push(encodeHead(4, item.length));
      for (const element of item) visit(element);
    } else if (isCborMap(item)) {
      parts.push(encodeHead(5, item.entries.length));
      for (const [key, entry] of item.entries) {
        visit(key);
        visit(entry);
      }
    } else if (isCborTag(item)) {
      parts.push(encodeHead(6, item.tag));
      visit(item.value);
    } else {
      throw new CborError('unsupported value for CBOR encoding');
    }
  };
  visit(value);
  return Buffer.concat(parts);
}
