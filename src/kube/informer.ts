/**
 * A restartable list+watch of one resource (a reflector): list, emit, watch
 * from the list's resourceVersion with bookmarks, and recover from anything
 * (reliability.md §4.2 and the client-node issues listed there):
 * - a watch the server ends normally (its timeoutSeconds) resumes from the
 *   last seen resourceVersion;
 * - 410 Gone, any other error, or a watch that closes at once → re-list with
 *   jittered backoff and emit the differences against the cache
 *   (informer-diff.ts), so nothing missed while disconnected is lost;
 * - a connection silent for longer than the server could keep it open (no
 *   event, no bookmark) is presumed dead and restarted;
 * - every `resyncPeriodMs` every cached key is emitted again as `resync`.
 * Cached objects are deep-frozen: they are shared with every reader.
 */
import { backoffDelay, createSystemClock, type BobError, type Clock } from '../shared/index.ts';
import { isGone, kubeError } from './errors.ts';
import { diffRelist, type InformerEvent } from './informer-diff.ts';
import { deepFreeze, isAborted, objectKey, type KubeObject } from './objects.ts';
import type { ListFunction, WatchFunction } from './watch-events.ts';

export interface InformerOptions<T extends KubeObject> {
  readonly list: ListFunction<T>;
  readonly watch: WatchFunction<T>;
  /** Called synchronously for each change; should only enqueue. A throw is reported to onError and ignored. */
  readonly onEvent: (event: InformerEvent<T>) => void;
  /** Failures the informer recovers from (for logs and metrics). */
  readonly onError?: (error: unknown) => void;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Re-emit every key this often; 0 turns resync off. Default 10 minutes. */
  readonly resyncPeriodMs?: number;
  /** The server ends each watch after a random time in [min, 2*min] seconds (client-go: 5 min). */
  readonly minWatchTimeoutSeconds?: number;
  /** A watch silent this long is restarted. Default: the watch's own timeout plus one minute. */
  readonly idleTimeoutMs?: number;
  /** Re-list backoff (shared/backoff.ts). Default 1 s doubling to 30 s. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
}

/** A running (or stopped) informer and its cache. */
export interface Informer<T extends KubeObject> {
  /** Starts listing and watching; `signal` stops it like stop() does. */
  start(signal?: AbortSignal): void;
  /** Stops and waits until no request is in flight. */
  stop(): Promise<void>;
  /** The cached object (frozen), or undefined. */
  get(key: string): T | undefined;
  keys(): string[];
  /** True once the first list has been applied. */
  readonly hasSynced: boolean;
  /** Resolves when hasSynced becomes true; rejects when `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<void>;
}

const DEFAULT_RESYNC_MS = 10 * 60_000;
const DEFAULT_MIN_WATCH_TIMEOUT_S = 300;
/** A watch that ends normally sooner than this is treated as a failure, so it cannot spin (client-node #1933). */
const MIN_HEALTHY_WATCH_MS = 1000;

/** An informer over `list` and `watch`; nothing happens before start(). */
export function createInformer<T extends KubeObject>(options: InformerOptions<T>): Informer<T> {
  const clock = options.clock ?? createSystemClock();
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? { baseMs: 1000, maxMs: 30_000 };
  const resyncPeriodMs = options.resyncPeriodMs ?? DEFAULT_RESYNC_MS;
  const minWatchTimeout = options.minWatchTimeoutSeconds ?? DEFAULT_MIN_WATCH_TIMEOUT_S;
  let cache = new Map<string, T>();
  let synced = false;
  const syncWaiters = new Set<() => void>();
  const controller = new AbortController();
  let running: Promise<unknown> | undefined;

  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // A failing logger must not stop the informer.
    }
  };
  const emit = (event: InformerEvent<T>): void => {
    try {
      options.onEvent(event);
    } catch (error) {
      report(error);
    }
  };

  const relist = async (signal: AbortSignal): Promise<string> => {
    const listed = await options.list(signal);
    const { next, events } = diffRelist(cache, listed.items.map((item) => deepFreeze(item)));
    cache = next;
    for (const event of events) emit(event);
    if (!synced) {
      synced = true;
      for (const wake of syncWaiters) wake();
      syncWaiters.clear();
    }
    return listed.resourceVersion;
  };

  // Set when a watch delivers anything: the connection works, so backoff starts over.
  let progressed = false;

