/**
 * Errors this module throws. A verifier *returns* a rejection when the
 * subject is not trusted; it *throws* only when its own inputs are broken
 * (CONFIG_INVALID: a bad key, policy or trust root, which only a spec or
 * Secret change can fix, so it is 'stalling') or when it could not finish
 * (registry errors pass through from oci with their own codes).
 */
import { BobError, type BobErrorOptions } from '../shared/index.ts';
import type { RejectionCode } from './types.ts';

export type VerifyErrorCode =
  /** Trust material (keys, certificates, policies, trust roots) that cannot be used. */
  | 'CONFIG_INVALID'
  /** A signing request that cannot be carried out (bad key password, unsupported key). */
  | 'SIGNING_FAILED';

export function verifyError(code: VerifyErrorCode, message: string, options: BobErrorOptions = {}): BobError {
  return new BobError(code, message, {
    ...options,
    errorClass: options.errorClass ?? (code === 'CONFIG_INVALID' ? 'stalling' : 'transient'),
  });
}

/** Shorthand for the common case: trust material that cannot be used, with every bad field named. */
export function configInvalid(message: string, options: Omit<BobErrorOptions, 'errorClass'> = {}): BobError {
  return verifyError('CONFIG_INVALID', message, options);
}

/**
 * Thrown inside a provider when the subject must be rejected outright (too
 * many signatures, an oversized payload); the provider catches it and
 * returns a Rejected verdict. It never leaves the module.
 */
export class RejectionError extends Error {
  readonly code: RejectionCode;

  constructor(code: RejectionCode, message: string) {
    super(message);
    this.name = 'RejectionError';
    this.code = code;
  }
}

export function isRejectionError(error: unknown): error is RejectionError {
  return error instanceof RejectionError;
}
