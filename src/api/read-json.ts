/**
 * Typed reads from JSON the API server returned. Each reader records a
 * FieldError for a wrong type and returns undefined, so a parser can go on
 * and report every bad field in one pass.
 */
import type { FieldErrors } from './spec-error.ts';

/** A JSON object. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Guard: a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Records an "unknown field" error for every key of `object` outside `allowed`. */
export function checkKnownKeys(object: JsonObject, allowed: readonly string[], path: string, errors: FieldErrors): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) errors.add(`${path}.${key}`, 'unknown field');
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** `object[key]` as a string; a missing key is undefined, a null too (the API server omits it). */
export function readString(object: JsonObject, key: string, path: string, errors: FieldErrors): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  errors.add(`${path}.${key}`, `must be a string, not ${typeName(value)}`);
  return undefined;
}

export function readBoolean(object: JsonObject, key: string, path: string, errors: FieldErrors): boolean | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  errors.add(`${path}.${key}`, `must be a boolean, not ${typeName(value)}`);
  return undefined;
}

/** A safe integer. */
export function readInteger(object: JsonObject, key: string, path: string, errors: FieldErrors): number | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  errors.add(`${path}.${key}`, `must be an integer, not ${typeName(value)}`);
  return undefined;
}

export function readObject(object: JsonObject, key: string, path: string, errors: FieldErrors): JsonObject | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (isJsonObject(value)) return value;
  errors.add(`${path}.${key}`, `must be an object, not ${typeName(value)}`);
  return undefined;
}

export function readArray(object: JsonObject, key: string, path: string, errors: FieldErrors): readonly unknown[] | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value as readonly unknown[];
  errors.add(`${path}.${key}`, `must be an array, not ${typeName(value)}`);
  return undefined;
}

/** A map of strings (annotations, labels, artifact metadata); keys are defined, never assigned, so `__proto__` is safe. */
export function readStringMap(
  object: JsonObject, key: string, path: string, errors: FieldErrors,
): Readonly<Record<string, string>> | undefined {
  const map = readObject(object, key, path, errors);
  if (map === undefined) return undefined;
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(map)) {
    if (typeof value === 'string') entries.push([name, value]);
    else errors.add(`${path}.${key}[${JSON.stringify(name)}]`, `must be a string, not ${typeName(value)}`);
  }
  return Object.fromEntries(entries);
}
