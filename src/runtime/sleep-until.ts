/**
 * Waiting until a point in time that may be months away. Node's setTimeout
 * takes at most 2^31-1 ms (~24.8 days) and fires after 1 ms for anything
 * larger (with a TimeoutOverflowWarning), while bob allows intervals up to
 * 8760 h. So the wait is a chain of sleeps no longer than that limit, each
 * followed by a look at the clock.
 */
import type { Clock } from '../shared/index.ts';

/** Longest single timer Node honours (setTimeout's signed 32-bit limit). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves true once `clock.now() >= dueAt`, false if `signal` aborts first.
 * Each underlying sleep is at most MAX_TIMER_MS. Rejects only if the clock's
 * sleep fails for another reason than the abort.
 */
export async function sleepUntil(clock: Clock, dueAt: number, signal: AbortSignal): Promise<boolean> {
  let remaining = dueAt - clock.now();
  while (remaining > 0) {
    try {
      await clock.sleep(Math.min(remaining, MAX_TIMER_MS), signal);
    } catch (error) {
      if (signal.aborted) return false;
      throw error;
    }
    remaining = dueAt - clock.now();
  }
  return !signal.aborted;
}
