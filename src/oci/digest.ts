/**
 * Content digests (image-spec descriptor.md §"Digests"). Only the registered
 * algorithms sha256 and sha512 are accepted, with lowercase hex of exactly
 * their length: a digest goes into URLs and file names, so anything looser
 * would let a registry smuggle `../` or query syntax in (CVE-2024-3727).
 */
import { createHash, type Hash } from 'node:crypto';
import type { DigestAlgorithm } from '../shared/index.ts';
import { ociError } from './errors.ts';

export type { DigestAlgorithm } from '../shared/index.ts';

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

/** Throws DIGEST_INVALID unless `value` is a valid digest; `what` names it in the message. */
export function assertDigest(value: unknown, what = 'digest'): asserts value is string {
  if (!isDigest(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw ociError('DIGEST_INVALID', `${what} ${shown} is not a sha256/sha512 digest of lowercase hex`);
  }
}

/** The algorithm of a digest already checked with assertDigest. */
export function digestAlgorithm(digest: string): DigestAlgorithm {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** Incremental hashing that yields a digest string. */
export interface Digester {
  update(chunk: Uint8Array): void;
  digest(): string;
}

export function createDigester(algorithm: DigestAlgorithm = 'sha256'): Digester {
  const hash: Hash = createHash(algorithm);
  return {
    update: (chunk) => { hash.update(chunk); },
    digest: () => `${algorithm}:${hash.digest('hex')}`,
  };
}

/** Digest of bytes in memory. */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  const digester = createDigester(algorithm);
  digester.update(bytes);
  return digester.digest();
}
