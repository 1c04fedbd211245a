/**
 * The shape of a bobctl verb: one file per verb under commands/, each a
 * `Command` with its own flags, usage and a run function that returns an
 * exit code. Flags are parsed with node:util parseArgs in strict mode.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './context.ts';
import type { ExitCode } from './exit-codes.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

export interface ParsedCommand {
  readonly positionals: readonly string[];
  readonly flags: FlagValues;
}

export interface Command {
  /** The verb as typed, e.g. `push artifact`. */
  readonly name: string;
  readonly summary: string;
  /** One line of usage after `bobctl `. */
  readonly usage: string;
  /** Flag help lines: `--flag value   what it does`. */
  readonly help: readonly string[];
  readonly options: OptionSpecs;
  run(parsed: ParsedCommand, context: CliContext): Promise<ExitCode>;
}

/** A string flag's value, or undefined. */
export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string flag's values (also splits comma-separated lists when asked). */
export function stringsFlag(flags: FlagValues, name: string, splitCommas = false): string[] {
  const value = flags[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const strings = values.filter((v): v is string => typeof v === 'string');
  return splitCommas ? strings.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '') : strings;
}

export function booleanFlag(flags: FlagValues, name: string): boolean {
  return flags[name] === true;
}