  /** One watch from `resourceVersion`; returns the version to resume from when the server ends it normally. */
  const watchOnce = async (resourceVersion: string, signal: AbortSignal): Promise<string> => {
    const timeoutSeconds = Math.floor(minWatchTimeout * (1 + random()));
    const idleLimitMs = options.idleTimeoutMs ?? timeoutSeconds * 1000 + 60_000;
    const watchController = new AbortController();
    const onAbort = (): void => { watchController.abort(signal.reason); };
    // An already-aborted signal never fires 'abort' again: check first.
    if (isAborted(signal)) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let lastActivity = clock.now();
    let stalled: BobError | undefined;
    const started = clock.now();
    // The deadman: a dead TCP connection without FIN looks exactly like a quiet resource (client-node #596, #2432).
    const deadman = (async () => {
      while (!isAborted(watchController.signal)) {
        const silentFor = clock.now() - lastActivity;
        if (silentFor >= idleLimitMs) {
          stalled = kubeError('KUBE_WATCH_STALLED', `watch silent for ${Math.round(silentFor / 1000)} s: restarting`);
          watchController.abort(stalled);
          return;
        }
        await clock.sleep(idleLimitMs - silentFor, watchController.signal).catch(() => undefined);
      }
    })();
    let current = resourceVersion;
    try {
      const events = options.watch({ resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, watchController.signal);
      for await (const event of events) {
        lastActivity = clock.now();
        progressed = true;
        if (event.type === 'BOOKMARK') {
          current = event.resourceVersion;
          continue;
        }
        const object = deepFreeze(event.object);
        const key = objectKey(object);
        const previous = cache.get(key);
        if (event.type === 'DELETED') {
          cache.delete(key);
          emit({ type: 'deleted', key, object });
        } else {
          cache.set(key, object);
          if (previous === undefined) emit({ type: 'added', key, object });
          else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion) emit({ type: 'updated', key, object, previous });
        }
        current = object.metadata.resourceVersion ?? current;
      }
    } catch (error) {
      throw stalled ?? error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      watchController.abort();
      await deadman;
    }
    if (stalled !== undefined) throw stalled;
    if (clock.now() - started < MIN_HEALTHY_WATCH_MS) throw kubeError('KUBE_API_ERROR', 'watch closed as soon as it opened');
    return current;
  };

  const listAndWatch = async (signal: AbortSignal): Promise<void> => {
    let attempt = 0;
    while (!isAborted(signal)) {
      try {
        let resourceVersion = await relist(signal);
        for (;;) {
          resourceVersion = await watchOnce(resourceVersion, signal);
          attempt = 0;
        }
      } catch (error) {
        if (isAborted(signal)) return;
        if (progressed) attempt = 0;
        progressed = false;
        // 410 is routine (history compacted): worth no more than a debug line, but still a re-list.
        if (!isGone(error)) report(error);
        await clock.sleep(backoffDelay(attempt++, { ...backoff, random }), signal).catch(() => undefined);
      }
    }
  };

  const resync = async (signal: AbortSignal): Promise<void> => {
    if (resyncPeriodMs <= 0) return;
    while (!isAborted(signal)) {
      await clock.sleep(resyncPeriodMs, signal).catch(() => undefined);
      if (isAborted(signal) || !synced) continue;
      for (const [key, object] of cache) emit({ type: 'resync', key, object });
    }
  };

  return {
    start(signal) {
      if (running !== undefined) return;
      if (signal !== undefined) {
        if (isAborted(signal)) controller.abort(signal.reason);
        else signal.addEventListener('abort', () => { controller.abort(signal.reason); }, { once: true });
      }
      running = Promise.all([listAndWatch(controller.signal), resync(controller.signal)]);
    },
    async stop() {
      controller.abort(kubeError('KUBE_ABORTED', 'informer stopped'));
      await running;
    },
    get: (key) => cache.get(key),
    keys: () => [...cache.keys()],
    get hasSynced() {
      return synced;
    },
    waitForSync(signal) {
      if (synced) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          syncWaiters.delete(wake);
          reject(kubeError('KUBE_ABORTED', 'waiting for the informer to sync: aborted', { cause: signal.reason }));
        };
        const wake = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        if (isAborted(signal)) {
          onAbort();
          return;
        }
        syncWaiters.add(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
