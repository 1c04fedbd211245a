/**
 * Registry-supplied text (annotations, artifact types) is untrusted: printed
 * raw, an escape sequence in an annotation could rewrite the user's
 * terminal. Human output passes it through here; JSON and YAML escape it
 * themselves.
 */

// C0 and C1 controls, DEL, and the bidi overrides that reorder what is shown (CVE-2021-42574).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with control characters shown as `?`, cut to `max` characters. */
export function toPrintable(text: string, max = 1000): string {
  const printable = text.replace(UNPRINTABLE, '?');
  return printable.length > max ? `${printable.slice(0, max - 1)}…` : printable;
}
