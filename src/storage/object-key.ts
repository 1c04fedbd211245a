/**
 * Which object an artifact belongs to, and the directory it lives in:
 * `ocirepository/<namespace>/<name>/` under the storage root, the layout of
 * Flux's source-controller (research/flux.md §2.1). Namespace and name come
 * from the Kubernetes object, but they become path segments, so they are
 * re-checked here against the apiserver's own grammar: a DNS-1123 label for
 * the namespace, a DNS-1123 subdomain for the name (Kubernetes API
 * conventions, "Names"). Every label starts and ends with [a-z0-9], so `.`,
 * `..`, slashes, backslashes, NUL and uppercase are impossible by
 * construction (reliability.md §6 row 40).
 */
import { storageError } from './errors.ts';

/** The object an artifact belongs to. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

/** First path segment under the root: the lowercased kind, as Flux's ArtifactDir. */
export const ARTIFACT_KIND_DIR = 'ocirepository';

const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;

/** Guard: `value` is a DNS-1123 label (RFC 1123 §2.1 as Kubernetes applies it). */
export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

/** Guard: `value` is a DNS-1123 subdomain: dot-separated labels, at most 253 characters. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length > 0 && value.length <= DNS1123_SUBDOMAIN_MAX && value.split('.').every(isDns1123Label);
}

/** Throws STORAGE_PATH_INVALID unless the namespace is a DNS-1123 label and the name a DNS-1123 subdomain. */
export function assertObjectKey(key: ObjectKey): void {
  // Values may come from untyped callers: check the type before the grammar.
  const { namespace, name } = key as { namespace: unknown; name: unknown };
  if (typeof namespace !== 'string' || !isDns1123Label(namespace)) {
    throw storageError('STORAGE_PATH_INVALID', 'namespace is not a DNS-1123 label', { details: { field: 'namespace' } });
  }
  if (typeof name !== 'string' || !isDns1123Subdomain(name)) {
    throw storageError('STORAGE_PATH_INVALID', 'name is not a DNS-1123 subdomain', { details: { field: 'name' } });
  }
}

/** `ocirepository/<namespace>/<name>`: the object's directory relative to the root (posix). */
export function toObjectDirPath(key: ObjectKey): string {
  assertObjectKey(key);
  return `${ARTIFACT_KIND_DIR}/${key.namespace}/${key.name}`;
}

/** `<namespace>/<name>`: the lock key and the name used in messages. */
export function toObjectId(key: ObjectKey): string {
  return `${key.namespace}/${key.name}`;
}
