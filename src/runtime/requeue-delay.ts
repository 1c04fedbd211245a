/**
 * The two delays a reconcile result can ask for (ARCHITECTURE.md house rule 4).
 *
 * Success requeues at `spec.interval` ± 5 % (Flux `--interval-jitter-percentage`,
 * research/flux.md §4.5), so objects created together drift apart instead of
 * hitting the registry in the same second forever.
 *
 * Transient failures back off per key. controller-runtime's item limiter waits
 * exactly 750 ms · 2^n, capped at 15 min; bob keeps both bounds but jitters
 * with shared backoffDelay ("equal jitter") on a doubled base: retry n waits
 * between 750 ms · 2^n and 1500 ms · 2^n until the cap, then between 7.5 and
 * 15 min. Never sooner than Flux would retry, never later than its ceiling, and
 * keys failing in the same outage no longer retry in lockstep.
 */
import { backoffDelay } from '../shared/index.ts';
import { runtimeError } from './errors.ts';

/** Flux `--interval-jitter-percentage` default. */
export const DEFAULT_INTERVAL_JITTER_PERCENT = 5;

/** Per-key retry bounds (Flux `--min-retry-delay`, `--max-retry-delay`). */
export interface RetryBackoff {
  readonly minMs: number;
  readonly maxMs: number;
}

/** Flux's defaults: 750 ms and 15 min. */
export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { minMs: 750, maxMs: 15 * 60 * 1000 };

/**
 * `intervalMs` moved by a uniform random amount within ± `percent` %, rounded
 * to whole ms. `random` returns [0, 1). Throws RUNTIME_DELAY_INVALID for a
 * negative or non-finite interval or a percent outside [0, 100) (Flux rejects
 * 100 and above).
 */
export function jitteredInterval(intervalMs: number, percent = DEFAULT_INTERVAL_JITTER_PERCENT, random: () => number = Math.random): number {
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw runtimeError('RUNTIME_DELAY_INVALID', `interval must be a finite, non-negative number of ms, got ${intervalMs}`);
  if (!Number.isFinite(percent) || percent < 0 || percent >= 100) throw runtimeError('RUNTIME_DELAY_INVALID', `jitter percent must be in [0, 100), got ${percent}`);
  const unit = Math.min(Math.max(random(), 0), 1) * 2 - 1;
  return Math.round(intervalMs * (1 + (unit * percent) / 100));
}

/** Delay before retry number `failures` (0 for the first retry) of one key. */
export function retryDelay(failures: number, backoff: RetryBackoff, random: () => number): number {
  return backoffDelay(failures, { baseMs: 2 * backoff.minMs, maxMs: backoff.maxMs, random });
}
