/**
 * Referrers (distribution-spec §"Listing Referrers", §"Referrers Tag Schema",
 * §"Pushing Manifests with Subject"). Reads use the API when the registry
 * has it and the `<alg>-<hex>` tag index otherwise; the answer per registry
 * host is remembered. The artifactType filter is always applied here too:
 * servers may ignore it (signalled by a missing `OCI-Filters-Applied`), and
 * a filter we did not check is no filter.
 */
import { isBobError } from '../shared/index.ts';
import { dropBody, readCapped, readPrefix } from './body.ts';
import { pullScopes, toApiUrl, type ClientContext, type RepositoryTarget } from './context.ts';
import type { Descriptor } from './descriptor.ts';
import { assertDigest, parseDigest } from './digest.ts';
import { ociError } from './errors.ts';
import { parseManifest, type ImageIndex } from './manifest.ts';
import { fetchManifest, pushManifest, resolveManifest } from './manifests.ts';
import { OCI_INDEX, toMediaType } from './media-types.ts';
import { Pager } from './pagination.ts';
import { toRegistryErrorCodes, toResponseError } from './response-error.ts';
import { describeRequest, headerValue, type HttpResponse } from './transport.ts';

export interface ListReferrersOptions {
  readonly signal: AbortSignal;
  readonly artifactType?: string;
  /**
   * The caller has just resolved the subject in this repository, so a 404
   * from the API cannot mean "no such subject": skip the probe that tells
   * the two apart (one request fewer on registries without the API).
   */
  readonly subjectExists?: boolean;
}

/**
 * The fallback tag of a subject: `<alg>-<hex>`, the algorithm truncated to 32
 * and the hex to 64 characters (§"Referrers Tag Schema"), e.g. `sha256-<hex>`.
 */
