/**
 * Lookaside storage locations (containers-registries.d(5); containers/image
 * docker/registries_d.go lookasideStorageBaseURL and lookasideStorageURL;
 * research/signatures.md §2):
 *
 *   <base>/<repository path without host>@<algorithm>=<hex>/signature-<N>,  N = 1, 2, …
 *
 * The path is concatenated as containers/image does (a base ending in `/`
 * gives `//`), so both find the same files.
 */
import { fileURLToPath } from 'node:url';
import { parseDigest } from '../../shared/index.ts';
import { configInvalid } from '../errors.ts';

const SCHEMES = new Set(['file:', 'http:', 'https:']);

/** A lookaside base URL, checked: file, http or https. */
export function parseLookasideBase(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw configInvalid(`lookaside ${JSON.stringify(base.slice(0, 200))} is not a URL`);
  }
  if (!SCHEMES.has(url.protocol)) {
    throw configInvalid(`lookaside ${JSON.stringify(base.slice(0, 200))}: scheme must be file, http or https`);
  }
  return url;
}

/** Go's url.Parse leaves Path empty for `https://host`; WHATWG URL says `/`. */
function basePath(base: string, url: URL): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(?:[?#].*)?$/i.test(base) ? '' : url.pathname;
}

/** The URL of signature number `index` (1-based) of `digest` in `repository`. */
export function toLookasideUrl(base: string, repository: string, digest: string, index: number): URL {
  const parsed = parseDigest(digest);
  if (parsed === undefined) throw configInvalid(`cannot build a lookaside URL for ${JSON.stringify(digest.slice(0, 80))}`);
  if (!Number.isSafeInteger(index) || index < 1) throw new RangeError('signature index must be a positive integer');
  const url = parseLookasideBase(base);
  const prefix = basePath(base, url);
  url.pathname = `${prefix}/${repository}@${parsed.algorithm}=${parsed.hex}/signature-${String(index)}`;
  return url;
}

/** The local path of a file:// lookaside URL. */
export function toLookasidePath(url: URL): string {
  try {
    return fileURLToPath(url);
  } catch {
    throw configInvalid(`lookaside ${url.href.slice(0, 200)} is not a local file URL`);
  }
}
