/**
 * Artifact URLs: `<baseUrl>/<path>` (Flux: `http://<storage-adv-addr>/<path>`,
 * research/flux.md §2.1). Paths are built only from DNS-1123 names and hex,
 * so they need no percent-encoding.
 */
import { storageError } from './errors.ts';

/**
 * The base URL without a trailing slash. Throws STORAGE_OPTIONS_INVALID
 * unless it is an http(s) URL without credentials, query or fragment: it is
 * written into every status and must leak nothing.
 */
export function toBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw storageError('STORAGE_OPTIONS_INVALID', 'baseUrl is not a URL', { cause: error, details: { field: 'baseUrl' } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw storageError('STORAGE_OPTIONS_INVALID', 'baseUrl must be http or https', { details: { field: 'baseUrl' } });
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw storageError('STORAGE_OPTIONS_INVALID', 'baseUrl must not carry credentials, a query or a fragment', { details: { field: 'baseUrl' } });
  }
  return url.href.replace(/\/+$/, '');
}

/** `<baseUrl>/<relative posix path>`. */
export function toArtifactUrl(baseUrl: string, path: string): string {
  return `${baseUrl}/${path}`;
}
