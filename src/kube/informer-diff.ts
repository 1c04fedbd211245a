/**
 * What a re-list changed, relative to the cache (reliability.md §4.2: after
 * 410 Gone the client lists again and must not lose the deletions it missed
 * while it was not watching).
 */
import { objectKey, type KubeObject } from './objects.ts';

export type InformerEventType = 'added' | 'updated' | 'deleted' | 'resync';

/** One change to a cached object. `object` is the new state, or the last known one for `deleted`. */
export interface InformerEvent<T extends KubeObject> {
  readonly type: InformerEventType;
  /** `namespace/name`. */
  readonly key: string;
  readonly object: T;
  /** The cached state before an `updated`. */
  readonly previous?: T;
}

/**
 * The cache after a list and the events that turn the old cache into it:
 * `added` for new keys, `updated` for a changed resourceVersion, `deleted`
 * for keys the list no longer has. Unchanged objects produce no event.
 */
export function diffRelist<T extends KubeObject>(
  cache: ReadonlyMap<string, T>, items: readonly T[],
): { next: Map<string, T>; events: InformerEvent<T>[] } {
  const next = new Map<string, T>();
  const events: InformerEvent<T>[] = [];
  for (const object of items) {
    const key = objectKey(object);
    next.set(key, object);
    const previous = cache.get(key);
    if (previous === undefined) events.push({ type: 'added', key, object });
    else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion) events.push({ type: 'updated', key, object, previous });
  }
  for (const [key, object] of cache) {
    if (!next.has(key)) events.push({ type: 'deleted', key, object });
  }
  return { next, events };
}
