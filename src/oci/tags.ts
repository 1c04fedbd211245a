/**
 * Tag listing (distribution-spec §"Listing Tags"): `n` page size, `last`
 * cursor, `Link` pagination through Pager. Every tag is validated against the
 * reference grammar before anyone can build a URL or path from it
 * (CVE-2024-3727); one bad tag fails the listing (fail closed).
 */
import { readCapped } from './body.ts';
import { pullScopes, toApiUrl, type ClientContext, type RepositoryTarget } from './context.ts';
import { isObject } from './descriptor.ts';
import { ociError } from './errors.ts';
import { Pager } from './pagination.ts';
import { isTag } from './reference.ts';
import { toResponseError } from './response-error.ts';
import { describeRequest, headerValue } from './transport.ts';

export interface ListTagsOptions {
  readonly signal: AbortSignal;
  /** `n`: tags per page asked of the registry. */
  readonly pageSize?: number;
  /** `last`: list tags after this one. */
  readonly last?: string;
}

function toTags(bytes: Uint8Array, operation: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw ociError('RESPONSE_INVALID', `${operation}: tag list is not JSON`);
  }
  if (!isObject(doc)) throw ociError('RESPONSE_INVALID', `${operation}: tag list is not a JSON object`);
  const tags = doc['tags'] ?? [];
  if (!Array.isArray(tags)) throw ociError('RESPONSE_INVALID', `${operation}: tags is not an array`);
  for (const tag of tags) {
    if (!isTag(tag)) {
      const shown = typeof tag === 'string' ? JSON.stringify(tag.slice(0, 140)) : typeof tag;
      throw ociError('TAG_INVALID', `${operation}: registry listed an invalid tag ${shown}`);
    }
  }
  return tags as string[];
}

/** All tags, following pagination within the page limit. */
export async function listTags(context: ClientContext, target: RepositoryTarget, options: ListTagsOptions): Promise<string[]> {
  let url: URL | undefined = toApiUrl(target, 'tags', 'list');
  if (options.pageSize !== undefined) url.searchParams.set('n', String(Math.max(1, Math.floor(options.pageSize))));
  if (options.last !== undefined) url.searchParams.set('last', options.last);
  const pager = new Pager(url, context.limits.pages);
  const result: string[] = [];
  while (url !== undefined) {
    pager.countPage(url);
    const operation = describeRequest('GET', url);
    const response = await context.http.send({
      method: 'GET', registry: target.registry, endpoint: target.endpoint, url, scopes: pullScopes(target), signal: options.signal,
      headers: { accept: 'application/json' },
    });
    if (response.status !== 200) {
      throw await toResponseError(response, operation, {
        errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now(), notFound: 'NAME_UNKNOWN',
      });
    }
    const limit = context.limits.manifestBytes;
    const bytes = await readCapped(response.body, limit, () => ociError('RESPONSE_INVALID', `${operation}: tag list larger than ${limit} bytes`));
    result.push(...toTags(bytes, operation));
    url = pager.next(url, headerValue(response.headers, 'link'));
  }
  return result;
}
