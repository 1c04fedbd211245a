/**
 * A step that cannot go on says which condition it failed, with which
 * Flux reason and message (research/flux.md §2.2), and whether a retry can
 * help (house rule 4): `stall` only when the spec itself must change.
 * A cause classed 'stalling' by another module (a malformed manifest, an
 * archive with a link) is retried with backoff instead: a registry's answer
 * or a Secret can change without a spec change, and Flux retries them too.
 */
import { BobError, describeError, isBobError, type ErrorClass } from '../shared/index.ts';

export const RECONCILE_STEP_FAILED = 'RECONCILE_STEP_FAILED';

export interface StepFailureInit {
  /** The condition the step sets: FetchFailed, StorageOperationFailed, SourceVerified (False), or Stalled only. */
  readonly condition: string;
  readonly reason: string;
  /** Safe to show: built from coded error messages, never from secret values. */
  readonly message: string;
  readonly stall?: boolean;
  readonly cause?: unknown;
}

/** A failed step; its message is the condition message and the Warning event's note. */
export class StepFailure extends BobError {
  readonly condition: string;
  readonly reason: string;
  readonly stall: boolean;

  constructor(init: StepFailureInit) {
    const causeClass: ErrorClass = isBobError(init.cause) ? init.cause.errorClass : 'transient';
    super(RECONCILE_STEP_FAILED, init.message, {
      cause: init.cause,
      errorClass: init.stall === true ? 'stalling' : causeClass === 'stalling' ? 'transient' : causeClass,
      details: { condition: init.condition, reason: init.reason },
    });
    this.name = 'StepFailure';
    this.condition = init.condition;
    this.reason = init.reason;
    this.stall = init.stall ?? false;
  }
}

/** Guard: a StepFailure. */
export function isStepFailure(error: unknown): error is StepFailure {
  return error instanceof StepFailure;
}

/** `prefix: <error and its causes>`, the Go `%w` wrapping Flux messages use. */
export function wrapMessage(prefix: string, error: unknown): string {
  return `${prefix}: ${describeError(error)}`;
}
