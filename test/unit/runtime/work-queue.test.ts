import assert from 'node:assert/strict';
import { isBobError } from '../../../src/shared/index.ts';
import { MAX_TIMER_MS, WorkQueue, jitteredInterval, retryDelay, DEFAULT_RETRY_BACKOFF } from '../../../src/runtime/index.ts';
import type { WorkQueueOptions, WorkResult, WorkSettled } from '../../../src/runtime/index.ts';
import { ManualClock, settle } from './manual-clock.ts';

interface Run {
  readonly key: string;
  readonly signal: AbortSignal;
  finish(result: WorkResult): void;
  fail(error: Error): void;
}

/** A queue whose handler runs are finished by the test, recording overlaps and concurrency. */
class Harness {
  readonly clock = new ManualClock();
  readonly started: string[] = [];
  readonly settled: WorkSettled<string>[] = [];
  readonly open: Run[] = [];
  readonly active = new Set<string>();
  readonly overlapping: string[] = [];
  maxActive = 0;
  readonly queue: WorkQueue<string>;

  constructor(options: Partial<WorkQueueOptions<string>> = {}) {
    this.queue = new WorkQueue<string>({
      clock: this.clock,
      random: () => 0,
      handler: (key, signal) => {
        if (this.active.has(key)) this.overlapping.push(key);
        this.active.add(key);
        this.maxActive = Math.max(this.maxActive, this.active.size);
        this.started.push(key);
        return new Promise<WorkResult>((resolve, reject) => {
          const end = (): void => {
            this.active.delete(key);
            this.open.splice(this.open.indexOf(run), 1);
          };
          const run: Run = {
            key,
            signal,
            finish: (result) => { end(); resolve(result); },
            fail: (error) => { end(); reject(error); },
          };
          this.open.push(run);
        });
      },
      onSettled: (settled) => { this.settled.push(settled); },
      ...options,
    });
  }

  running(): string[] {
    return this.open.map((run) => run.key).sort();
  }

  /** Ends the oldest open run of `key` and lets the queue react. */
  async finish(key: string, result: WorkResult = { kind: 'done' }): Promise<void> {
    const run = this.open.find((candidate) => candidate.key === key);
    assert.ok(run, `no open run of ${key}; open: ${this.running().join(',')}`);
    run.finish(result);
    await settle();
  }

  async start(...keys: string[]): Promise<void> {
    for (const key of keys) this.queue.add(key);
    this.queue.start();
    await settle();
  }
}

