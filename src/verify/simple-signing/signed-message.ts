/**
 * The shape of a simple-signing blob (containers-signature(5), research/
 * signatures.md §3.2): an OpenPGP Signed Message (RFC 9580 §10.3) exactly as
 * `gpg --sign` (gpgme SigModeNormal) writes it,
 *
 *   [Compressed Data] → One-Pass Signature, Literal Data, Signature
 *
 * or the same three packets uncompressed (`gpg -z 0`). Anything else —
 * several signatures, extra literal data, cleartext or armored text, an
 * unsigned literal, nested compression — is refused here, before any
 * cryptography, so that the bytes we later verify a detached signature over
 * are the only data the message carries (CVE-2025-47934).
 */
import { RejectionError } from '../errors.ts';
import {
  PACKET_TAG, decompress, readPackets, toLiteralData, toOnePassSignature,
  type LiteralData, type OnePassSignature, type Packet,
} from './packets.ts';

export interface SignedMessageParts {
  readonly onePass: OnePassSignature;
  readonly literal: LiteralData;
  /** The signature packet, header included, as it appeared in the message. */
  readonly signaturePacket: Uint8Array;
  readonly compressed: boolean;
}

const EXPECTED = [PACKET_TAG.onePassSignature, PACKET_TAG.literalData, PACKET_TAG.signature] as const;
const ARMOR = new TextEncoder().encode('-----BEGIN PGP');

function invalid(message: string): RejectionError {
  return new RejectionError('SIGNATURE_INVALID', message);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}

function describeTags(packets: readonly Packet[]): string {
  return packets.slice(0, 8).map((packet) => String(packet.tag)).join(',') + (packets.length > 8 ? ',…' : '');
}

/** Splits a signed message into its one signature, its literal data and its one-pass header; rejects any other shape. */
export function toSignedMessageParts(blob: Uint8Array): SignedMessageParts {
  if (blob.length === 0) throw invalid('empty signature');
  if (startsWith(blob, ARMOR)) {
    throw invalid('ASCII-armored or cleartext-signed data; simple signing requires a binary OpenPGP signed message');
  }
  let packets = readPackets(blob);
  let compressed = false;
  const [first] = packets;
  if (packets.length === 1 && first?.tag === PACKET_TAG.compressedData) {
    packets = readPackets(decompress(first.body));
    compressed = true;
    if (packets.some((packet) => packet.tag === PACKET_TAG.compressedData)) throw invalid('nested compressed data');
  }
  const signatures = packets.filter((packet) => packet.tag === PACKET_TAG.signature).length;
  const onePass = packets.filter((packet) => packet.tag === PACKET_TAG.onePassSignature).length;
  if (signatures === 0 && onePass === 0) throw invalid('the OpenPGP message is not signed');
  if (signatures > 1 || onePass > 1) {
    throw invalid(`the OpenPGP message carries ${String(Math.max(signatures, onePass))} signatures; exactly one is required`);
  }
  if (packets.length !== EXPECTED.length || packets.some((packet, index) => packet.tag !== EXPECTED[index])) {
    throw invalid(`unexpected OpenPGP packet sequence [${describeTags(packets)}]; expected one-pass signature, literal data, signature`);
  }
  const [onePassPacket, literalPacket, signaturePacket] = packets as [Packet, Packet, Packet];
  const parsedOnePass = toOnePassSignature(onePassPacket.body);
  if (parsedOnePass.last === 0) throw invalid('the one-pass signature announces a further signature');
  return {
    onePass: parsedOnePass,
    literal: toLiteralData(literalPacket.body),
    signaturePacket: signaturePacket.raw,
    compressed,
  };
}
