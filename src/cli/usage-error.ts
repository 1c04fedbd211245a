import { BobError } from '../shared/index.ts';

/** A wrong command line; exits with EXIT_USAGE and prints the verb's help hint. */
export function usageError(message: string, cause?: unknown): BobError {
  return new BobError('CLI_USAGE', message, { errorClass: 'stalling', cause });
}
