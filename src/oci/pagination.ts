/**
 * `Link: <url>; rel="next"` pagination (RFC 8288; distribution-spec
 * §"Listing Tags" and §"Listing Referrers"). The next URL must stay on the
 * origin we asked, may not repeat, and pages are bounded (oras GHSA-298f).
 */
import { redactUrl } from '../shared/index.ts';
import { ociError } from './errors.ts';

/** The target of the first `rel="next"` link in a Link header value. */
export function parseNextLink(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const pattern = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
  for (const match of header.matchAll(pattern)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(params)?.[1];
    if (rel?.toLowerCase().split(/\s+/).includes('next') === true) return match[1];
  }
  return undefined;
}

/** Tracks pages of one listing. */
export class Pager {
  readonly #origin: string;
  readonly #maxPages: number;
  readonly #seen = new Set<string>();
  #pages = 0;

  constructor(first: URL, maxPages: number) {
    this.#origin = first.origin;
    this.#maxPages = maxPages;
    this.#seen.add(first.href);
  }

  /** Counts a fetched page. */
  countPage(url: URL): void {
    this.#pages++;
    if (this.#pages > this.#maxPages) {
      throw ociError('PAGINATION_LIMIT', `${redactUrl(url)}: more than ${this.#maxPages} pages`, { details: { pages: this.#maxPages } });
    }
  }

  /** The next page's URL from a Link header, checked; undefined at the end. */
  next(current: URL, link: string | undefined): URL | undefined {
    const target = parseNextLink(link);
    if (target === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(target, current);
    } catch {
      throw ociError('PAGINATION_INVALID', `${redactUrl(current)}: unparseable Link target`);
    }
    if (url.origin !== this.#origin) {
      throw ociError('PAGINATION_INVALID', `${redactUrl(current)}: Link points to another origin (${redactUrl(url)})`);
    }
    if (this.#seen.has(url.href)) throw ociError('PAGINATION_INVALID', `${redactUrl(current)}: Link repeats a page`);
    this.#seen.add(url.href);
    return url;
  }
}
