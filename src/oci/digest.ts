/**
 * Content digests (image-spec descriptor.md §"Digests"). Only the registered
 * algorithms sha256 and sha512 are accepted, with lowercase hex of exactly
 * their length: a digest goes into URLs and file names, so anything looser
 * would let a registry smuggle `../` or query syntax in (CVE-2024-3727).
 */
import { createHash, type Hash } from 'node:crypto';
import { isDigest, type DigestAlgorithm } from '../shared/index.ts';
import { ociError } from './errors.ts';

// The digest grammar lives in shared/ (archive/ and cli/ need it too).
export { digestAlgorithm, digestOf, isDigest, parseDigest } from '../shared/index.ts';
export type { DigestAlgorithm, ParsedDigest } from '../shared/index.ts';

/** Throws DIGEST_INVALID unless `value` is a valid digest; `what` names it in the message. */
export function assertDigest(value: unknown, what = 'digest'): asserts value is string {
  if (!isDigest(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw ociError('DIGEST_INVALID', `${what} ${shown} is not a sha256/sha512 digest of lowercase hex`);
  }
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
