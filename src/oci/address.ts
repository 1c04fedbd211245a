/**
 * Classifying IP-literal hosts, so a redirect or token realm cannot point us
 * at the cloud metadata service or, from a public registry, into the private
 * network (SSRF; ggcr checkRedirectSSRF, oras GHSA-vh4v). DNS names are not
 * resolved: they count as public.
 */
import { isIP } from 'node:net';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'unspecified';

function classifyV4(ip: string): AddressClass {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  return 'public';
}

function classifyV6(ip: string): AddressClass {
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1] !== undefined) return classifyV4(mapped[1]);
  if (lower === '::') return 'unspecified';
  if (lower === '::1') return 'loopback';
  if (/^fe[89ab]/.test(lower)) return 'link-local';
  if (/^f[cd]/.test(lower)) return 'private';
  return 'public';
}

/** The class of a URL hostname (brackets of IPv6 literals allowed). */
export function classifyHost(hostname: string): AddressClass {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const version = isIP(host);
  if (version === 4) return classifyV4(host);
  if (version === 6) return classifyV6(host);
  return 'public';
}

/**
 * Whether `target` may be contacted on behalf of a response from `source`:
 * never link-local/unspecified; loopback and private targets only when the
 * source is itself loopback or private.
 */
export function isAllowedTarget(source: URL, target: URL): boolean {
  const targetClass = classifyHost(target.hostname);
  if (targetClass === 'link-local' || targetClass === 'unspecified') return false;
  if (targetClass === 'public') return true;
  return classifyHost(source.hostname) !== 'public';
}
