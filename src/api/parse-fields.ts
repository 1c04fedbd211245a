/**
 * Readers for the spec's small recurring shapes: names, references,
 * durations, patterns and enums. Each checks what the CRD checks and
 * records every problem in `errors`.
 */
import { SPEC_LIMITS } from './constants.ts';
import { compileGoRegexp } from './go-regexp.ts';
import { parseGoDuration } from './go-duration.ts';
import { checkKnownKeys, readObject, readString, type JsonObject } from './read-json.ts';
import type { FieldErrors } from './spec-error.ts';
import { MESSAGES, NAME_PATTERN } from './spec-rules.ts';
import type { Duration, LocalObjectReference, Pattern } from './types.ts';

const NAME = new RegExp(NAME_PATTERN);

/** Checks a Secret or ServiceAccount name at `path`. */
export function checkName(name: string, path: string, errors: FieldErrors): boolean {
  if (name.length > SPEC_LIMITS.nameLength) {
    errors.add(path, `must be at most ${SPEC_LIMITS.nameLength} characters long`);
    return false;
  }
  if (!NAME.test(name)) {
    errors.add(path, MESSAGES.name);
    return false;
  }
  return true;
}

/** `{name}` of a same-namespace object at `object[key]`. */
export function readLocalReference(
  object: JsonObject, key: string, path: string, errors: FieldErrors,
): LocalObjectReference | undefined {
  const reference = readObject(object, key, path, errors);
  if (reference === undefined) return undefined;
  const at = `${path}.${key}`;
  checkKnownKeys(reference, ['name'], at, errors);
  const name = readString(reference, 'name', at, errors);
  if (name === undefined) {
    if (reference['name'] === undefined || reference['name'] === null) errors.add(`${at}.name`, 'is required');
    return undefined;
  }
  return checkName(name, `${at}.name`, errors) ? { name } : undefined;
}

/** A duration matching `pattern` and within [minMs, maxMs]. */
export function readDuration(
  text: string,
  path: string,
  rule: { readonly pattern: RegExp; readonly syntax: string; readonly bounds: string; readonly minMs: number; readonly maxMs: number },
  errors: FieldErrors,
): Duration | undefined {
  if (!rule.pattern.test(text)) {
    errors.add(path, rule.syntax);
    return undefined;
  }
  const milliseconds = parseGoDuration(text);
  if (milliseconds === undefined || milliseconds < rule.minMs || milliseconds > rule.maxMs) {
    errors.add(path, rule.bounds);
    return undefined;
  }
  return { text, milliseconds };
}

/** A Go RE2 pattern compiled for JavaScript. */
export function readPattern(text: string, path: string, errors: FieldErrors): Pattern | undefined {
  if (text.length > SPEC_LIMITS.patternLength) {
    errors.add(path, `must be at most ${SPEC_LIMITS.patternLength} characters long`);
    return undefined;
  }
  const compiled = compileGoRegexp(text);
  if ('error' in compiled) {
    errors.add(path, `${MESSAGES.regexp}: ${compiled.error}`);
    return undefined;
  }
  return { text, regexp: compiled.regexp };
}

/** One of `allowed`, or `fallback` when absent. */
export function readEnum<T extends string>(
  object: JsonObject, key: string, path: string, allowed: readonly T[], fallback: T, errors: FieldErrors,
): T | undefined {
  const value = readString(object, key, path, errors);
  if (value === undefined) return object[key] === undefined || object[key] === null ? fallback : undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  errors.add(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
  return undefined;
}
