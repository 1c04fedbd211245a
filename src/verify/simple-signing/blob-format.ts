/**
 * What a lookaside `signature-N` file holds, told by its first byte
 * (containers/image internal/signature/signature.go FromBlob;
 * research/signatures.md §2):
 *
 * - an OpenPGP packet header (compressed data, one-pass signature or
 *   signature packet): a raw simple-signing blob, the historical format;
 * - 0x00: `\0<format>\n<data>` with format `simple-signing` or `sigstore-json`;
 * - anything else (ASCII armor, HTML, JSON): an error.
 */
import { RejectionError } from '../errors.ts';

export type LookasideBlobFormat = 'simple-signing' | 'sigstore-json';

export interface LookasideBlob {
  readonly format: LookasideBlobFormat;
  /** For simple-signing the GPG blob; for sigstore-json the JSON document. */
  readonly data: Uint8Array;
}

/**
 * First bytes taken as a raw GPG blob. The list is containers/image's
 * verbatim, including its 0x3d where 0x93 (old-format one-pass signature,
 * indeterminate length) was presumably meant: a blob starting with '=' is
 * passed on to GPG verification (and fails there), one starting with 0x93
 * is refused — exactly as containers/image behaves.
 */
const RAW_GPG_FIRST_BYTES = new Set([
  0xa0, 0xa1, 0xa2, 0xa3, 0xc8, // compressed data (old format, any length type; new format)
  0x90, 0x91, 0x92, 0x3d, 0xc4, // one-pass signature
  0x88, 0x89, 0x8a, 0x8b, 0xc2, // signature
]);

const FORMATS: Readonly<Record<string, LookasideBlobFormat>> = {
  'simple-signing': 'simple-signing',
  'sigstore-json': 'sigstore-json',
};

function invalid(message: string): RejectionError {
  return new RejectionError('SIGNATURE_INVALID', message);
}

/** Classifies a lookaside blob; throws RejectionError SIGNATURE_INVALID for an unrecognized format. */
export function toLookasideBlob(blob: Uint8Array): LookasideBlob {
  const first = blob[0];
  if (first === undefined) throw invalid('empty signature blob');
  if (RAW_GPG_FIRST_BYTES.has(first)) return { format: 'simple-signing', data: blob };
  if (first !== 0x00) {
    throw invalid(`unrecognized signature format, starting with byte 0x${first.toString(16).padStart(2, '0')}`);
  }
  const newline = blob.indexOf(0x0a, 1);
  if (newline === -1) throw invalid('invalid signature format, missing newline');
  const nameBytes = blob.subarray(1, newline);
  const bad = nameBytes.find((byte) => byte < 0x20 || byte >= 0x7f);
  if (bad !== undefined) throw invalid(`invalid signature format, non-ASCII byte 0x${bad.toString(16).padStart(2, '0')}`);
  const name = new TextDecoder().decode(nameBytes);
  const format = Object.hasOwn(FORMATS, name) ? FORMATS[name] : undefined;
  if (format === undefined) throw invalid(`unrecognized signature format ${JSON.stringify(name.slice(0, 60))}`);
  return { format, data: blob.subarray(newline + 1) };
}
