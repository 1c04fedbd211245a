/**
 * What the content operations share: the request pipeline, limits, the
 * remembered referrers capability per registry host, and a repository target
 * whose URLs are built only from validated parts (a repository name or
 * reference never reaches a URL unchecked: CVE-2024-3727).
 */
import { DEFAULT_LIMITS } from '../shared/index.ts';
import { isDigest } from './digest.ts';
import { ociError } from './errors.ts';
import { isRepositoryName, isTag, toRegistryEndpoint, type Repository } from './reference.ts';
import type { RegistryHttp } from './registry-http.ts';
import type { RetryPolicy } from './retry.ts';

export interface OciLimits {
  readonly manifestBytes: number;
  readonly configBytes: number;
  readonly tokenBytes: number;
  readonly errorBodyBytes: number;
  readonly pages: number;
  readonly redirects: number;
}

export const DEFAULT_OCI_LIMITS: OciLimits = {
  manifestBytes: DEFAULT_LIMITS.manifestBytes,
  configBytes: DEFAULT_LIMITS.configBytes,
  tokenBytes: DEFAULT_LIMITS.tokenBytes,
  errorBodyBytes: DEFAULT_LIMITS.errorBodyBytes,
  pages: DEFAULT_LIMITS.pages,
  redirects: DEFAULT_LIMITS.redirects,
};

/** Whether a registry host serves the referrers API ('api') or needs the tag schema ('tag'). */
export type ReferrersSupport = 'api' | 'tag';

export interface ClientContext {
  readonly http: RegistryHttp;
  readonly limits: OciLimits;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  /** By registry endpoint host. */
  readonly referrers: Map<string, ReferrersSupport>;
}

/** A repository on its endpoint, ready to build URLs for. */
export interface RepositoryTarget {
  readonly registry: string;
  readonly endpoint: string;
  readonly repository: string;
  readonly base: URL;
}

export function toRepositoryTarget(context: ClientContext, repository: Repository): RepositoryTarget {
  if (!isRepositoryName(repository.repository)) {
    throw ociError('NAME_INVALID', `invalid repository name ${JSON.stringify(repository.repository.slice(0, 300))}`);
  }
  const endpoint = toRegistryEndpoint(repository.registry);
  return { registry: repository.registry, endpoint, repository: repository.repository, base: context.http.baseUrl(endpoint) };
}

/** Throws REFERENCE_INVALID unless `reference` is a tag or a digest. */
export function assertManifestReference(reference: string): void {
  if (!isTag(reference) && !isDigest(reference)) {
    throw ociError('REFERENCE_INVALID', `${JSON.stringify(String(reference).slice(0, 140))} is neither a tag nor a digest`);
  }
}

/** `/v2/<name>/<kind>/<ref>` (distribution-spec §"Endpoints"), with validated parts only. */
export function toApiUrl(target: RepositoryTarget, ...parts: string[]): URL {
  return new URL(`/v2/${target.repository}/${parts.join('/')}`, target.base);
}

export function pullScopes(target: RepositoryTarget): string[] {
  return [`repository:${target.repository}:pull`];
}

export function pushScopes(target: RepositoryTarget): string[] {
  return [`repository:${target.repository}:pull,push`];
}
