/**
 * Entry names come from the archive, i.e. from an attacker. Before one goes
 * into an error message (and from there into a condition, an event or a log
 * line) it is quoted, its control and bidi characters are escaped (terminal
 * and log injection, CVE-2021-42574 "Trojan Source") and it is truncated.
 */
const MAX_SHOWN = 120;

// C0, DEL, C1, and the bidi embedding/override/isolate marks.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/** `name` quoted, with unsafe characters as \u escapes, at most ~120 characters. */
export function quotePath(name: string): string {
  const chars = Array.from(name);
  const shown = chars.length > MAX_SHOWN ? `${chars.slice(0, MAX_SHOWN).join('')}...` : name;
  const escaped = shown
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${escaped}"`;
}
