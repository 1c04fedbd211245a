/**
 * Redirects, followed by hand so each hop is checked: at most `maxHops`,
 * http(s) only, no https→http downgrade, no userinfo, no SSRF targets
 * (address.ts). Credentials are attached per hop by the caller and only to
 * the origin they belong to: distribution-spec §"Pulling blobs" and its
 * 2026 rule that clients MUST NOT forward Authorization across hosts.
 */
import { redactUrl } from '../shared/index.ts';
import { isAllowedTarget } from './address.ts';
import { ociError } from './errors.ts';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/**
 * Checks that `target` (already resolved against `source`) is a URL we may
 * call on the strength of `source`'s answer. Throws `code` (REDIRECT_UNSAFE by
 * default) otherwise.
 */
export function assertSafeTarget(source: URL, target: URL, what: string, code: 'REDIRECT_UNSAFE' | 'AUTH_REALM_UNSAFE' | 'PAGINATION_INVALID' = 'REDIRECT_UNSAFE'): void {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw ociError(code, `${what}: refusing scheme ${JSON.stringify(target.protocol.slice(0, 20))}`);
  }
  if (source.protocol === 'https:' && target.protocol === 'http:') {
    throw ociError(code, `${what}: refusing downgrade from https to ${redactUrl(target)}`);
  }
  if (target.username !== '' || target.password !== '') {
    throw ociError(code, `${what}: refusing a URL with embedded credentials`);
  }
  if (!isAllowedTarget(source, target)) {
    throw ociError(code, `${what}: refusing ${redactUrl(target)} (link-local, or private from a public host)`);
  }
}

/** The next hop of a redirect from `source`, checked; `hop` counts hops already followed. */
export function toRedirectTarget(source: URL, location: string | undefined, hop: number, maxHops: number): URL {
  if (hop >= maxHops) throw ociError('REDIRECT_LIMIT', `redirect from ${redactUrl(source)}: more than ${maxHops} hops`);
  if (location === undefined || location === '') {
    throw ociError('REDIRECT_UNSAFE', `redirect from ${redactUrl(source)} without a Location`);
  }
  let target: URL;
  try {
    target = new URL(location, source);
  } catch {
    throw ociError('REDIRECT_UNSAFE', `redirect from ${redactUrl(source)}: unparseable Location`);
  }
  assertSafeTarget(source, target, `redirect from ${redactUrl(source)}`);
  return target;
}
