/**
 * Errors of the runtime module. All are programming or environment errors
 * (a bad metric definition, a port in use, a shutdown in progress): none of
 * them carries object data, so none can leak a credential.
 */
import { BobError } from '../shared/index.ts';
import type { BobErrorOptions } from '../shared/index.ts';

/** Stable codes thrown by src/runtime. */
export type RuntimeErrorCode =
  | 'RUNTIME_METRIC_INVALID'
  | 'RUNTIME_OPTION_INVALID'
  | 'RUNTIME_DELAY_INVALID'
  | 'RUNTIME_RESULT_INVALID'
  | 'RUNTIME_SHUTDOWN'
  | 'RUNTIME_SERVER_FAILED'
  | 'RUNTIME_MANAGER_STATE';

/** A BobError with a runtime code; definitions and states are wrong, not flaky, unless told otherwise. */
export function runtimeError(code: RuntimeErrorCode, message: string, options: BobErrorOptions = {}): BobError {
  return new BobError(code, message, { errorClass: 'stalling', ...options });
}
