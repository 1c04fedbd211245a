/**
 * spec.url: `oci://<host>[:port]/<repository>`, with no tag, digest or
 * credentials (Flux `parseRepository`: "URL must not contain a tag; remove
 * ':<tag>'"). The repository follows the distribution reference grammar
 * (lowercase path components). The host must look like a registry host
 * (a dot, a port, or localhost): `oci://library/alpine` would silently mean
 * Docker Hub under the reference grammar, so bob asks for
 * `oci://docker.io/library/alpine` instead.
 *
 * The same regular expressions are in the CRD's CEL rules; they are
 * written in the common subset of RE2 and JavaScript.
 */
import { OCI_URL_PREFIX, SPEC_LIMITS } from './constants.ts';

const HOST_COMPONENT = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** The whole grammar. */
export const OCI_URL_PATTERN =
  `^oci://(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?(?:/${PATH_COMPONENT})+$`;
/** Credentials before the host. */
export const OCI_URL_USERINFO_PATTERN = '^oci://[^/]*@';
/** A `:` after the first `/` (the digest case is caught first, by `@`). */
export const OCI_URL_TAG_PATTERN = '^oci://[^/]+/.*:';
/** Something after the host. */
export const OCI_URL_REPOSITORY_PATTERN = '^oci://[^/]+/.';
/** A host with a dot or a port, or localhost. */
export const OCI_URL_HOST_PATTERN = '^oci://(?:[^/]*[.:][^/]*|localhost)/';

const FULL = new RegExp(OCI_URL_PATTERN);
const USERINFO = new RegExp(OCI_URL_USERINFO_PATTERN);
const TAG = new RegExp(OCI_URL_TAG_PATTERN);
const REPOSITORY = new RegExp(OCI_URL_REPOSITORY_PATTERN);
const HOST = new RegExp(OCI_URL_HOST_PATTERN);

/** What the URL names, or why it is refused (one message, the most specific). */
export type OciUrlResult = { readonly registry: string; readonly repository: string } | { readonly error: string };

/** Splits and checks spec.url; messages never echo the URL (it may hold credentials). */
export function parseOciUrl(url: string): OciUrlResult {
  if (!url.startsWith(OCI_URL_PREFIX)) return { error: 'must start with oci:// (oci://<host>[:port]/<repository>)' };
  if (url.length > SPEC_LIMITS.urlLength) return { error: `must be at most ${SPEC_LIMITS.urlLength} characters long` };
  if (USERINFO.test(url)) return { error: 'must not contain credentials (user:password@); use spec.secretRef' };
  if (url.includes('@')) return { error: 'must not contain a digest; use spec.ref.digest' };
  if (TAG.test(url)) {
    const tag = url.slice(url.lastIndexOf(':') + 1);
    // Echo the tag only when it is one: anything else may be arbitrary text.
    const shown = /^[\w][\w.-]{0,127}$/.test(tag) ? `remove ':${tag}'` : 'remove it';
    return { error: `must not contain a tag; ${shown} and use spec.ref.tag` };
  }
  if (!REPOSITORY.test(url)) return { error: 'must name a repository: oci://<host>[:port]/<repository>' };
  if (!FULL.test(url)) {
    return {
      error: 'must be oci://<host>[:port]/<repository>, the repository made of lowercase components [a-z0-9] '
        + "joined by '.', '_', '__' or '-', separated by '/'",
    };
  }
  if (!HOST.test(url)) {
    return { error: "must start with a registry host (with a '.' or a port, or localhost); Docker Hub is oci://docker.io/<repository>" };
  }
  const rest = url.slice(OCI_URL_PREFIX.length);
  const slash = rest.indexOf('/');
  return { registry: rest.slice(0, slash), repository: rest.slice(slash + 1) };
}
