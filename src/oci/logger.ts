/**
 * The logging this module needs, injected (house rule 7). Fields are
 * structured and never hold credentials, tokens or query strings.
 */

export type LogFields = Readonly<Record<string, string | number | boolean>>;

export interface OciLogger {
  debug(message: string, fields?: LogFields): void;
}

/** Logs nothing: the default. */
export const SILENT_LOGGER: OciLogger = { debug: () => undefined };
