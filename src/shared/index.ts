export { BobError, describeError, isBobError } from './errors.ts';
export type { BobErrorOptions, ErrorClass } from './errors.ts';
export { DEFAULT_LIMITS, GIB, KIB, MIB } from './limits.ts';
export type { Limits } from './limits.ts';
