/**
 * Log field values made safe to write (ARCHITECTURE.md house rule 2: no
 * credential, token, query string or raw body in any log line). Applied to
 * every field and message, whoever built them:
 *   - known secret values (registry passwords, tokens) are masked anywhere;
 *   - http(s) URLs lose userinfo, query and fragment; other schemes lose userinfo;
 *   - `Bearer`/`Basic` credentials are masked;
 *   - values under keys that name a secret (password, token, authorization...)
 *     are masked whole;
 *   - strings become printable ASCII with a length cap (toSafeText);
 *   - errors become { message, code, errorClass }: never a stack or a raw cause object.
 */
import { BobError, describeError, redactSecrets, redactUrl, toSafeText } from '../shared/index.ts';

const MASK = '***';
const MAX_STRING = 2048;
const MAX_DEPTH = 4;
const MAX_ENTRIES = 64;
const SECRET_KEY = /pass(word|phrase)?|secret|token|authori[sz]ation|credential|api[-_]?key|private[-_]?key|cookie/i;
const HTTP_URL = /\bhttps?:\/\/[^\s"'<>`]+/gi;
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>`]+@/gi;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/** `text` with secrets, URL credentials and auth headers masked, as printable ASCII. */
export function toSafeLogText(text: string, secrets: readonly string[]): string {
  const masked = redactSecrets(text, secrets)
    .replace(USERINFO, `$1${MASK}@`)
    .replace(HTTP_URL, (url) => redactUrl(url))
    .replace(AUTH_SCHEME, `$1 ${MASK}`);
  return toSafeText(masked, MAX_STRING);
}

/** A JSON-safe, redacted copy of `value`; undefined for values that are left out (undefined, functions, symbols). */
export function toLogValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return toSafeLogText(value, secrets);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      return toLogObject(value, secrets, depth);
  }
}

/** Redacted fields of a log line; keys that name a secret keep the key with a masked value. */
export function toLogFields(fields: Readonly<Record<string, unknown>>, secrets: readonly string[], depth = 0): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  let count = 0;
  for (const [key, value] of Object.entries(fields)) {
    if (count++ >= MAX_ENTRIES) {
      result['truncated'] = true;
      break;
    }
    const safeKey = toSafeText(key, 64);
    if (SECRET_KEY.test(key) && value !== undefined && value !== null && typeof value !== 'number' && typeof value !== 'boolean') {
      result[safeKey] = MASK;
      continue;
    }
    const safe = toLogValue(value, secrets, depth + 1);
    if (safe !== undefined) result[safeKey] = safe;
  }
  return result;
}

function toLogObject(value: object | null, secrets: readonly string[], depth: number): unknown {
  if (value === null) return null;
  if (value instanceof Error) return toLogError(value, secrets);
  if (value instanceof URL) return redactUrl(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) {
    const items: unknown[] = value.slice(0, MAX_ENTRIES);
    return items.map((item) => toLogValue(item, secrets, depth + 1) ?? null);
  }
  return toLogFields(value as Record<string, unknown>, secrets, depth);
}

function toLogError(error: Error, secrets: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = { message: toSafeLogText(describeError(error), secrets) };
  if (error instanceof BobError) {
    result['code'] = error.code;
    result['errorClass'] = error.errorClass;
    if (Object.keys(error.details).length > 0) result['details'] = toLogFields(error.details, secrets, MAX_DEPTH - 1);
  }
  return result;
}
