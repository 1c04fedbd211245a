/**
 * Manifest operations (distribution-spec §"Pulling manifests", §"Pushing
 * Manifests", §"Deleting Manifests"). Every manifest read is capped, hashed,
 * checked against the digest it was asked by and against
 * `Docker-Content-Digest` (the spec: clients MUST verify it when they use it),
 * and parsed with media-type agreement (manifest.ts).
 */
import type { BobError } from '../shared/index.ts';
import { dropBody, readCapped } from './body.ts';
import {
  assertManifestReference, pullScopes, pushScopes, toApiUrl, type ClientContext, type RepositoryTarget,
} from './context.ts';
import type { Descriptor } from './descriptor.ts';
import { assertDigest, digestAlgorithm, digestOf, isDigest, parseDigest } from './digest.ts';
import { ociError } from './errors.ts';
import { parseManifest, toArtifactType, type Manifest } from './manifest.ts';
import { ALL_MANIFEST_MEDIA_TYPES, toMediaType } from './media-types.ts';
import { toResponseError } from './response-error.ts';
import { describeRequest, headerValue, type HttpResponse } from './transport.ts';

export interface FetchedManifest {
  /** mediaType, digest (the one asked for, or computed when fetched by tag) and size of `bytes`. */
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
  readonly manifest: Manifest;
}

export interface FetchManifestOptions {
  readonly signal: AbortSignal;
  /** Require this media type (e.g. a descriptor's). */
  readonly expectedMediaType?: string;
  /** Require exactly this many bytes (a descriptor's size). */
  readonly expectedSize?: number;
}

async function errorFor(context: ClientContext, response: HttpResponse, operation: string, notFound: 'MANIFEST_UNKNOWN' | 'BLOB_UNKNOWN' | 'NAME_UNKNOWN'): Promise<Error> {
  return toResponseError(response, operation, {
    errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now(), notFound,
  });
}

/** Throws unless `header` (Docker-Content-Digest) is absent or names the digest of `bytes`. */
function assertContentDigest(header: string | undefined, bytes: Uint8Array, operation: string): void {
  if (header === undefined) return;
  const value = header.trim();
  if (!isDigest(value)) throw ociError('DIGEST_INVALID', `${operation}: malformed Docker-Content-Digest`);
  if (digestOf(bytes, digestAlgorithm(value)) !== value) {
    throw ociError('MANIFEST_DIGEST_MISMATCH', `${operation}: body does not match Docker-Content-Digest ${value}`, { details: { digest: value } });
  }
}

/**
 * Fetches a manifest by tag or digest. Throws MANIFEST_UNKNOWN,
 * MANIFEST_TOO_LARGE (declared or read), MANIFEST_DIGEST_MISMATCH,
 * MANIFEST_SIZE_MISMATCH, and every parse error of parseManifest.
 */
export async function fetchManifest(
  context: ClientContext, target: RepositoryTarget, reference: string, options: FetchManifestOptions,
): Promise<FetchedManifest> {
  assertManifestReference(reference);
  const limit = context.limits.manifestBytes;
  const url = toApiUrl(target, 'manifests', reference);
  const operation = describeRequest('GET', url);
  if (options.expectedSize !== undefined && options.expectedSize > limit) {
    throw ociError('MANIFEST_TOO_LARGE', `${operation}: descriptor size ${options.expectedSize} exceeds ${limit} bytes`);
  }
  const response = await context.http.send({
    method: 'GET', registry: target.registry, endpoint: target.endpoint, url, scopes: pullScopes(target), signal: options.signal,
    headers: { accept: options.expectedMediaType ?? ALL_MANIFEST_MEDIA_TYPES.join(', ') },
  });
  if (response.status !== 200) throw await errorFor(context, response, operation, 'MANIFEST_UNKNOWN');
  const tooLarge = (): BobError => ociError('MANIFEST_TOO_LARGE', `${operation}: manifest larger than ${limit} bytes`);
  const declared = Number(headerValue(response.headers, 'content-length') ?? '0');
  if (declared > limit) {
    dropBody(response.body);
    throw tooLarge();
  }
  const bytes = await readCapped(response.body, limit, tooLarge);
  context.http.countBytes(response.url, bytes.byteLength);
  if (options.expectedSize !== undefined && bytes.byteLength !== options.expectedSize) {
    throw ociError('MANIFEST_SIZE_MISMATCH', `${operation}: got ${bytes.byteLength} bytes, descriptor says ${options.expectedSize}`);
  }
  const requested = parseDigest(reference);
  const digest = requested === undefined ? digestOf(bytes) : digestOf(bytes, requested.algorithm);
  if (requested !== undefined && digest !== reference) {
    throw ociError('MANIFEST_DIGEST_MISMATCH', `${operation}: body hashes to ${digest}`, { details: { expected: reference, actual: digest } });
  }
  assertContentDigest(headerValue(response.headers, 'docker-content-digest'), bytes, operation);
  const contentType = headerValue(response.headers, 'content-type');
  const manifest = parseManifest(bytes, {
    ...(contentType === undefined ? {} : { contentType }),
    ...(options.expectedMediaType === undefined ? {} : { expectedMediaType: options.expectedMediaType }),
  });
  const artifactType = toArtifactType(manifest);
  const descriptor: Descriptor = {
    mediaType: manifest.mediaType, digest, size: bytes.byteLength, ...(artifactType === undefined ? {} : { artifactType }),
  };
  return { descriptor, bytes, manifest };
}

