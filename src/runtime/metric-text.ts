/**
 * Pieces of the Prometheus text exposition format 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats, "Text format details"):
 * HELP text escapes `\` and line feed; label values escape `\`, `"` and line
 * feed; sample values are Go-float-parsable, with `+Inf`, `-Inf` and `NaN`.
 */

/** Content-Type of the 0.0.4 text format. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Valid metric names (data model: `[a-zA-Z_:][a-zA-Z0-9_:]*`). */
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Valid label names (`[a-zA-Z_][a-zA-Z0-9_]*`; a leading `__` is reserved). */
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP docstring escaping. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label value escaping. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * A sample value or `le` bound. JavaScript's shortest round-trip form has the
 * same digits as Go's strconv 'g' -1 used by client_golang; only very large or
 * small magnitudes differ in exponent notation, which parsers accept alike.
 */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** `{a="x",b="y"}`, or '' for no labels. */
export function formatLabels(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}
