/**
 * Coded errors. Every failure bob reports carries a stable machine-readable
 * `code`, a human message that is safe to show (no credentials, tokens, query
 * strings or raw bodies: see redact.ts) and, where there is one, the `cause`.
 * Callers branch on `code`, never on message text.
 */
import { inspect } from 'node:util';

/** How the caller should react: ARCHITECTURE.md house rule 4. */
export type ErrorClass = 'stalling' | 'waiting' | 'transient';

export interface BobErrorOptions {
  readonly cause?: unknown;
  /** Defaults to 'transient': retrying a wrong spec costs little, giving up on a flaky network costs a lot. */
  readonly errorClass?: ErrorClass;
  /** Structured, non-secret facts for logs and tests (status code, digest, limit...). */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** The one error type bob throws on purpose. */
export class BobError extends Error {
  readonly code: string;
  readonly errorClass: ErrorClass;
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(code: string, message: string, options: BobErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BobError';
    this.code = code;
    this.errorClass = options.errorClass ?? 'transient';
    this.details = options.details ?? {};
  }
}

/** Guard: is `error` a BobError, optionally with the given code. */
export function isBobError(error: unknown, code?: string): error is BobError {
  return error instanceof BobError && (code === undefined || error.code === code);
}

/**
 * The message of an error and its causes, joined with ': ', for one-line
 * output. Non-BobError causes contribute their message only.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      if (current.message !== '' && !parts.includes(current.message)) parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(typeof current === 'string' ? current : inspect(current));
      break;
    }
  }
  return parts.join(': ');
}