/**
 * The descriptor a tag or digest points to, by HEAD; falls back to GET (and
 * full verification) when the HEAD answer lacks a usable digest, media type
 * or length, or HEAD is not supported.
 */
export async function resolveManifest(
  context: ClientContext, target: RepositoryTarget, reference: string, options: FetchManifestOptions,
): Promise<Descriptor> {
  assertManifestReference(reference);
  const url = toApiUrl(target, 'manifests', reference);
  const operation = describeRequest('HEAD', url);
  const response = await context.http.send({
    method: 'HEAD', registry: target.registry, endpoint: target.endpoint, url, scopes: pullScopes(target), signal: options.signal,
    headers: { accept: options.expectedMediaType ?? ALL_MANIFEST_MEDIA_TYPES.join(', ') },
  });
  if ([401, 403, 404, 429].includes(response.status)) throw await errorFor(context, response, operation, 'MANIFEST_UNKNOWN');
  dropBody(response.body);
  if (response.status === 200) {
    const digest = headerValue(response.headers, 'docker-content-digest')?.trim();
    const mediaType = toMediaType(headerValue(response.headers, 'content-type'));
    const size = Number(headerValue(response.headers, 'content-length') ?? 'NaN');
    const usable = isDigest(digest) && mediaType !== undefined && ALL_MANIFEST_MEDIA_TYPES.includes(mediaType)
      && Number.isSafeInteger(size) && size > 0 && size <= context.limits.manifestBytes
      && (options.expectedMediaType === undefined || options.expectedMediaType === mediaType);
    if (usable) {
      if (isDigest(reference) && digest !== reference) {
        throw ociError('MANIFEST_DIGEST_MISMATCH', `${operation}: registry answered ${digest}`, { details: { expected: reference, actual: digest } });
      }
      return { mediaType, digest, size };
    }
  }
  return (await fetchManifest(context, target, reference, options)).descriptor;
}

export interface PushManifestOptions {
  readonly signal: AbortSignal;
  readonly mediaType: string;
  /** A tag, or the manifest's own digest; default: its digest. */
  readonly reference?: string;
}

export interface PushedManifest {
  readonly descriptor: Descriptor;
  readonly manifest: Manifest;
  /** The `OCI-Subject` answer header, when the registry processed the subject itself. */
  readonly ociSubject: string | undefined;
}

/**
 * PUTs manifest bytes after validating them as we would on pull. Throws
 * MANIFEST_TOO_LARGE, DIGEST_INVALID (reference digest ≠ content), parse
 * errors, and the registry's errors (MANIFEST_INVALID, MANIFEST_BLOB_UNKNOWN...).
 */
export async function pushManifest(
  context: ClientContext, target: RepositoryTarget, bytes: Uint8Array, options: PushManifestOptions,
): Promise<PushedManifest> {
  const manifest = parseManifest(bytes, { expectedMediaType: options.mediaType });
  const limit = context.limits.manifestBytes;
  const requested = options.reference === undefined ? undefined : parseDigest(options.reference);
  const digest = digestOf(bytes, requested?.algorithm ?? 'sha256');
  const reference = options.reference ?? digest;
  assertManifestReference(reference);
  const url = toApiUrl(target, 'manifests', reference);
  const operation = describeRequest('PUT', url);
  if (bytes.byteLength > limit) throw ociError('MANIFEST_TOO_LARGE', `${operation}: manifest larger than ${limit} bytes`);
  if (requested !== undefined && digest !== reference) throw ociError('DIGEST_INVALID', `${operation}: manifest hashes to ${digest}`);
  const response = await context.http.send({
    method: 'PUT', registry: target.registry, endpoint: target.endpoint, url, scopes: pushScopes(target), signal: options.signal,
    headers: { 'content-type': options.mediaType }, body: bytes,
  });
  if (response.status !== 201 && response.status !== 200) throw await errorFor(context, response, operation, 'NAME_UNKNOWN');
  dropBody(response.body);
  const answered = headerValue(response.headers, 'docker-content-digest')?.trim();
  if (answered !== undefined && isDigest(answered) && digestOf(bytes, digestAlgorithm(answered)) !== answered) {
    throw ociError('MANIFEST_DIGEST_MISMATCH', `${operation}: registry stored ${answered}, we sent ${digest}`);
  }
  const artifactType = toArtifactType(manifest);
  return {
    descriptor: { mediaType: options.mediaType, digest, size: bytes.byteLength, ...(artifactType === undefined ? {} : { artifactType }) },
    manifest,
    ociSubject: headerValue(response.headers, 'oci-subject'),
  };
}

/** Deletes a manifest by digest (tags cannot be deleted this way portably). */
export async function deleteManifest(context: ClientContext, target: RepositoryTarget, digest: string, signal: AbortSignal): Promise<void> {
  assertDigest(digest, 'manifest digest');
  const url = toApiUrl(target, 'manifests', digest);
  const response = await context.http.send({
    method: 'DELETE', registry: target.registry, endpoint: target.endpoint, url, scopes: [`repository:${target.repository}:delete`, ...pushScopes(target)], signal,
  });
  if (response.status !== 202 && response.status !== 200 && response.status !== 204) {
    throw await errorFor(context, response, describeRequest('DELETE', url), 'MANIFEST_UNKNOWN');
  }
  dropBody(response.body);
}
