/** `--annotation key=value` values (repeatable); the value may itself contain `=`. */
import { usageError } from './usage-error.ts';

export function parseAnnotations(values: readonly string[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const pair of values) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw usageError(`--annotation must be key=value, got ${JSON.stringify(pair.slice(0, 100))}`);
    annotations[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return annotations;
}
