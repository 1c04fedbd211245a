/**
 * Verified blob reads (distribution-spec §"Pulling blobs"). The descriptor's
 * size is checked before any request; bytes are counted and hashed as they
 * stream; more bytes than declared fail at once (trailing data), fewer or a
 * wrong digest fail at the end. Content-Length is only an early hint, never
 * trusted (oras-go VerifyReader, ggcr verify.ReadCloser).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { backoffDelay, createStreamDigester, isBobError } from '../shared/index.ts';
import { dropBody, type BodySource } from './body.ts';
import { pullScopes, toApiUrl, type ClientContext, type RepositoryTarget } from './context.ts';
import { isValidSize, type Descriptor } from './descriptor.ts';
import { assertDigest, digestAlgorithm, isDigest } from './digest.ts';
import { ociError } from './errors.ts';
import { toResponseError } from './response-error.ts';
import { describeRequest, headerValue, toNetworkError } from './transport.ts';

export interface FetchBlobOptions {
  readonly signal: AbortSignal;
  /** Refuse descriptors larger than this before any request. */
  readonly maxBytes?: number;
}

/** Throws DESCRIPTOR_INVALID / BLOB_TOO_LARGE for descriptors we must not even start fetching. */
export function assertFetchableBlob(descriptor: Descriptor, maxBytes: number | undefined): void {
  assertDigest(descriptor.digest, 'blob digest');
  if (!isValidSize(descriptor.size)) {
    throw ociError('DESCRIPTOR_INVALID', `blob ${descriptor.digest}: size ${String(descriptor.size)} is not an integer between 0 and 2^53-1`);
  }
  if (maxBytes !== undefined && descriptor.size > maxBytes) {
    throw ociError('BLOB_TOO_LARGE', `blob ${descriptor.digest}: size ${descriptor.size} exceeds the limit of ${maxBytes} bytes`, {
      details: { size: descriptor.size, limit: maxBytes },
    });
  }
}

/**
 * Passes `source` through, verifying against `descriptor`: BLOB_SIZE_MISMATCH
 * as soon as there is a byte too many or at the end if short,
 * BLOB_DIGEST_MISMATCH at the end. Consumers must read to the end to learn the
 * verdict; nothing read before it is trustworthy.
 */
export async function* verifyBlob(source: AsyncIterable<Uint8Array>, descriptor: Pick<Descriptor, 'digest' | 'size'>): AsyncGenerator<Uint8Array, void, undefined> {
  // Large blobs hash on a worker thread, in parallel with whoever consumes them.
  const digester = createStreamDigester(digestAlgorithm(descriptor.digest));
  let total = 0;
  try {
    for await (const chunk of source) {
      total += chunk.byteLength;
      if (total > descriptor.size) {
        throw ociError('BLOB_SIZE_MISMATCH', `blob ${descriptor.digest}: more than the declared ${descriptor.size} bytes (trailing data)`, {
          details: { expected: descriptor.size },
        });
      }
      if (!digester.update(chunk)) await digester.drained();
      yield chunk;
    }
    if (total !== descriptor.size) {
      throw ociError('BLOB_SIZE_MISMATCH', `blob ${descriptor.digest}: got ${total} bytes, expected ${descriptor.size}`, {
        details: { expected: descriptor.size, actual: total },
      });
    }
    const actual = await digester.digest();
    if (actual !== descriptor.digest) {
      throw ociError('BLOB_DIGEST_MISMATCH', `blob ${descriptor.digest}: content hashes to ${actual}`, {
        details: { expected: descriptor.digest, actual },
      });
    }
  } finally {
    digester.dispose();
  }
}

/** Network failures mid-body become coded NETWORK_ERRORs; `count` sees every chunk read. */
async function* guardNetwork(
  body: BodySource, operation: string, signal: AbortSignal, count: (bytes: number) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    for await (const chunk of body) {
      count(chunk.byteLength);
      yield chunk;
    }
  } catch (error) {
    if (isBobError(error)) throw error;
    throw toNetworkError(error, operation, signal);
  } finally {
    dropBody(body);
  }
}

