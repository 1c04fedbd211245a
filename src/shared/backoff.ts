/**
 * Exponential backoff with "equal jitter" (AWS architecture blog, "Exponential
 * Backoff And Jitter"): attempt n waits between half and all of
 * min(max, base * 2^n). Clients retrying the same outage spread out, and the
 * lower half-bound keeps a retry from ever becoming a hot loop.
 */

export interface BackoffOptions {
  /** Delay ceiling for attempt 0 in ms. */
  readonly baseMs: number;
  /** Largest delay in ms. */
  readonly maxMs: number;
  /** Returns [0, 1); injected so tests are deterministic. */
  readonly random: () => number;
}

/** Delay in ms before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const jitter = Math.min(Math.max(options.random(), 0), 1);
  return Math.floor(ceiling / 2 + (ceiling / 2) * jitter);
}
