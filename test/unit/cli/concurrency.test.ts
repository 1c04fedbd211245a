import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLimiter, mapLimited } from '../../../src/cli/concurrency.ts';

describe('cli concurrency helpers', () => {
  it('mapLimited keeps input order and never exceeds the limit', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimited([5, 1, 4, 2, 3, 0, 6, 1], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(n);
      running--;
      return n * 10;
    });
    assert.deepEqual(results, [50, 10, 40, 20, 30, 0, 60, 10]);
    assert.equal(peak, 3);
  });

  it('mapLimited starts nothing new after a failure and throws it once the running calls settle', async () => {
    const started: number[] = [];
    let settled = 0;
    await assert.rejects(mapLimited([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await sleep(n === 0 ? 1 : 5);
      settled++;
      if (n === 0) throw new Error('boom');
      return n;
    }), /boom/);
    assert.deepEqual(started, [0, 1]);
    assert.equal(settled, 2);
  });

  it('mapLimited of nothing is nothing', async () => {
    assert.deepEqual(await mapLimited([], 4, () => Promise.resolve(1)), []);
  });

  it('createLimiter bounds nested use without deadlock when permits are not held across awaits of children', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let peak = 0;
    const task = async (n: number): Promise<number> => {
      const own = await limit(async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(2);
        running--;
        return n;
      });
      const children = n < 3 ? await Promise.all([task(n + 1), task(n + 1)]) : [];
      return own + children.reduce((a, b) => a + b, 0);
    };
    assert.equal(await task(0), 0 + 2 * 1 + 4 * 2 + 8 * 3);
    assert.equal(peak, 2);
  });
});
