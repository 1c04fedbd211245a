/**
 * Structured logs as JSON lines, one object per line:
 * `{"level":"info","ts":"2025-01-02T03:04:05.678Z","msg":"...",...fields}`
 * (Flux logs JSON by default: `--log-encoding json`, research/flux.md §4.5).
 * `ts` is RFC 3339 in UTC with milliseconds, from the injected clock. Every
 * message and field goes through log-fields.ts, so a line cannot carry a
 * credential even when a caller passes one by mistake. Writing never throws.
 */
import type { Clock } from '../shared/index.ts';
import { toLogFields, toSafeLogText } from './log-fields.ts';

export type LogLevel = 'debug' | 'info' | 'error';

/** Fields of a log line; values are redacted before they are written. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where lines go: a Writable such as process.stderr fits. */
export interface LogStream {
  write(line: string): unknown;
}

export interface LoggerOptions {
  /** Lines below this level are dropped (Flux `--log-level`, default info). */
  readonly level: LogLevel;
  readonly stream: LogStream;
  readonly clock: Clock;
  /** Secret values known right now (e.g. registry passwords read from Secrets), masked wherever they appear. */
  readonly secrets?: () => readonly string[];
}

/** A logger; child() adds fields to every line it writes. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines carry `fields` too (e.g. `{ object: 'ns/name', reconcileID }`); line fields win on conflict. */
  child(fields: LogFields): Logger;
  /** Whether lines of `level` are written: skip building costly fields otherwise. */
  enabled(level: LogLevel): boolean;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, error: 2 };
/** Keys of the envelope; a field with the same name is written as `field_<name>`. */
const RESERVED = new Set(['level', 'ts', 'msg']);

/** A JSON-lines logger writing to `options.stream`. */
export function createLogger(options: LoggerOptions): Logger {
  return makeLogger(options, {});
}

function makeLogger(options: LoggerOptions, bound: LogFields): Logger {
  const threshold = SEVERITY[options.level];
  const write = (level: LogLevel, msg: string, fields: LogFields | undefined): void => {
    if (SEVERITY[level] < threshold) return;
    try {
      const secrets = options.secrets?.() ?? [];
      const line: Record<string, unknown> = {
        level,
        ts: new Date(options.clock.now()).toISOString(),
        msg: toSafeLogText(msg, secrets),
      };
      const safe = toLogFields(fields === undefined ? bound : { ...bound, ...fields }, secrets);
      for (const [key, value] of Object.entries(safe)) line[RESERVED.has(key) ? `field_${key}` : key] = value;
      options.stream.write(`${JSON.stringify(line)}\n`);
    } catch {
      // Logging must never take the controller down (EPIPE on a closed stderr, a bad clock).
    }
  };
  return {
    debug: (msg, fields) => { write('debug', msg, fields); },
    info: (msg, fields) => { write('info', msg, fields); },
    error: (msg, fields) => { write('error', msg, fields); },
    child: (fields) => makeLogger(options, { ...bound, ...fields }),
    enabled: (level) => SEVERITY[level] >= threshold,
  };
}
