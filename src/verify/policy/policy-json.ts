/**
 * Reading policy.json values with the semantics of containers/image's
 * paranoid decoder (signature/internal/json.go) over Go's encoding/json:
 * every object is checked for unknown keys, and a JSON `null` in a
 * string, list or bytes field leaves Go's zero value (""/nil) behind
 * instead of failing, which is why the readers below return undefined or
 * '' for it and the callers apply upstream's "is it set" rules.
 */
import { decodeStandardBase64 } from '../base64.ts';
import { configInvalid } from '../errors.ts';
import { isJsonObject, type JsonObject } from '../strict-json.ts';

/** A JSON path segment appended to `at`: `.key` for identifiers, `["key"]` otherwise. */
export function pathOf(at: string, key: string | number): string {
  if (typeof key === 'number') return `${at}[${String(key)}]`;
  const separator = at === '' ? '' : '.';
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${at}${separator}${key}` : `${at}[${JSON.stringify(key)}]`;
}

/** The configInvalid error for `at`, worded like containers/image's InvalidPolicyFormatError. */
export function policyError(at: string, message: string): Error {
  return configInvalid(`policy.json ${at === '' ? '(top level)' : at}: ${message}`, { details: { field: at === '' ? '.' : at } });
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The object at `at`, with every key checked against `allowed` ("Unknown key"). */
export function readObject(value: unknown, at: string, allowed: readonly string[]): JsonObject {
  if (!isJsonObject(value)) throw policyError(at, `JSON object expected, got ${jsonTypeOf(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw policyError(at, `Unknown key ${JSON.stringify(key)}`);
  }
  return value;
}

/** Every key of `exact` must be present (ParanoidUnmarshalJSONObjectExactFields). */
export function requireKeys(object: JsonObject, at: string, exact: readonly string[]): void {
  for (const key of exact) {
    if (!Object.hasOwn(object, key)) throw policyError(at, `Key ${JSON.stringify(key)} missing in a JSON object`);
  }
}

/** A string field; null reads as Go's zero value ''. */
export function readString(value: unknown, at: string): string {
  if (value === null) return '';
  if (typeof value !== 'string') throw policyError(at, `cannot unmarshal ${jsonTypeOf(value)} into a string`);
  return value;
}

/** A list of strings; null reads as Go's nil (undefined), null elements as ''. */
export function readStringList(value: unknown, at: string): string[] | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) throw policyError(at, `cannot unmarshal ${jsonTypeOf(value)} into a list of strings`);
  return value.map((item: unknown, index) => readString(item, pathOf(at, index)));
}

/** A Go []byte field: standard base64 with padding, strictly; null reads as nil (undefined). */
export function readBytes(value: unknown, at: string): Uint8Array | undefined {
  if (value === null) return undefined;
  if (typeof value !== 'string') throw policyError(at, `cannot unmarshal ${jsonTypeOf(value)} into base64 bytes`);
  const bytes = decodeStandardBase64(value);
  if (bytes === undefined) throw policyError(at, 'illegal base64 data (standard alphabet with padding expected)');
  return bytes;
}

/** A Go [][]byte field; null reads as nil (undefined). */
export function readBytesList(value: unknown, at: string): Uint8Array[] | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) throw policyError(at, `cannot unmarshal ${jsonTypeOf(value)} into a list of base64 strings`);
  return value.map((item: unknown, index) => readBytes(item, pathOf(at, index)) ?? new Uint8Array());
}