/**
 * Opens a blob and returns its verified content stream (see verifyBlob).
 * Throws BLOB_UNKNOWN, BLOB_TOO_LARGE, BLOB_SIZE_MISMATCH (Content-Length
 * disagrees), BLOB_DIGEST_MISMATCH (Docker-Content-Digest disagrees).
 */
export async function openBlob(
  context: ClientContext, target: RepositoryTarget, descriptor: Descriptor, options: FetchBlobOptions,
): Promise<AsyncGenerator<Uint8Array, void, undefined>> {
  assertFetchableBlob(descriptor, options.maxBytes);
  const url = toApiUrl(target, 'blobs', descriptor.digest);
  const operation = describeRequest('GET', url);
  const response = await context.http.send({
    method: 'GET', registry: target.registry, endpoint: target.endpoint, url, scopes: pullScopes(target), signal: options.signal,
  });
  if (response.status !== 200) {
    throw await toResponseError(response, operation, {
      errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now(), notFound: 'BLOB_UNKNOWN',
    });
  }
  const length = headerValue(response.headers, 'content-length');
  if (length !== undefined && Number(length) !== descriptor.size) {
    dropBody(response.body);
    throw ociError('BLOB_SIZE_MISMATCH', `${operation}: Content-Length ${length.slice(0, 20)} but descriptor size ${descriptor.size}`);
  }
  const answered = headerValue(response.headers, 'docker-content-digest')?.trim();
  // Only a same-algorithm header can be compared; a blob CDN may send none.
  if (answered !== undefined && isDigest(answered) && digestAlgorithm(answered) === digestAlgorithm(descriptor.digest) && answered !== descriptor.digest) {
    dropBody(response.body);
    throw ociError('BLOB_DIGEST_MISMATCH', `${operation}: Docker-Content-Digest ${answered}`);
  }
  const count = (bytes: number): void => { context.http.countBytes(response.url, bytes); };
  return verifyBlob(guardNetwork(response.body, operation, options.signal, count), descriptor);
}

/** A whole blob in memory; `maxBytes` is required so memory stays bounded. */
export async function fetchBlobBytes(
  context: ClientContext, target: RepositoryTarget, descriptor: Descriptor, options: FetchBlobOptions & { readonly maxBytes: number },
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await openBlob(context, target, descriptor, options)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function isRetryableMidBody(error: unknown): boolean {
  return isBobError(error, 'NETWORK_ERROR') && error.details['retryable'] === true;
}

/**
 * Streams a blob into a temp file next to `destination`, fsyncs it and
 * renames it into place only after size and digest checked out. On any
 * failure the temp file is removed and `destination` is untouched. A
 * connection reset mid-body restarts the download (bounded by the retry
 * policy); a verification failure does not.
 */
export async function fetchBlobToFile(
  context: ClientContext, target: RepositoryTarget, descriptor: Descriptor, destination: string, options: FetchBlobOptions,
): Promise<void> {
  assertFetchableBlob(descriptor, options.maxBytes);
  const temp = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.tmp`);
  for (let attempt = 0; ; attempt++) {
    try {
      await downloadTo(context, target, descriptor, temp, options);
      await rename(temp, destination);
      return;
    } catch (error) {
      await rm(temp, { force: true });
      if (!isRetryableMidBody(error) || attempt + 1 >= context.retry.maxAttempts || options.signal.aborted) throw error;
      const delay = backoffDelay(attempt, { baseMs: context.retry.baseDelayMs, maxMs: context.retry.maxDelayMs, random: context.random });
      await context.http.clock.sleep(delay, options.signal);
    }
  }
}

async function downloadTo(context: ClientContext, target: RepositoryTarget, descriptor: Descriptor, temp: string, options: FetchBlobOptions): Promise<void> {
  const stream = await openBlob(context, target, descriptor, options);
  let handle;
  try {
    handle = await open(temp, 'wx', 0o644);
  } catch (error) {
    await stream.return(undefined);
    throw ociError('FILE_WRITE_FAILED', `creating a temp file for blob ${descriptor.digest}`, { cause: error });
  }
  try {
    for await (const chunk of stream) await handle.write(chunk);
    await handle.sync();
  } catch (error) {
    if (isBobError(error)) throw error;
    throw ociError('FILE_WRITE_FAILED', `writing blob ${descriptor.digest}`, { cause: error });
  } finally {
    await handle.close();
  }
}
