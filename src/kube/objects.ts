/**
 * The few fields of a Kubernetes object this module reads (ObjectMeta,
 * meta/v1). Object types of the API module extend KubeObject; everything
 * else about an object is the caller's to parse.
 */
import { kubeError } from './errors.ts';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly finalizers?: readonly string[];
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Any object with metadata, as the API server returns it. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
}

/** A resource served by the API: `/apis/<group>/<version>/[namespaces/<ns>/]<plural>`. */
export interface ResourceType {
  /** '' for the core group (`/api/v1`). */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

/** The cache and queue key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(object: KubeObject): string {
  return toObjectKey(object.metadata.namespace, object.metadata.name);
}

/** `namespace/name`, or `name` without a namespace (client-go MetaNamespaceKeyFunc). */
export function toObjectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

/** The namespace and name of a key made by toObjectKey. */
export function parseObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Guard: `value` has `metadata.name` as a non-empty string. */
export function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const metadata = (value as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return false;
  const { name, namespace, resourceVersion } = metadata as { name?: unknown; namespace?: unknown; resourceVersion?: unknown };
  return typeof name === 'string' && name !== ''
    && (namespace === undefined || typeof namespace === 'string')
    && (resourceVersion === undefined || typeof resourceVersion === 'string');
}

/**
 * `value` as an object of type T, or KUBE_RESPONSE_INVALID naming `operation`.
 * Only metadata is checked here; T's own fields are parsed by its owner (api/).
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the type the API serves
export function toKubeObject<T extends KubeObject>(value: unknown, operation: string): T {
  if (!isKubeObject(value)) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: response is not an object with metadata.name`);
  return value as T;
}

/** The API path of a resource collection, one object, or one of its subresources. */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  let path = prefix;
  if (namespace !== undefined) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${type.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}

/**
 * Whether `signal` has fired. A function, because TypeScript narrows
 * `signal.aborted` after one check and cannot know an await may change it.
 */
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Deep-freezes `value` in place: cached objects are shared, so a caller's mutation must fail loudly. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
