import assert from 'node:assert/strict';
import { KeyedMutex } from '../../../src/storage/index.ts';
import { isBobError } from '../../../src/shared/index.ts';
import { deferred } from './helpers.ts';

async function settle(): Promise<void> {
  for (let index = 0; index < 5; index++) await new Promise((resolve) => setImmediate(resolve));
}

describe('storage/keyed-mutex', () => {
  it('grants one key in FIFO order and different keys at once', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const first = await mutex.acquire('a');
    const second = mutex.acquire('a').then((release) => { order.push('a2'); return release; });
    const third = mutex.acquire('a').then((release) => { order.push('a3'); return release; });
    const other = await mutex.acquire('b');
    order.push('b1');
    await settle();
    assert.deepEqual(order, ['b1']);
    first();
    (await second)();
    (await third)();
    other();
    assert.deepEqual(order, ['b1', 'a2', 'a3']);
    assert.equal(mutex.size, 0, 'keys are forgotten once free');
  });

  it('gives up a waiting place on abort without blocking the waiters behind it', async () => {
    const mutex = new KeyedMutex();
    const held = await mutex.acquire('k');
    const controller = new AbortController();
    const abandoned = mutex.acquire('k', controller.signal);
    const later = mutex.acquire('k');
    controller.abort(new Error('deadline'));
    await assert.rejects(abandoned, (error) => isBobError(error, 'STORAGE_ABORTED'));
    held();
    const release = await later;
    release();
    release();
    await settle();
    assert.equal(mutex.size, 0);
  });

  it('refuses at once with an aborted signal and releases the lock when work throws', async () => {
    const mutex = new KeyedMutex();
    await assert.rejects(mutex.acquire('k', AbortSignal.abort()), (error) => isBobError(error, 'STORAGE_ABORTED'));
    await assert.rejects(mutex.run('k', undefined, () => Promise.reject(new Error('boom'))), /boom/);
    const gate = deferred();
    const running = mutex.run('k', undefined, async () => { await gate.promise; return 7; });
    gate.resolve();
    assert.equal(await running, 7);
    assert.equal(mutex.size, 0);
  });
});
