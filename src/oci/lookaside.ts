/**
 * Reading one signature from an http(s) lookaside server
 * (containers-registries.d(5) `lookaside`; containers/image
 * docker/docker_image_src.go getOneSignature; research/signatures.md §2):
 * a plain GET without registry credentials, 200 = the signature, 404 = no
 * such signature (the end of the list), anything else an error. The body is
 * capped on bytes actually read; Content-Type is not checked (the
 * lookaside spec sets no rule), only reported. Redirects are followed by
 * hand with the client's checks (redirects.ts).
 */
import { redactUrl } from '../shared/index.ts';
import { discardBody, readCapped } from './body.ts';
import type { ClientContext } from './context.ts';
import { ociError } from './errors.ts';
import { toResponseError } from './response-error.ts';
import { describeRequest, headerValue } from './transport.ts';

/** A signature found on a lookaside server. */
export interface LookasideSignature {
  readonly bytes: Uint8Array;
  /** As served; containers/image only warns about `text/html`. */
  readonly contentType?: string;
  /** The URL that answered (after redirects). */
  readonly url: URL;
}

/** Undefined on 404; BLOB_TOO_LARGE past `maxBytes`; a coded error for any other status. */
export async function fetchLookasideSignature(
  context: ClientContext, url: URL, signal: AbortSignal, maxBytes: number,
): Promise<LookasideSignature | undefined> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw ociError('CONFIG_INVALID', `lookaside URL ${redactUrl(url)}: only http and https are fetched over the network`);
  }
  if (url.username !== '' || url.password !== '') {
    throw ociError('CONFIG_INVALID', 'lookaside URL: credentials in the URL are not supported');
  }
  const operation = describeRequest('GET', url);
  const response = await context.http.exchange({ method: 'GET', url, signal, followRedirects: true, canRetry: true, purpose: 'lookaside' });
  if (response.status === 404) {
    await discardBody(response.body, context.limits.errorBodyBytes);
    return undefined;
  }
  if (response.status !== 200) {
    throw await toResponseError(response, operation, { errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now() });
  }
  const bytes = await readCapped(response.body, maxBytes, () => ociError('BLOB_TOO_LARGE', `${operation}: signature larger than ${maxBytes} bytes`));
  context.http.countBytes(response.url, bytes.byteLength);
  const contentType = headerValue(response.headers, 'content-type');
  return { bytes, url: response.url, ...(contentType === undefined ? {} : { contentType }) };
}