export function toReferrersTag(digest: string): string {
  assertDigest(digest, 'subject digest');
  const { algorithm, hex } = parseDigest(digest) ?? { algorithm: '', hex: '' };
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`;
}

function filterByType(descriptors: readonly Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? [...descriptors] : descriptors.filter((d) => d.artifactType === artifactType);
}

/** The descriptors of a referrers index page (or fallback index). */
function toIndex(bytes: Uint8Array, contentType: string | undefined): ImageIndex {
  const manifest = parseManifest(bytes, { expectedMediaType: OCI_INDEX, ...(contentType === undefined ? {} : { contentType }) });
  if (manifest.kind !== 'index') throw ociError('RESPONSE_INVALID', 'referrers response is not an index');
  return manifest;
}

type ApiOutcome = { readonly kind: 'listed'; readonly descriptors: Descriptor[] } | { readonly kind: 'unsupported'; readonly remember: boolean };

async function readApiPage(context: ClientContext, response: HttpResponse, operation: string): Promise<ImageIndex> {
  const limit = context.limits.manifestBytes;
  const bytes = await readCapped(response.body, limit, () => ociError('MANIFEST_TOO_LARGE', `${operation}: referrers page larger than ${limit} bytes`));
  return toIndex(bytes, headerValue(response.headers, 'content-type'));
}

async function listViaApi(context: ClientContext, target: RepositoryTarget, subject: string, options: ListReferrersOptions): Promise<ApiOutcome> {
  let url: URL | undefined = toApiUrl(target, 'referrers', subject);
  if (options.artifactType !== undefined) url.searchParams.set('artifactType', options.artifactType);
  const pager = new Pager(url, context.limits.pages);
  const descriptors: Descriptor[] = [];
  for (let page = 0; url !== undefined; page++) {
    pager.countPage(url);
    const operation = describeRequest('GET', url);
    const response = await context.http.send({
      method: 'GET', registry: target.registry, endpoint: target.endpoint, url, scopes: pullScopes(target), signal: options.signal,
      headers: { accept: OCI_INDEX },
    });
    if (page === 0 && response.status !== 200) return classifyFailure(context, target, subject, response, operation, options);
    if (response.status !== 200) {
      throw await toResponseError(response, operation, { errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now() });
    }
    // ggcr/oras: a 200 that is not an OCI index is a registry without the API (some serve HTML or a catch-all).
    if (page === 0 && toMediaType(headerValue(response.headers, 'content-type')) !== OCI_INDEX) {
      dropBody(response.body);
      return { kind: 'unsupported', remember: true };
    }
    descriptors.push(...(await readApiPage(context, response, operation)).manifests);
    url = pager.next(url, headerValue(response.headers, 'link'));
  }
  return { kind: 'listed', descriptors };
}

async function classifyFailure(
  context: ClientContext, target: RepositoryTarget, subject: string, response: HttpResponse, operation: string, options: ListReferrersOptions,
): Promise<ApiOutcome> {
  const status = response.status;
  if (status === 404) {
    const { codes } = toRegistryErrorCodes(await readPrefix(response.body, context.limits.errorBodyBytes));
    if (codes.includes('NAME_UNKNOWN')) throw ociError('NAME_UNKNOWN', `${operation}: repository unknown`, { details: { status } });
    // A registry with the API never 404s for a subject that exists; so if it exists, there is no API.
    const exists = options.subjectExists === true || await subjectExists(context, target, subject, options.signal);
    return { kind: 'unsupported', remember: exists };
  }
  if (status === 400 || status === 405 || status === 406) {
    dropBody(response.body);
    return { kind: 'unsupported', remember: status !== 400 };
  }
  throw await toResponseError(response, operation, { errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now() });
}

async function subjectExists(context: ClientContext, target: RepositoryTarget, subject: string, signal: AbortSignal): Promise<boolean> {
  try {
    await resolveManifest(context, target, subject, { signal });
    return true;
  } catch (error) {
    if (isBobError(error, 'MANIFEST_UNKNOWN') || isBobError(error, 'NAME_UNKNOWN')) return false;
    throw error;
  }
}

/** The fallback index at the subject's tag, or undefined when there is none. */
async function readTagIndex(context: ClientContext, target: RepositoryTarget, subject: string, signal: AbortSignal): Promise<ImageIndex | undefined> {
  try {
    const fetched = await fetchManifest(context, target, toReferrersTag(subject), { signal, expectedMediaType: OCI_INDEX });
    return fetched.manifest.kind === 'index' ? fetched.manifest : undefined;
  } catch (error) {
    if (isBobError(error, 'MANIFEST_UNKNOWN') || isBobError(error, 'NAME_UNKNOWN')) return undefined;
    throw error;
  }
}

/**
 * Descriptors of the manifests that refer to `subject`, filtered by
 * `artifactType` when given. Uses the API or the tag schema as the registry
 * host is known (or found) to support.
 */
export async function listReferrers(
  context: ClientContext, target: RepositoryTarget, subject: string, options: ListReferrersOptions,
): Promise<Descriptor[]> {
  assertDigest(subject, 'subject digest');
  if (context.referrers.get(target.endpoint) !== 'tag') {
    const outcome = await listViaApi(context, target, subject, options);
    if (outcome.kind === 'listed') {
      context.referrers.set(target.endpoint, 'api');
      return filterByType(outcome.descriptors, options.artifactType);
    }
    if (outcome.remember) context.referrers.set(target.endpoint, 'tag');
    context.http.logger.debug('referrers API unavailable, reading the tag schema', { registry: target.endpoint, remembered: outcome.remember });
  }
  const index = await readTagIndex(context, target, subject, options.signal);
  return filterByType(index?.manifests ?? [], options.artifactType);
}

/**
 * Adds `referrer` to the subject's fallback tag index, creating it if needed;
 * a descriptor already listed (same digest) is left as is. Racy by nature
 * (the spec allows conditional PUTs; registry:2 has no ETags).
 */
export async function addToReferrersTag(
  context: ClientContext, target: RepositoryTarget, subject: string, referrer: Descriptor, signal: AbortSignal,
): Promise<void> {
  assertDigest(subject, 'subject digest');
  const existing = await readTagIndex(context, target, subject, signal);
  const manifests = existing?.manifests ?? [];
  if (manifests.some((d) => d.digest === referrer.digest)) return;
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...manifests, referrer],
  };
  const bytes = new TextEncoder().encode(JSON.stringify(index));
  await pushManifest(context, target, bytes, { signal, mediaType: OCI_INDEX, reference: toReferrersTag(subject) });
}
