/**
 * The descriptor a blob must match (OCI image-spec descriptor `digest` and
 * `size`), and the stage that enforces it on the bytes actually read: more
 * bytes than `size` fail at once, fewer or a different hash fail at EOF
 * (research/reliability.md §3 "bytes != digest", oras VerifyReader).
 */
import { createReadStream } from 'node:fs';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createStreamDigester, digestAlgorithm, isDigest, type DigestAlgorithm, type StreamDigester } from '../shared/index.ts';
import { archiveError } from './errors.ts';
import type { TransformCallback } from 'node:stream';

/** Digest (`sha256:<64 hex>` or `sha512:<128 hex>`) and size in bytes of a blob. */
export interface ExpectedBlob {
  readonly digest: string;
  readonly size: number;
}

/** The algorithm of `expected`; throws ARCHIVE_OPTIONS_INVALID if digest or size is malformed. */
export function assertExpectedBlob(expected: ExpectedBlob): DigestAlgorithm {
  if (!isDigest(expected.digest)) {
    throw archiveError('ARCHIVE_OPTIONS_INVALID', 'expected digest must be sha256:<64 hex> or sha512:<128 hex>');
  }
  if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
    throw archiveError('ARCHIVE_OPTIONS_INVALID', 'expected size must be a non-negative integer');
  }
  return digestAlgorithm(expected.digest);
}

/** Passes bytes through while checking them against `expected` (see the file comment). */
export class BlobVerifier extends Transform {
  readonly #expected: ExpectedBlob;
  readonly #algorithm: DigestAlgorithm;
  readonly #hash: StreamDigester | undefined;
  #size = 0;

  /** With `hash` false only the size is enforced: the source checks the digest itself. */
  constructor(expected: ExpectedBlob, hash = true) {
    super();
    this.#expected = expected;
    this.#algorithm = assertExpectedBlob(expected);
    // Large blobs hash on a worker thread, in parallel with inflating them.
    this.#hash = hash ? createStreamDigester(this.#algorithm) : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#size += chunk.length;
    if (this.#size > this.#expected.size) {
      callback(mismatch(this.#expected, `blob is longer than the expected ${this.#expected.size} bytes`));
      return;
    }
    if (this.#hash === undefined || this.#hash.update(chunk)) callback(null, chunk);
    else void this.#hash.drained().then(() => { callback(null, chunk); });
  }

  override _flush(callback: TransformCallback): void {
    if (this.#size !== this.#expected.size) {
      callback(mismatch(this.#expected, `blob has ${this.#size} bytes, expected ${this.#expected.size}`));
      return;
    }
    if (this.#hash === undefined) {
      callback();
      return;
    }
    this.#hash.digest().then((actual) => {
      callback(actual === this.#expected.digest ? null : mismatch(this.#expected, `blob digest is ${actual}, expected ${this.#expected.digest}`));
    }, (error: unknown) => { callback(error instanceof Error ? error : new Error('hashing failed')); });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // After a clean end _flush already has the digest; only a failure leaves a worker behind.
    if (error !== null) this.#hash?.dispose();
    callback(error);
  }
}

/**
 * Re-reads the file at `path` (at most size + 1 bytes) and throws
 * ARCHIVE_DIGEST_MISMATCH if it does not match `expected`.
 */
export async function verifyBlobFile(path: string, expected: ExpectedBlob): Promise<void> {
  const verifier = new BlobVerifier(expected);
  const input = createReadStream(path, { start: 0, end: expected.size, highWaterMark: 256 * 1024 });
  const discard = new Writable({
    write(_chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
      done();
    },
  });
  await pipeline(input, verifier, discard);
}

function mismatch(expected: ExpectedBlob, message: string): Error {
  return archiveError('ARCHIVE_DIGEST_MISMATCH', message, { details: { expected: expected.digest, size: expected.size } });
}
