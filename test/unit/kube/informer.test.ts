// The informer's recovery paths with in-process list/watch functions: the
// seams createInformer takes. The real API server is exercised in
// test/integration/kube/informer.test.ts.
import assert from 'node:assert/strict';
import { isBobError, createSystemClock, type Clock } from '../../../src/shared/index.ts';
import {
  createInformer, kubeError, type InformerEvent, type KubeObject, type ListResult, type WatchEvent, type WatchOptions,
} from '../../../src/kube/index.ts';

const obj = (name: string, resourceVersion: string): KubeObject => ({ metadata: { namespace: 'ns', name, resourceVersion } });

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** A clock whose now() the test moves; sleeps are real but short. */
function steppingClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  const real = createSystemClock();
  return { now: () => now, sleep: (ms, signal) => real.sleep(Math.min(ms, 5), signal), advance: (ms) => { now += ms; } };
}

function never(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new Error('aborted'));
    signal.addEventListener('abort', () => { reject(new Error('aborted')); }, { once: true });
  });
}

describe('kube/informer (in-process list and watch)', () => {
  it('lists, emits added, then applies watch events and bookmarks', async () => {
    const events: InformerEvent<KubeObject>[] = [];
    const watchCalls: WatchOptions[] = [];
    const clock = steppingClock();
    const informer = createInformer<KubeObject>({
      clock,
      resyncPeriodMs: 0,
      list: () => Promise.resolve({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '10' }),
      watch: (options, signal) => ({
        async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<KubeObject>> {
          watchCalls.push(options);
          if (watchCalls.length === 1) {
            yield { type: 'MODIFIED', object: obj('a', '11') };
            yield { type: 'ADDED', object: obj('c', '12') };
            yield { type: 'DELETED', object: obj('b', '13') };
            yield { type: 'BOOKMARK', resourceVersion: '20' };
            // The server ends a healthy watch after its timeout.
            clock.advance(300_000);
            return;
          }
          await never(signal);
        },
      }),
      onEvent: (event) => events.push(event),
    });
    assert.equal(informer.hasSynced, false);
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(10_000));
    await waitFor(() => watchCalls.length === 2);
    await informer.stop();
    assert.deepEqual(events.map((e) => `${e.type} ${e.key} ${e.object.metadata.resourceVersion ?? ''}`), [
      'added ns/a 1', 'added ns/b 2', 'updated ns/a 11', 'added ns/c 12', 'deleted ns/b 13',
    ]);
    assert.equal(watchCalls[0]?.resourceVersion, '10');
    assert.equal(watchCalls[0].allowWatchBookmarks, true);
    const timeout = watchCalls[0].timeoutSeconds ?? 0;
    assert.ok(timeout >= 300 && timeout <= 600, String(timeout));
    // Resumed from the bookmark, without a re-list.
    assert.equal(watchCalls[1]?.resourceVersion, '20');
    assert.deepEqual(informer.keys().sort(), ['ns/a', 'ns/c']);
    assert.equal(informer.get('ns/a')?.metadata.resourceVersion, '11');
    assert.ok(Object.isFrozen(informer.get('ns/a')?.metadata), 'cached objects are frozen');
  });

  it('re-lists after 410 Gone and emits what changed meanwhile', async () => {
    const events: InformerEvent<KubeObject>[] = [];
    const errors: unknown[] = [];
    const lists: ListResult<KubeObject>[] = [
      { items: [obj('keep', '1'), obj('change', '2'), obj('remove', '3')], resourceVersion: '10' },
      { items: [obj('keep', '1'), obj('change', '22'), obj('new', '23')], resourceVersion: '30' },
    ];
    let listed = 0;
    const watched: string[] = [];
    const informer = createInformer<KubeObject>({
      backoff: { baseMs: 1, maxMs: 2 },
      list: () => Promise.resolve(lists[Math.min(listed++, lists.length - 1)] ?? { items: [], resourceVersion: '0' }),
      watch: (options, signal) => ({
        async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<KubeObject>> {
          watched.push(options.resourceVersion);
          if (watched.length === 1) throw kubeError('KUBE_GONE', 'watch: too old resource version: 10 (25)');
          await never(signal);
          yield* [];
        },
      }),
      onEvent: (event) => events.push(event),
      onError: (error) => errors.push(error),
    });
    informer.start();
    await waitFor(() => watched.length === 2);
    await informer.stop();
    assert.deepEqual(events.map((e) => `${e.type} ${e.key}`), [
      'added ns/keep', 'added ns/change', 'added ns/remove',
      'updated ns/change', 'added ns/new', 'deleted ns/remove',
    ]);
    assert.deepEqual(watched, ['10', '30']);
    assert.deepEqual(errors, [], '410 is routine, not reported');
  });

  it('restarts a watch that goes silent, and re-lists', async () => {
    const errors: unknown[] = [];
    let listed = 0;
    const clock = steppingClock();
    const informer = createInformer<KubeObject>({
      clock,
      idleTimeoutMs: 60_000,
      backoff: { baseMs: 1, maxMs: 2 },
      list: () => {
        listed++;
        return Promise.resolve({ items: [], resourceVersion: '1' });
      },
      watch: (_options, signal) => ({
        async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<KubeObject>> {
          // A dead connection: nothing arrives, nothing closes. Time passes.
          clock.advance(61_000);
          await never(signal);
          yield* [];
        },
      }),
      onEvent: () => undefined,
      onError: (error) => errors.push(error),
    });
    informer.start();
    await waitFor(() => listed >= 2);
    await informer.stop();
    assert.ok(isBobError(errors[0], 'KUBE_WATCH_STALLED'), String(errors[0]));
  });

  it('re-emits every key on resync and survives a throwing handler', async () => {
    const events: string[] = [];
    let thrown = 0;
    const errors: unknown[] = [];
    const informer = createInformer<KubeObject>({
      resyncPeriodMs: 1,
      list: () => Promise.resolve({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '5' }),
      watch: (_options, signal) => ({
        async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<KubeObject>> {
          await never(signal);
          yield* [];
        },
      }),
      onEvent: (event) => {
        events.push(`${event.type} ${event.key}`);
        if (event.type === 'added' && thrown++ === 0) throw new Error('handler bug');
      },
      onError: (error) => errors.push(error),
    });
    informer.start();
    await waitFor(() => events.filter((e) => e.startsWith('resync')).length >= 2);
    await informer.stop();
    assert.deepEqual(events.slice(0, 4), ['added ns/a', 'added ns/b', 'resync ns/a', 'resync ns/b']);
    assert.equal((errors[0] as Error).message, 'handler bug');
  });

  it('backs off and retries when the list fails, reporting the error', async () => {
    const errors: unknown[] = [];
    let listed = 0;
    const informer = createInformer<KubeObject>({
      backoff: { baseMs: 1, maxMs: 2 },
      list: () => {
        listed++;
        if (listed < 3) return Promise.reject(kubeError('KUBE_FORBIDDEN', 'list ocirepositories: forbidden'));
        return Promise.resolve({ items: [obj('a', '1')], resourceVersion: '5' });
      },
      watch: (_options, signal) => ({
        async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<KubeObject>> {
          await never(signal);
          yield* [];
        },
      }),
      onEvent: () => undefined,
      onError: (error) => errors.push(error),
    });
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(10_000));
    await informer.stop();
    assert.equal(listed, 3);
    assert.equal(errors.length, 2);
    assert.ok(isBobError(errors[0], 'KUBE_FORBIDDEN'));
    assert.deepEqual(informer.keys(), ['ns/a']);
  });

  it('rejects waitForSync when its signal aborts first', async () => {
    const informer = createInformer<KubeObject>({
      list: (signal) => never(signal),
      watch: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }) }),
      onEvent: () => undefined,
    });
    informer.start();
    const controller = new AbortController();
    const waiting = informer.waitForSync(controller.signal);
    controller.abort();
    await assert.rejects(waiting, (e) => isBobError(e, 'KUBE_ABORTED'));
    await informer.stop();
  });
});
