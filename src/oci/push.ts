/**
 * Blob uploads (distribution-spec §"Pushing blobs"): existence check by HEAD
 * first, cross-repository mount (`?mount=&from=`; a 202 means the registry
 * declined and opened a normal upload instead), then monolithic (POST + PUT)
 * or chunked (POST, PATCH with Content-Range, PUT ?digest=). Upload
 * Locations are resolved against the request URL and checked like redirects;
 * credentials go only to the registry's origin.
 */
import { pullScopes, pushScopes, toApiUrl, type ClientContext, type RepositoryTarget } from './context.ts';
import { isValidSize } from './descriptor.ts';
import { assertDigest, digestOf, isDigest } from './digest.ts';
import { dropBody } from './body.ts';
import { ociError } from './errors.ts';
import { assertSafeTarget } from './redirects.ts';
import { isRepositoryName } from './reference.ts';
import { toResponseError } from './response-error.ts';
import { describeRequest, headerValue, type HttpMethod, type HttpResponse, type RequestBody } from './transport.ts';

/** Bytes in memory, or a re-openable stream of known size and digest. */
export type BlobSource = Uint8Array | {
  readonly size: number;
  readonly digest: string;
  /** Opens the content from the start (called again on retry). */
  readonly open: () => AsyncIterable<Uint8Array>;
};

export interface PushBlobOptions {
  readonly signal: AbortSignal;
  /** Try a cross-repository mount from this repository of the same registry. */
  readonly mountFrom?: string;
  /** Upload in PATCH chunks of this many bytes instead of one PUT. */
  readonly chunkSize?: number;
}

export interface PushedBlob {
  readonly digest: string;
  readonly size: number;
  /** How the blob got there. */
  readonly outcome: 'existed' | 'mounted' | 'uploaded';
}

const OCTET_STREAM = 'application/octet-stream';

async function fail(context: ClientContext, response: HttpResponse, operation: string): Promise<Error> {
  return toResponseError(response, operation, { errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now(), notFound: 'NAME_UNKNOWN' });
}

function toUploadLocation(current: URL, response: HttpResponse, operation: string): URL {
  const location = headerValue(response.headers, 'location');
  if (location === undefined || location === '') throw ociError('RESPONSE_INVALID', `${operation}: upload response without Location`);
  let url: URL;
  try {
    url = new URL(location, current);
  } catch {
    throw ociError('RESPONSE_INVALID', `${operation}: unparseable upload Location`);
  }
  assertSafeTarget(current, url, `${operation}: upload Location`);
  return url;
}

interface UploadCall {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly canRetry?: boolean;
}

async function send(context: ClientContext, target: RepositoryTarget, call: UploadCall, signal: AbortSignal): Promise<HttpResponse> {
  return context.http.send({ registry: target.registry, endpoint: target.endpoint, signal, followRedirects: false, ...call });
}

/** Whether the repository already holds the blob (HEAD; 404 means no). */
export async function blobExists(context: ClientContext, target: RepositoryTarget, digest: string, signal: AbortSignal): Promise<boolean> {
  assertDigest(digest, 'blob digest');
  const url = toApiUrl(target, 'blobs', digest);
  const response = await context.http.send({
    method: 'HEAD', registry: target.registry, endpoint: target.endpoint, url, scopes: pullScopes(target), signal,
  });
  dropBody(response.body);
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw await fail(context, response, describeRequest('HEAD', url));
}

async function* chunksOf(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array, void, undefined> {
  let pending: Uint8Array[] = [];
  let length = 0;
  for await (const piece of source) {
    let rest = piece;
    while (length + rest.byteLength >= size) {
      const take = size - length;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      rest = rest.subarray(take);
      pending = [];
      length = 0;
    }
    if (rest.byteLength > 0) {
      pending.push(rest);
      length += rest.byteLength;
    }
  }
  if (length > 0) yield Buffer.concat(pending);
}

/**
 * The source's bytes, failing with SIZE_INVALID as soon as they exceed the
 * declared size or when they end short of it: a file that changed after it
 * was digested is reported here, not as the registry's digest complaint.
 */
async function* ofDeclaredSize(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > size) throw ociError('SIZE_INVALID', `blob source has more than the declared ${size} bytes`);
    yield chunk;
  }
  if (total !== size) throw ociError('SIZE_INVALID', `blob source has ${total} bytes, declared ${size}`);
}

