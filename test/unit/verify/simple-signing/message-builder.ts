// Hand-built OpenPGP packet sequences for the structure tests: real packets
// taken apart (with the reader under test) and put back together in shapes
// an attacker would choose.
import { deflateRawSync, deflateSync } from 'node:zlib';
import { decompress, readPackets, type Packet } from '../../../../src/verify/simple-signing/packets.ts';

/** A new-format packet (RFC 9580 §4.2.1) with a one-, two- or five-octet length. */
export function packet(tag: number, body: Uint8Array): Buffer {
  let length: Buffer;
  if (body.length < 192) length = Buffer.of(body.length);
  else if (body.length < 8384) length = Buffer.of(((body.length - 192) >> 8) + 192, (body.length - 192) & 0xff);
  else length = Buffer.concat([Buffer.of(255), Buffer.from(Uint32Array.of(body.length).buffer).reverse()]);
  return Buffer.concat([Buffer.of(0xc0 | tag), length, body]);
}

/** Old-format compressed data packet, indeterminate length, as gpg writes it. */
export function compressed(inner: Uint8Array, algorithm: 0 | 1 | 2 = 1): Buffer {
  const data = algorithm === 1 ? deflateRawSync(inner) : algorithm === 2 ? deflateSync(inner) : Buffer.from(inner);
  return Buffer.concat([Buffer.of(0xa3, algorithm), data]);
}

export function literal(data: Uint8Array | string, format = 'b'): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
  return packet(11, Buffer.concat([Buffer.from(format), Buffer.of(0), Buffer.alloc(4), bytes]));
}

/** The packets inside a (possibly compressed) signed message. */
export function innerPackets(message: Uint8Array): Packet[] {
  const top = readPackets(message);
  const [first] = top;
  return top.length === 1 && first?.tag === 8 ? readPackets(decompress(first.body)) : top;
}

/** The packets re-serialised in new format, in the order given. */
export function serialise(packets: readonly Packet[]): Buffer {
  return Buffer.concat(packets.map((p) => packet(p.tag, p.body)));
}
