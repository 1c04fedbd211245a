/**
 * Image references: the grammar of distribution/reference (reference.go's
 * documented EBNF) plus Docker Hub's normalisation. Parsing happens once at
 * the edge; everything downstream trusts a Reference.
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain "/"] remote-name        (total length <= 255)
 *   domain     := host [":" port]                 host: DNS name, IPv4 or [IPv6]
 *   remote-name:= path-component ["/" path-component]*
 *   path-component := [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
 *   tag        := [\w][\w.-]{0,127}
 */
import { parseDigest } from './digest.ts';
import { ociError } from './errors.ts';

/** Where a repository lives: `registry` is the domain as written (normalised), not an endpoint. */
export interface Repository {
  /** e.g. `ghcr.io`, `127.0.0.1:5000`, `docker.io`. */
  readonly registry: string;
  /** e.g. `library/alpine`. */
  readonly repository: string;
}

/** A parsed reference; a tag, a digest, both (the digest wins when fetching) or neither (means `latest`). */
export interface Reference extends Repository {
  readonly tag?: string;
  readonly digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's API endpoint; `docker.io` itself serves no /v2/. */
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const NAME_MAX = 255;
const DEFAULT_TAG = 'latest';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_PATTERN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`);
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY_PATTERN = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;

/**
 * The input as it may be shown: credentials typed into it
 * (`user:pass@host/...`, with or without a scheme) masked, control
 * characters escaped, length capped.
 */
function toShownReference(input: string): string {
  const masked = input.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?)[^/@]*@/i, '$1***@');
  return JSON.stringify(masked.slice(0, 300));
}

function invalid(input: string, reason: string): Error {
  return ociError('REFERENCE_INVALID', `invalid reference ${toShownReference(input)}: ${reason}`, {
    details: { reason },
  });
}

/** Guard: a tag per the grammar (at most 128 characters, no leading `.` or `-`). */
export function isTag(value: unknown): value is string {
  return typeof value === 'string' && TAG_PATTERN.test(value);
}

/** Throws TAG_INVALID unless `value` is a valid tag. */
export function assertTag(value: unknown): asserts value is string {
  if (!isTag(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 140)) : typeof value;
    throw ociError('TAG_INVALID', `tag ${shown} does not match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  }
}

/** Guard: a repository path (remote-name) per the grammar. */
export function isRepositoryName(value: string): boolean {
  return value.length <= NAME_MAX && REPOSITORY_PATTERN.test(value);
}

function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  // distribution/reference: the first component is a domain only if it looks like one.
  const isDomain = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  return isDomain ? { domain: first, path: name.slice(slash + 1) } : { domain: DOCKER_HUB, path: name };
}

/**
 * Parses `[oci://]name[:tag][@digest]`. Throws REFERENCE_INVALID (stalling)
 * naming what is wrong: empty input, other URL schemes, uppercase or malformed
 * repository, bad domain, over-long name or tag, malformed digest.
 */
export function parseReference(input: string): Reference {
  if (input === '') throw invalid(input, 'empty reference');
  let rest = input;
  if (rest.startsWith('oci://')) rest = rest.slice('oci://'.length);
  else if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(rest)) throw invalid(input, 'only the oci:// scheme is supported');
  if (rest === '') throw invalid(input, 'empty reference');
  // `user:pass@host/repo`: an '@' before the first '/' is userinfo, never a digest.
  const slash = rest.indexOf('/');
  if (slash !== -1 && rest.slice(0, slash).includes('@')) {
    throw invalid(input, 'credentials do not belong in a reference; pass them separately (bobctl: --creds)');
  }

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (parseDigest(digest) === undefined) throw invalid(input, 'digest must be sha256:<64 hex> or sha512:<128 hex>, lowercase');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag.length > 128) throw invalid(input, 'tag longer than 128 characters');
    if (!isTag(tag)) throw invalid(input, 'tag must match [A-Za-z0-9_][A-Za-z0-9_.-]*');
  }
  if (rest === '') throw invalid(input, 'missing repository name');
  if (rest.length > NAME_MAX) throw invalid(input, `repository name longer than ${NAME_MAX} characters`);

  const { domain, path } = splitDomain(rest);
  if (!DOMAIN_PATTERN.test(domain)) throw invalid(input, 'malformed registry domain');
  if (path !== path.toLowerCase()) throw invalid(input, 'repository name must be lowercase');
  if (!REPOSITORY_PATTERN.test(path)) throw invalid(input, 'malformed repository name');

  const registry = DOCKER_HUB_ALIASES.has(domain.toLowerCase()) ? DOCKER_HUB : domain;
  const repository = registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** `registry/repository[:tag][@digest]`, the canonical string of a Reference. */
export function formatReference(reference: Reference): string {
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`;
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`;
  return `${reference.registry}/${reference.repository}${tag}${digest}`;
}

/** What to put in /manifests/<reference>: the digest if any, else the tag, else `latest`. */
export function toManifestReference(reference: Reference): string {
  return reference.digest ?? reference.tag ?? DEFAULT_TAG;
}

/** The host[:port] to talk to for a registry domain (Docker Hub's API lives elsewhere). */
export function toRegistryEndpoint(registry: string): string {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase()) ? DOCKER_HUB_ENDPOINT : registry;
}