describe('runtime/work-queue', () => {
  describe('adding', () => {
    it('queues a waiting key once, however often it is added', async () => {
      const h = new Harness({ concurrency: 1 });
      for (const key of ['a', 'a', 'b', 'a', 'b']) h.queue.add(key);
      assert.deepEqual(h.queue.depth(), { waiting: 2, delayed: 0, running: 0 });
      await h.start();
      await h.finish('a');
      await h.finish('b');
      assert.deepEqual(h.started, ['a', 'b']);
      assert.deepEqual(h.queue.depth(), { waiting: 0, delayed: 0, running: 0 });
    });

    it('never runs a key twice at once; adds during a run cause exactly one more run', async () => {
      const h = new Harness({ concurrency: 4 });
      await h.start('a');
      h.queue.add('a');
      h.queue.add('a');
      await settle();
      assert.deepEqual(h.running(), ['a']);
      assert.deepEqual(h.queue.depth(), { waiting: 1, delayed: 0, running: 1 });
      await h.finish('a');
      assert.deepEqual(h.started, ['a', 'a']);
      await h.finish('a');
      assert.deepEqual(h.started, ['a', 'a']);
      assert.deepEqual(h.overlapping, []);
    });

    for (const addDuringRun of [false, true]) {
      it(`a zero requeue runs the key once more${addDuringRun ? ', also with an add during the run' : ''}`, async () => {
        const h = new Harness({ concurrency: 4 });
        await h.start('a');
        if (addDuringRun) h.queue.add('a');
        await h.finish('a', { kind: 'requeue', afterMs: 0 });
        assert.deepEqual(h.running(), ['a']);
        assert.deepEqual(h.queue.depth(), { waiting: 0, delayed: 0, running: 1 });
        await h.finish('a');
        assert.deepEqual(h.started, ['a', 'a']);
        assert.deepEqual(h.overlapping, []);
      });
    }

    for (const concurrency of [1, 2, 3]) {
      it(`runs at most ${concurrency} key(s) at once, in FIFO order`, async () => {
        const h = new Harness({ concurrency });
        await h.start('a', 'b', 'c', 'd', 'e');
        assert.equal(h.open.length, concurrency);
        while (h.open.length > 0) await h.finish(h.open[0]?.key ?? '');
        assert.equal(h.maxActive, concurrency);
        assert.deepEqual(h.started, ['a', 'b', 'c', 'd', 'e']);
      });
    }

    it('defaults to Flux --concurrent 2', async () => {
      const h = new Harness({});
      await h.start('a', 'b', 'c');
      assert.deepEqual(h.running(), ['a', 'b']);
    });

    it('rejects a bad concurrency', () => {
      for (const concurrency of [0, 1.5, NaN]) {
        assert.throws(() => new Harness({ concurrency }), (error) => isBobError(error, 'RUNTIME_OPTION_INVALID'));
      }
    });

    it('holds keys until start()', async () => {
      const h = new Harness();
      h.queue.add('a');
      await settle();
      assert.deepEqual(h.started, []);
      h.queue.start();
      await settle();
      assert.deepEqual(h.started, ['a']);
    });
  });

  describe('delays', () => {
    const cases: { name: string; delays: number[]; runsAt: number }[] = [
      { name: 'a later, shorter delay wins', delays: [10_000, 5_000], runsAt: 5_000 },
      { name: 'a later, longer delay loses', delays: [5_000, 10_000], runsAt: 5_000 },
      { name: 'zero runs now', delays: [10_000, 0], runsAt: 0 },
      { name: 'negative runs now', delays: [-5], runsAt: 0 },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const h = new Harness();
        h.queue.start();
        for (const delay of c.delays) h.queue.addAfter('a', delay);
        if (c.runsAt > 0) {
          assert.deepEqual(h.queue.depth(), { waiting: 0, delayed: 1, running: 0 });
          await h.clock.advance(c.runsAt - 1);
          assert.deepEqual(h.started, []);
          await h.clock.advance(1);
        } else {
          await settle();
        }
        assert.deepEqual(h.started, ['a']);
      });
    }

    it('rejects NaN and infinite delays', () => {
      const h = new Harness();
      for (const delay of [NaN, Infinity]) {
        assert.throws(() => { h.queue.addAfter('a', delay); }, (error) => isBobError(error, 'RUNTIME_DELAY_INVALID'));
      }
    });

    it('chains timers for delays beyond setTimeout\'s 2^31-1 ms (8760 h interval)', async () => {
      const h = new Harness();
      h.queue.start();
      const year = 8760 * 3600 * 1000;
      h.queue.addAfter('a', year);
      await h.clock.advance(MAX_TIMER_MS + 10);
      assert.deepEqual(h.started, [], 'fired after the first timer');
      await h.clock.advance(year - MAX_TIMER_MS - 11);
      assert.deepEqual(h.started, [], 'fired 1 ms early');
      await h.clock.advance(1);
      assert.deepEqual(h.started, ['a']);
      assert.ok(h.clock.requested.length >= 15, `only ${h.clock.requested.length} timers for a year`);
      assert.ok(h.clock.requested.every((ms) => ms <= MAX_TIMER_MS), 'a timer exceeded the Node limit');
    });

    it('a run cancels the key\'s pending delayed requeue (its result schedules the next)', async () => {
      const h = new Harness();
      h.queue.start();
      h.queue.addAfter('a', 10_000);
      h.queue.add('a');
      await settle();
      assert.deepEqual(h.queue.depth(), { waiting: 0, delayed: 0, running: 1 });
      await h.finish('a', { kind: 'done' });
      await h.clock.advance(20_000);
      assert.deepEqual(h.started, ['a']);
      assert.equal(h.clock.pendingTimers, 0);
    });
  });

  describe('results', () => {
    it('requeue: forgets failures and runs again after afterMs', async () => {
      const h = new Harness();
      await h.start('a');
      await h.finish('a', { kind: 'retry' });
      assert.equal(h.queue.failures('a'), 1);
      await h.clock.advance(750);
      await h.finish('a', { kind: 'requeue', afterMs: 60_000 });
      assert.equal(h.queue.failures('a'), 0);
      await h.clock.advance(59_999);
      assert.equal(h.started.length, 2);
      await h.clock.advance(1);
      assert.equal(h.started.length, 3);
    });

    it('done: forgets failures and schedules nothing', async () => {
      const h = new Harness();
      await h.start('a');
      await h.finish('a', { kind: 'retry' });
      await h.clock.advance(750);
      await h.finish('a', { kind: 'done' });
      assert.equal(h.queue.failures('a'), 0);
      assert.deepEqual(h.queue.depth(), { waiting: 0, delayed: 0, running: 0 });
      await h.clock.advance(24 * 3600 * 1000);
      assert.equal(h.started.length, 2);
    });

    it('retry: backs off 750 ms, 1.5 s, 3 s... (random 0) and reports each run', async () => {
      const h = new Harness();
      await h.start('a');
      for (const [attempt, delay] of [750, 1500, 3000, 6000].entries()) {
        await h.finish('a', { kind: 'retry', error: new Error(`try ${attempt}`) });
        await h.clock.advance(delay - 1);
        assert.equal(h.started.length, attempt + 1, `retry ${attempt} ran early`);
        await h.clock.advance(1);
        assert.equal(h.started.length, attempt + 2, `retry ${attempt} did not run at ${delay} ms`);
      }
      assert.equal(h.queue.failures('a'), 4);
      assert.deepEqual(h.settled.map((s) => s.result.kind), ['retry', 'retry', 'retry', 'retry']);
    });

    it('a thrown error counts as retry, carrying the error', async () => {
      const h = new Harness();
      await h.start('a');
      const error = new Error('boom');
      h.open[0]?.fail(error);
      await settle();
      assert.deepEqual(h.settled[0]?.result, { kind: 'retry', error });
      assert.equal(h.queue.failures('a'), 1);
      assert.equal(h.queue.depth().delayed, 1);
    });

    const invalid: [string, unknown][] = [
      ['undefined', undefined],
      ['an unknown kind', { kind: 'later' }],
      ['a NaN requeue', { kind: 'requeue', afterMs: NaN }],
      ['a requeue without delay', { kind: 'requeue' }],
    ];
    for (const [name, result] of invalid) {
      it(`${name} is a retry with RUNTIME_RESULT_INVALID`, async () => {
        const h = new Harness();
        await h.start('a');
        // Straight to the run: finish() would turn undefined into its default.
        h.open[0]?.finish(result as WorkResult);
        await settle();
        const settled = h.settled[0]?.result;
        assert.ok(settled?.kind === 'retry', `settled as ${settled?.kind}`);
        assert.ok(isBobError(settled.error, 'RUNTIME_RESULT_INVALID'));
        assert.equal(h.queue.failures('a'), 1);
      });
    }
  });

  describe('rate limiting', () => {
    const sequence: { random: number; delays: number[] }[] = [
      { random: 0, delays: [750, 1500, 3000, 6000, 12_000, 24_000, 48_000, 96_000, 192_000, 384_000, 450_000, 450_000] },
      { random: 0.999_999, delays: [1499, 2999, 5999, 11_999, 23_999, 47_999, 95_999, 191_999, 383_999, 767_999, 899_999, 899_999] },
    ];
    for (const { random, delays } of sequence) {
      it(`per-key backoff, capped at 15 min (random ${random})`, () => {
        const h = new Harness({ random: () => random });
        const got = delays.map(() => h.queue.addRateLimited('a'));
        assert.deepEqual(got, delays);
        assert.equal(h.queue.failures('a'), delays.length);
        assert.equal(h.queue.failures('b'), 0);
        for (const delay of got) {
          assert.ok(delay >= DEFAULT_RETRY_BACKOFF.minMs && delay <= DEFAULT_RETRY_BACKOFF.maxMs);
        }
      });
    }

    it('forget resets the sequence', () => {
      const h = new Harness();
      assert.deepEqual([1, 2, 3].map(() => h.queue.addRateLimited('a')), [750, 1500, 3000]);
      h.queue.forget('a');
      assert.equal(h.queue.failures('a'), 0);
      assert.equal(h.queue.addRateLimited('a'), 750);
    });

    it('retryDelay and jitteredInterval', () => {
      assert.equal(retryDelay(0, { minMs: 100, maxMs: 1000 }, () => 0.5), 150);
      const table: [number, number, number][] = [[0, 60_000, 57_000], [0.5, 60_000, 60_000], [1, 60_000, 63_000], [0.25, 600_000, 585_000]];
      for (const [random, interval, expected] of table) assert.equal(jitteredInterval(interval, 5, () => random), expected);
      assert.equal(jitteredInterval(1000, 0, () => 0), 1000);
      for (const [interval, percent] of [[-1, 5], [NaN, 5], [1000, 100], [1000, -1]] as const) {
        assert.throws(() => jitteredInterval(interval, percent, () => 0), (error) => isBobError(error, 'RUNTIME_DELAY_INVALID'));
      }
    });
  });

  describe('shutdown', () => {
    it('aborts running handlers, waits for them, drops waiting and delayed keys', async () => {
      const h = new Harness({ concurrency: 2 });
      await h.start('a', 'b', 'c');
      h.queue.addAfter('d', 60_000);
      h.queue.add('a');
      const signals = h.open.map((run) => run.signal);
      let resolved = false;
      const done = h.queue.shutdown({ graceMs: 10_000 }).then((report) => { resolved = true; return report; });
      await settle();
      assert.ok(signals.every((signal) => signal.aborted));
      assert.ok(isBobError(signals[0]?.reason, 'RUNTIME_SHUTDOWN'));
      assert.equal(resolved, false, 'did not wait for running handlers');
      await h.finish('a', { kind: 'requeue', afterMs: 1 });
      await h.finish('b', { kind: 'retry' });
      assert.deepEqual(await done, { unfinished: [] });
      assert.deepEqual(h.settled.map((s) => [s.key, s.aborted]), [['a', true], ['b', true]]);
      // Results after shutdown are not applied; nothing else runs, no timer is left.
      await h.clock.advance(120_000);
      assert.deepEqual(h.started, ['a', 'b']);
      assert.deepEqual(h.queue.depth(), { waiting: 0, delayed: 0, running: 0 });
      assert.equal(h.clock.pendingTimers, 0);
      assert.equal(h.queue.failures('b'), 0);
    });

    it('gives up on handlers that ignore the abort after the grace period', async () => {
      const h = new Harness();
      await h.start('a', 'b');
      const done = h.queue.shutdown({ graceMs: 5_000 });
      await h.finish('a');
      await h.clock.advance(5_000);
      assert.deepEqual(await done, { unfinished: ['b'] });
      assert.equal(h.clock.pendingTimers, 0);
    });

    it('stops waiting when its own signal aborts, and is idempotent', async () => {
      const h = new Harness();
      await h.start('a');
      const stop = new AbortController();
      const first = h.queue.shutdown({ signal: stop.signal, graceMs: 60_000 });
      assert.equal(h.queue.shutdown(), first);
      stop.abort();
      assert.deepEqual(await first, { unfinished: ['a'] });
    });

    it('ignores adds after shutdown', async () => {
      const h = new Harness();
      h.queue.start();
      await h.queue.shutdown();
      h.queue.add('a');
      h.queue.addAfter('b', 10);
      h.queue.addRateLimited('c');
      await h.clock.advance(1000);
      assert.deepEqual(h.started, []);
      assert.deepEqual(h.queue.depth(), { waiting: 0, delayed: 0, running: 0 });
    });
  });
});
