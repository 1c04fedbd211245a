export { BobError, describeError, isBobError } from './errors.ts';
export type { BobErrorOptions, ErrorClass } from './errors.ts';
export { DEFAULT_LIMITS, GIB, KIB, MIB } from './limits.ts';
export type { Limits } from './limits.ts';
export { redactSecrets, redactUrl, toSafeText } from './redact.ts';
export { createSystemClock } from './clock.ts';
export type { Clock } from './clock.ts';
export { backoffDelay } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
