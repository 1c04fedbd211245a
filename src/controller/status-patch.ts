/**
 * The one status write of a reconcile (house rules 3 and 6): nothing is
 * sent when the new status equals what was read; otherwise an RFC 7386
 * merge patch from the status read to the new one, locked on the
 * resourceVersion it was computed from. On 409 the object is re-read and
 * the patch recomputed against the fresh status, a bounded number of times
 * (reliability.md §4.1: never PUT a cached object).
 */
import { isConflict } from '../kube/index.ts';
import type { RawObject, RepositoryObjects } from './ports.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as JSON data: undefined members dropped, as JSON.stringify would. */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

/** Deep equality of JSON data; object key order does not matter, array order does. */
export function isSameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => isSameJson(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    const otherKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    return keys.length === otherKeys.length && keys.every((key) => Object.hasOwn(b, key) && isSameJson(a[key], b[key]));
  }
  return false;
}

/**
 * The merge patch that turns `before` into `after` (RFC 7386 §2 read
 * backwards): members gone become null, objects recurse, anything else
 * (arrays included) is replaced. Undefined when nothing differs.
 */
export function toMergePatch(before: unknown, after: unknown): Json | undefined {
  if (!isPlainObject(before) || !isPlainObject(after)) return isSameJson(before, after) ? undefined : toJson(after);
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && (after[key] === undefined || after[key] === null)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined || value === null) continue;
    const child = toMergePatch(before[key], value);
    if (child !== undefined) patch[key] = child;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** The status member of a raw object, or an empty object. */
export function statusOf(object: RawObject): unknown {
  return object['status'] ?? {};
}

export interface StatusWriteOptions {
  /** Only these status members are compared and written (all of `status` when absent). */
  readonly members?: readonly string[];
  readonly attempts?: number;
}

function pick(value: unknown, members: readonly string[] | undefined): unknown {
  if (members === undefined || !isPlainObject(value)) return value;
  return Object.fromEntries(members.filter((key) => value[key] !== undefined).map((key) => [key, value[key]]));
}

/**
 * Writes `status` unless it equals the status of `object`. Returns the
 * object written, or undefined when nothing was sent (or the object is gone).
 * Errors other than a conflict, and a conflict past `attempts`, propagate.
 */
export async function writeStatus(
  objects: RepositoryObjects, object: RawObject, status: unknown, signal: AbortSignal, options: StatusWriteOptions = {},
): Promise<RawObject | undefined> {
  const attempts = options.attempts ?? 3;
  const { namespace, name } = object.metadata;
  if (namespace === undefined) return undefined;
  const wanted = toJson(status);
  let current = object;
  for (let attempt = 1; ; attempt++) {
    const patch = toMergePatch(pick(toJson(statusOf(current)), options.members), wanted);
    const resourceVersion = current.metadata.resourceVersion;
    if (patch === undefined || resourceVersion === undefined) return undefined;
    try {
      return await objects.patchStatus(namespace, name, patch, resourceVersion, signal);
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
      const fresh = await objects.get(namespace, name, signal);
      if (fresh === undefined) return undefined;
      current = fresh;
    }
  }
}
