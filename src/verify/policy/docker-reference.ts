/**
 * Docker references exactly as containers/image reads them for policy.json
 * (its fork of docker/distribution `reference`: research/signatures.md §1.4).
 *
 * src/oci's parseReference is deliberately not reused: it accepts `oci://`,
 * maps `registry-1.docker.io` to Docker Hub, treats an uppercase first
 * component as a domain and knows no sha384, while containers/image (checked
 * against skopeo 1.19) rejects `Foo/bar` as "must be lowercase", keeps
 * `registry-1.docker.io` as written, accepts `sha384:` digests and has no
 * IPv6 domains. Identity matching compares strings produced by this grammar,
 * so any difference would change which signatures are accepted.
 *
 *   name     := [domain "/"] component ("/" component)*      (<= 255 characters)
 *   domain   := label ("." label)* [":" [0-9]+]             label: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   component:= [a-z0-9]+ (([._]|__|-+) [a-z0-9]+)*
 *   tag      := [\w][\w.-]{0,127}
 *   digest   := sha256:<64 hex> | sha384:<96 hex> | sha512:<128 hex>   (lowercase hex)
 */

/** A parsed named reference: `Name()` is `domain/path`, `String()` adds `:tag` and `@digest`. */
export interface DockerReference {
  /** Empty only for names the grammar accepts without any domain-looking first component. */
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Why a string is not a docker reference; the message follows docker/distribution's wording. */
export class DockerReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerReferenceError';
  }
}

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;
// No valid reference is longer (255 name + 129 tag + "@sha512:" + 128): refusing early keeps regex work bounded.
const INPUT_LENGTH_MAX = 1024;

const LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${LABEL}(?:\\.${LABEL})*(?::[0-9]+)?`;
// Upstream writes the separator as `[-]*`; `-+` matches the same language without exponential backtracking.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const REFERENCE_PATTERN = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME_PATTERN = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)$`);
const DOMAIN_PATTERN = new RegExp(`^${DOMAIN}$`);
const DOMAIN_PREFIX_PATTERN = new RegExp(`^${DOMAIN}/`);
const NAME_PATTERN = new RegExp(`^${NAME}$`);
const IDENTIFIER_PATTERN = /^[a-f0-9]{64}$/;
const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

function validateDigest(digest: string): void {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTHS[algorithm];
  if (length === undefined) throw new DockerReferenceError('unsupported digest algorithm');
  if (encoded.length !== length || !/^[a-f0-9]*$/.test(encoded)) throw new DockerReferenceError('invalid checksum digest format');
}

/** docker/distribution `Parse`: the grammar only, no normalisation. */
function parseReferenceGrammar(text: string): DockerReference {
  const match = text.length > INPUT_LENGTH_MAX ? null : REFERENCE_PATTERN.exec(text);
  if (match === null) {
    if (text === '') throw new DockerReferenceError('repository name must have at least one component');
    if (text.length <= INPUT_LENGTH_MAX && REFERENCE_PATTERN.test(text.toLowerCase())) {
      throw new DockerReferenceError('repository name must be lowercase');
    }
    throw new DockerReferenceError('invalid reference format');
  }
  const [, name = '', tag, digest] = match;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw new DockerReferenceError(`repository name must not be more than ${String(NAME_TOTAL_LENGTH_MAX)} characters`);
  }
  const nameMatch = ANCHORED_NAME_PATTERN.exec(name);
  const domain = nameMatch?.[1] ?? '';
  const path = nameMatch?.[2] ?? name;
  if (digest !== undefined) validateDigest(digest);
  return { domain, path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** docker/distribution `splitDockerDomain` as containers/image's fork has it (an uppercase first component is not a domain). */
function splitDockerDomain(text: string): { domain: string; remainder: string } {
  const slash = text.indexOf('/');
  const first = slash === -1 ? '' : text.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let remainder = text;
  if (slash !== -1 && (/[.:]/.test(first) || first === 'localhost')) {
    domain = first;
    remainder = text.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPOSITORY_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * `ParseNormalizedNamed`: `busybox` → `docker.io/library/busybox`,
 * `index.docker.io/x/y` → `docker.io/x/y`. Throws DockerReferenceError.
 */
export function parseNormalizedNamed(text: string): DockerReference {
  if (IDENTIFIER_PATTERN.test(text)) {
    throw new DockerReferenceError(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(text);
  const colon = remainder.indexOf(':');
  const remoteName = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) throw new DockerReferenceError('invalid reference format: repository name must be lowercase');
  return parseReferenceGrammar(`${domain}/${remainder}`);
}

/** `ParseNamed`: like parseNormalizedNamed, but the input must already be in canonical form. */
export function parseNamed(text: string): DockerReference {
  const reference = parseNormalizedNamed(text);
  if (toReferenceString(reference) !== text) throw new DockerReferenceError('repository name must be canonical');
  return reference;
}

/** The reference, or undefined when it does not parse (policy matching treats that as "no match"). */
export function tryParseNormalizedNamed(text: string): DockerReference | undefined {
  try {
    return parseNormalizedNamed(text);
  } catch (error) {
    if (error instanceof DockerReferenceError) return undefined;
    throw error;
  }
}

/** `Name()`: `domain/path`, no tag or digest. */
export function toReferenceName(reference: DockerReference): string {
  return reference.domain === '' ? reference.path : `${reference.domain}/${reference.path}`;
}

/** `String()`: `Name()[:tag][@digest]`. */
export function toReferenceString(reference: DockerReference): string {
  const tag = reference.tag === undefined ? '' : `:${reference.tag}`;
  const digest = reference.digest === undefined ? '' : `@${reference.digest}`;
  return `${toReferenceName(reference)}${tag}${digest}`;
}

/** `IsNameOnly`: neither a tag nor a digest. */
export function isNameOnly(reference: DockerReference): boolean {
  return reference.tag === undefined && reference.digest === undefined;
}

/**
 * containers/image `validateIdentityRemappingPrefix`: a bare `host[:port]`,
 * or a name that starts with a `host[:port]/`. Like upstream, short names
 * such as `ns/repo` pass here and simply never match later.
 */
export function isValidRemapPrefix(text: string): boolean {
  if (text.length > INPUT_LENGTH_MAX) return false;
  return DOMAIN_PATTERN.test(text) || (NAME_PATTERN.test(text) && DOMAIN_PREFIX_PATTERN.test(text));
}
