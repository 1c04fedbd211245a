/**
 * Redaction for anything that may end up in a message, condition, event or
 * log line (ARCHITECTURE.md house rule 2): URLs lose their userinfo, query
 * string and fragment (pre-signed blob URLs carry credentials in the query),
 * and known secret values are masked wherever they appear.
 */

const REDACTED = '***';

/**
 * `scheme://host[:port]/path` of a URL, without userinfo, query or fragment.
 * Input that does not parse as a URL is replaced wholesale: it may be a
 * secret pasted in the wrong field.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return '<invalid URL>';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${parsed.protocol}<redacted>`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** `text` with every occurrence of each non-empty secret replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  // Longest first, so a secret containing another is masked whole.
  const ordered = secrets.filter((s): s is string => s !== undefined && s.length > 0).sort((a, b) => b.length - a.length);
  for (const secret of ordered) result = result.split(secret).join(REDACTED);
  return result;
}

/**
 * Server-provided text reduced to something safe to keep in error details:
 * printable ASCII only, at most `max` characters.
 */
export function toSafeText(text: string, max = 200): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}...` : printable;
}
