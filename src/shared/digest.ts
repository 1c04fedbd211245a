/**
 * Content digests (image-spec descriptor.md §"Digests"): only the registered
 * algorithms sha256 and sha512, with lowercase hex of exactly their length.
 * A digest goes into URLs and file names, so anything looser would let a
 * registry smuggle `../` or query syntax in (CVE-2024-3727).
 */
import { createHash } from 'node:crypto';

export type DigestAlgorithm = 'sha256' | 'sha512';

const HEX_LENGTHS: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha512: 128 };
const DIGEST_PATTERN = /^(sha256|sha512):([0-9a-f]+)$/;

/** A digest split into its parts. */
export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
}

/** The algorithm and hex of a digest, or undefined when it is not valid. */
export function parseDigest(value: string): ParsedDigest | undefined {
  const match = DIGEST_PATTERN.exec(value);
  if (match === null) return undefined;
  const algorithm = match[1] as DigestAlgorithm;
  const hex = match[2] ?? '';
  return hex.length === HEX_LENGTHS[algorithm] ? { algorithm, hex } : undefined;
}

/** Guard: `value` is a valid sha256/sha512 digest string. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && parseDigest(value) !== undefined;
}

/** The algorithm of a digest already checked with isDigest. */
export function digestAlgorithm(digest: string): DigestAlgorithm {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** Digest of bytes in memory. */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
