/**
 * Output for people and for scripts: aligned tables by default, `-o json`
 * and `-o yaml` with the same fields for scripts. Data goes to stdout;
 * progress and diagnostics to stderr.
 */
import type { CliStream } from './context.ts';
import { usageError } from './usage-error.ts';

export type OutputFormat = 'table' | 'json' | 'yaml';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '' || value === 'table') return 'table';
  if (value === 'json' || value === 'yaml') return value;
  throw usageError(`unknown output format "${value}": use json or yaml`);
}

/** Writes `data` as JSON or YAML; for 'table', calls `table` instead. */
export async function writeStructured(stream: CliStream, format: OutputFormat, data: unknown, table: () => void): Promise<void> {
  if (format === 'json') stream.write(JSON.stringify(data, null, 2) + '\n');
  // Loaded on demand: most runs print tables.
  else if (format === 'yaml') stream.write((await import('yaml')).stringify(data));
  else table();
}

/** An aligned table with upper-case headers, like kubectl's. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('   ').trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}

/** Human-readable byte counts (binary units), e.g. 1.5 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? ''}`;
}
