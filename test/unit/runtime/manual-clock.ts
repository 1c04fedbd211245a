// A clock the test moves by hand. Its timers behave like Node's setTimeout,
// including the overflow rule (a delay above 2^31-1 ms fires after 1 ms), so a
// long wait that is not chained would visibly fire early.
import type { Clock } from '../../../src/shared/index.ts';

const NODE_TIMER_LIMIT_MS = 2 ** 31 - 1;

interface Timer {
  readonly due: number;
  readonly seq: number;
  fire(): void;
}

export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Set<Timer>();
  /** Every delay passed to sleep(), in order. */
  readonly requested: number[] = [];

  constructor(startMs = Date.UTC(2025, 0, 2, 3, 4, 5, 678)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.requested.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const delay = ms > NODE_TIMER_LIMIT_MS || !(ms >= 1) ? 1 : ms;
      const onAbort = (): void => {
        this.#timers.delete(timer);
        reject(signal?.reason as Error);
      };
      const timer: Timer = {
        due: this.#now + delay,
        seq: this.#seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#timers.add(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Timers not yet fired nor aborted. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their effects run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (let fired = 0; ; fired++) {
      // A wait re-armed after Node's 1 ms overflow would otherwise spin for hours.
      if (fired > 10_000) throw new Error('more than 10000 timers fired in one advance()');
      await settle();
      const next = [...this.#timers].filter((timer) => timer.due <= target).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.due);
      next.fire();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets pending promise chains (and p-queue's microtasks) run to quiescence. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 4; round++) await new Promise<void>((resolve) => { setImmediate(resolve); });
}
