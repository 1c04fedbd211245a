/**
 * Typed access to one resource type (a CRD, or any object with metadata):
 * read, list, watch, patch, status with optimistic locking, finalizers.
 * Nothing here PUTs a cached object over the server's (reliability.md §4.1):
 * status writes carry the resourceVersion they were computed from, and a 409
 * comes back as KUBE_CONFLICT so the caller re-reads and re-applies.
 */
import { BobError } from '../shared/index.ts';
import { kubeError } from './errors.ts';
import { toFinalizerAddPatch, toFinalizerRemovePatch, type JsonPatchOperation } from './finalizer-patch.ts';
import { resourcePath, toKubeObject, toObjectKey, type KubeObject, type ResourceType } from './objects.ts';
import { APPLY_PATCH, JSON_PATCH, MERGE_PATCH, type KubeTransport } from './transport.ts';
import { readWatchEvents, type ListResult, type WatchEvent, type WatchOptions } from './watch-events.ts';

export interface SignalOption {
  readonly signal: AbortSignal;
}

export interface ListOptions extends SignalOption {
  /** Omit for all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  /** Page size; pages are followed with `continue` until the list is complete. */
  readonly limit?: number;
}

export interface ApplyOptions extends SignalOption {
  /** The server-side apply field manager: our fields, nobody else's. */
  readonly fieldManager: string;
  /** Take over fields another manager owns. */
  readonly force?: boolean;
}

export interface StatusPatchOptions extends SignalOption {
  /** The resourceVersion the new status was computed from: a newer object on the server means 409. */
  readonly resourceVersion: string;
  readonly fieldManager?: string;
}

