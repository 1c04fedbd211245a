/**
 * SPEC_INVALID: the object breaks the API's rules. It lists every bad field
 * (house rule 1) and is stalling: only a spec change can fix it. Its
 * `reason` is the Stalled reason: URLInvalid (Flux's) when spec.url is among
 * the bad fields, SpecInvalid otherwise.
 */
import { BobError } from '../shared/index.ts';
import { REASON } from './vocabulary.ts';

/** One bad field: its JSON path (`spec.verify.matchOIDCIdentity[0].issuer`) and what is wrong. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export const SPEC_INVALID = 'SPEC_INVALID';

/** The Stalled reason a SpecInvalidError maps to. */
export type SpecInvalidReason = typeof REASON.urlInvalid | typeof REASON.specInvalid;

/** Thrown by parseOCIRepository; `fields` holds every problem found. */
export class SpecInvalidError extends BobError {
  readonly fields: readonly FieldError[];
  readonly reason: SpecInvalidReason;

  constructor(subject: string, fields: readonly FieldError[]) {
    super(SPEC_INVALID, `invalid ${subject}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, {
      errorClass: 'stalling',
      details: { fields: fields.length },
    });
    this.name = 'SpecInvalidError';
    this.fields = fields;
    this.reason = fields.some((f) => f.path === 'spec.url') ? REASON.urlInvalid : REASON.specInvalid;
  }
}

/** Guard: a SpecInvalidError. */
export function isSpecInvalidError(error: unknown): error is SpecInvalidError {
  return error instanceof SpecInvalidError;
}

/** Collects field errors while a parser walks an object. */
export class FieldErrors {
  readonly list: FieldError[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}
