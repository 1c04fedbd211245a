/**
 * Turning an unexpected HTTP answer into a coded error: the registry's
 * `errors[].code` (distribution-spec §"Error Codes") when it names one we
 * know, else the status. The body is read to at most the error-body cap and
 * never quoted; only codes and a short sanitised detail are kept.
 */
import { toSafeText, type BobError } from '../shared/index.ts';
import { readPrefix } from './body.ts';
import { isObject } from './descriptor.ts';
import { ociError, statusToCode, toOciErrorCode, type OciErrorCode } from './errors.ts';
import { parseRetryAfter } from './retry.ts';
import { headerValue, type HttpResponse } from './transport.ts';

/** The registry error codes in an error body, in order (at most 10). */
export function toRegistryErrorCodes(bytes: Uint8Array): { codes: string[]; message?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { codes: [] };
  }
  if (!isObject(doc) || !Array.isArray(doc['errors'])) return { codes: [] };
  const codes: string[] = [];
  let message: string | undefined;
  for (const entry of doc['errors'].slice(0, 10)) {
    if (!isObject(entry) || typeof entry['code'] !== 'string') continue;
    codes.push(toSafeText(entry['code'], 40));
    if (message === undefined && typeof entry['message'] === 'string') message = toSafeText(entry['message'], 120);
  }
  return message === undefined ? { codes } : { codes, message };
}

export interface ResponseErrorOptions {
  readonly errorBodyBytes: number;
  readonly now: number;
  /** Code to use for a 404 that names no registry code (e.g. MANIFEST_UNKNOWN for a manifest GET). */
  readonly notFound?: OciErrorCode;
}

/** A coded error for `response`, whose body this consumes (capped). */
export async function toResponseError(response: HttpResponse, operation: string, options: ResponseErrorOptions): Promise<BobError> {
  const bytes = await readPrefix(response.body, options.errorBodyBytes);
  const { codes, message } = toRegistryErrorCodes(bytes);
  const known = codes.map(toOciErrorCode).find((code): code is OciErrorCode => code !== undefined);
  const status = response.status;
  let code: OciErrorCode = known ?? (status === 404 && options.notFound !== undefined ? options.notFound : statusToCode(status));
  // A 5xx that names e.g. UNKNOWN stays transient; a 429 is always a rate limit.
  if (status === 429) code = 'RATE_LIMITED';
  const retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'), options.now);
  const details: Record<string, string | number> = { status };
  if (codes.length > 0) details['registryCodes'] = codes.join(',');
  if (message !== undefined) details['registryMessage'] = message;
  if (retryAfterMs !== undefined) details['retryAfterSeconds'] = Math.ceil(retryAfterMs / 1000);
  const named = codes.length > 0 ? ` (${codes.join(', ')})` : '';
  const retry = retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)}s`;
  return ociError(code, `${operation}: response status ${status}${named}${retry}`, { details });
}