async function uploadChunks(
  context: ClientContext, target: RepositoryTarget, start: URL, source: BlobSource, chunkSize: number, signal: AbortSignal,
): Promise<URL> {
  let location = start;
  let offset = 0;
  const stream = source instanceof Uint8Array ? [source] : ofDeclaredSize(source.open(), source.size);
  for await (const chunk of chunksOf(stream, chunkSize)) {
    const operation = describeRequest('PATCH', location);
    const end = offset + chunk.byteLength - 1;
    const response = await send(context, target, {
      method: 'PATCH', url: location, scopes: pushScopes(target), canRetry: false, body: chunk,
      headers: { 'content-type': OCTET_STREAM, 'content-range': `${offset}-${end}`, 'content-length': String(chunk.byteLength) },
    }, signal);
    if (response.status !== 202) throw await fail(context, response, operation);
    dropBody(response.body);
    location = toUploadLocation(location, response, operation);
    offset = end + 1;
  }
  return location;
}

/**
 * Makes sure the repository holds the blob. Throws DIGEST_INVALID /
 * SIZE_INVALID for a bad source, the registry's errors (BLOB_UPLOAD_INVALID,
 * DIGEST_INVALID, DENIED...) otherwise.
 */
export async function pushBlob(context: ClientContext, target: RepositoryTarget, source: BlobSource, options: PushBlobOptions): Promise<PushedBlob> {
  const { signal } = options;
  const digest = source instanceof Uint8Array ? digestOf(source) : source.digest;
  const size = source instanceof Uint8Array ? source.byteLength : source.size;
  if (!isDigest(digest)) throw ociError('DIGEST_INVALID', 'blob source digest is not a valid digest');
  if (!isValidSize(size)) throw ociError('SIZE_INVALID', 'blob source size is not a valid size');
  if (await blobExists(context, target, digest, signal)) return { digest, size, outcome: 'existed' };

  const start = toApiUrl(target, 'blobs', 'uploads', '');
  const scopes = [...pushScopes(target)];
  if (options.mountFrom !== undefined) {
    if (!isRepositoryName(options.mountFrom)) throw ociError('NAME_INVALID', 'mount source is not a repository name');
    start.searchParams.set('mount', digest);
    start.searchParams.set('from', options.mountFrom);
    scopes.push(`repository:${options.mountFrom}:pull`);
  }
  const postOperation = describeRequest('POST', start);
  const posted = await send(context, target, { method: 'POST', url: start, scopes, headers: { 'content-length': '0' } }, signal);
  if (posted.status === 201 && options.mountFrom !== undefined) {
    dropBody(posted.body);
    return { digest, size, outcome: 'mounted' };
  }
  if (posted.status !== 202) throw await fail(context, posted, postOperation);
  dropBody(posted.body);
  let location = toUploadLocation(start, posted, postOperation);

  const chunked = options.chunkSize !== undefined && options.chunkSize > 0 && size > 0;
  if (chunked) location = await uploadChunks(context, target, location, source, options.chunkSize, signal);
  const finish = new URL(location);
  finish.searchParams.set('digest', digest);
  const body: RequestBody = chunked ? new Uint8Array(0) : source instanceof Uint8Array ? source : () => ofDeclaredSize(source.open(), size);
  const putOperation = describeRequest('PUT', finish);
  const put = await send(context, target, {
    method: 'PUT', url: finish, scopes: pushScopes(target), body,
    headers: { 'content-type': OCTET_STREAM, 'content-length': String(chunked ? 0 : size) },
  }, signal);
  if (put.status !== 201) throw await fail(context, put, putOperation);
  dropBody(put.body);
  const answered = headerValue(put.headers, 'docker-content-digest')?.trim();
  if (answered !== undefined && isDigest(answered) && answered !== digest && answered.startsWith(digest.split(':')[0] ?? '')) {
    throw ociError('BLOB_DIGEST_MISMATCH', `${putOperation}: registry stored ${answered}`);
  }
  return { digest, size, outcome: 'uploaded' };
}