/** The fields of a server-side apply configuration bob must name. */
export interface ApplyConfiguration {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** Operations on one resource type whose objects are T. */
export interface CustomObjectClient<T extends KubeObject> {
  readonly type: ResourceType;
  get(namespace: string | undefined, name: string, options: SignalOption): Promise<T>;
  /** Every page of the list; the resourceVersion is the snapshot's, to watch from. */
  list(options: ListOptions): Promise<ListResult<T>>;
  /** A watch of the namespace (or all); see watch-events.ts. */
  watch(options: WatchOptions & { readonly namespace?: string; readonly labelSelector?: string }, signal: AbortSignal): AsyncIterable<WatchEvent<T>>;
  /** RFC 7386 merge patch of the object (spec, metadata). */
  mergePatch(namespace: string | undefined, name: string, patch: unknown, options: SignalOption & { readonly fieldManager?: string }): Promise<T>;
  /** Server-side apply of the object. */
  apply(configuration: ApplyConfiguration, options: ApplyOptions): Promise<T>;
  /** Merge patch of the status subresource, locked on `resourceVersion`; 409 → KUBE_CONFLICT. */
  patchStatus(namespace: string | undefined, name: string, status: unknown, options: StatusPatchOptions): Promise<T>;
  /** Server-side apply of the status subresource (no lock: apply merges by field ownership). */
  applyStatus(configuration: ApplyConfiguration, options: ApplyOptions): Promise<T>;
  /** PUT of the status subresource; the object's own resourceVersion is the lock. */
  replaceStatus(object: T, options: SignalOption): Promise<T>;
  /** Adds `finalizer` unless present; a concurrent finalizer change → KUBE_CONFLICT. Returns the current object. */
  addFinalizer(object: T, finalizer: string, options: SignalOption): Promise<T>;
  /** Removes `finalizer` if present; a concurrent finalizer change → KUBE_CONFLICT. Returns the current object. */
  removeFinalizer(object: T, finalizer: string, options: SignalOption): Promise<T>;
}

const DEFAULT_PAGE_SIZE = 500;

/** A client for `type` over `transport`. */
export function createCustomObjectClient<T extends KubeObject>(transport: KubeTransport, type: ResourceType): CustomObjectClient<T> {
  const describe = (verb: string, namespace: string | undefined, name?: string): string =>
    name === undefined ? `${verb} ${type.plural}${namespace === undefined ? '' : ` in ${namespace}`}` : `${verb} ${type.plural} ${toObjectKey(namespace, name)}`;

  const patch = async (
    namespace: string | undefined, name: string, subresource: string | undefined, body: unknown, contentType: string,
    operation: string, signal: AbortSignal, query: Record<string, string | boolean | undefined> = {},
  ): Promise<T> => {
    const result = await transport.request({
      method: 'PATCH', path: resourcePath(type, namespace, name, subresource), body, contentType, operation, signal, query,
    });
    return toKubeObject<T>(result, operation);
  };

  const jsonPatch = async (object: T, ops: JsonPatchOperation[], operation: string, signal: AbortSignal): Promise<T> => {
    try {
      return await patch(object.metadata.namespace, object.metadata.name, undefined, ops, JSON_PATCH, operation, signal);
    } catch (error) {
      // A failed RFC 6902 `test` is a 422 with a generic message: the object changed under us.
      if (error instanceof BobError && error.details['status'] === 422) {
        throw kubeError('KUBE_CONFLICT', `${operation}: the object changed since it was read`, { cause: error, details: error.details });
      }
      throw error;
    }
  };

  return {
    type,
    async get(namespace, name, { signal }) {
      const operation = describe('get', namespace, name);
      return toKubeObject<T>(await transport.request({ method: 'GET', path: resourcePath(type, namespace, name), operation, signal }), operation);
    },

    async list({ namespace, labelSelector, limit = DEFAULT_PAGE_SIZE, signal }) {
      const operation = describe('list', namespace);
      const items: T[] = [];
      let resourceVersion: string | undefined;
      let token: string | undefined;
      do {
        const page = await transport.request({
          method: 'GET', path: resourcePath(type, namespace), operation, signal,
          query: { limit, continue: token, labelSelector },
        });
        const parsed = toListPage(page, operation);
        for (const item of parsed.items) items.push(toKubeObject<T>(item, operation));
        // Every page of a paginated list shares the first page's snapshot.
        resourceVersion ??= parsed.resourceVersion;
        token = parsed.continueToken;
      } while (token !== undefined);
      return { items, resourceVersion };
    },

    watch({ namespace, labelSelector, resourceVersion, allowWatchBookmarks, timeoutSeconds }, signal) {
      const operation = describe('watch', namespace);
      return {
        async *[Symbol.asyncIterator]() {
          const stream = await transport.stream({
            method: 'GET', path: resourcePath(type, namespace), operation, signal,
            query: { watch: true, resourceVersion, allowWatchBookmarks, timeoutSeconds, labelSelector },
          });
          yield* readWatchEvents<T>(stream, operation);
        },
      };
    },

    async mergePatch(namespace, name, body, { signal, fieldManager }) {
      return patch(namespace, name, undefined, body, MERGE_PATCH, describe('patch', namespace, name), signal, { fieldManager });
    },

    async apply(configuration, { fieldManager, force, signal }) {
      const { name, namespace } = configuration.metadata;
      return patch(namespace, name, undefined, configuration, APPLY_PATCH, describe('apply', namespace, name), signal, { fieldManager, force });
    },

    async patchStatus(namespace, name, status, { resourceVersion, fieldManager, signal }) {
      // metadata.resourceVersion in a merge patch is a precondition (api-concepts "Patch operations").
      const body = { metadata: { resourceVersion }, status };
      return patch(namespace, name, 'status', body, MERGE_PATCH, describe('patch status of', namespace, name), signal, { fieldManager });
    },

    async applyStatus(configuration, { fieldManager, force, signal }) {
      const { name, namespace } = configuration.metadata;
      return patch(namespace, name, 'status', configuration, APPLY_PATCH, describe('apply status of', namespace, name), signal, { fieldManager, force });
    },

    async replaceStatus(object, { signal }) {
      const { namespace, name } = object.metadata;
      const operation = describe('update status of', namespace, name);
      if (object.metadata.resourceVersion === undefined) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: object has no resourceVersion`);
      const result = await transport.request({ method: 'PUT', path: resourcePath(type, namespace, name, 'status'), body: object, operation, signal });
      return toKubeObject<T>(result, operation);
    },

    async addFinalizer(object, finalizer, { signal }) {
      const ops = toFinalizerAddPatch(object, finalizer);
      if (ops === undefined) return object;
      return jsonPatch(object, ops, describe('add finalizer to', object.metadata.namespace, object.metadata.name), signal);
    },

    async removeFinalizer(object, finalizer, { signal }) {
      const ops = toFinalizerRemovePatch(object, finalizer);
      if (ops === undefined) return object;
      return jsonPatch(object, ops, describe('remove finalizer from', object.metadata.namespace, object.metadata.name), signal);
    },
  };
}

/** The parts of a List (meta/v1 ListMeta) a paginated read needs. */
export function toListPage(value: unknown, operation: string): { items: unknown[]; resourceVersion: string; continueToken?: string } {
  if (typeof value !== 'object' || value === null) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: list response is not an object`);
  const { items, metadata } = value as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
  if (!Array.isArray(items)) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: list response has no items`);
  const resourceVersion = metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string' || resourceVersion === '') {
    throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: list response has no resourceVersion`);
  }
  const continueToken = metadata?.continue;
  return typeof continueToken === 'string' && continueToken !== ''
    ? { items, resourceVersion, continueToken }
    : { items, resourceVersion };
}
