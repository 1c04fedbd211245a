/**
 * Histogram bucket bounds.
 */
import { runtimeError } from './errors.ts';

/**
 * `count` bounds growing geometrically from `min` to `max`, the formula of
 * client_golang's ExponentialBucketsRange: factor = (max/min)^(1/(count-1)),
 * bound i = min · factor^i. JavaScript's Math.pow may differ from Go's
 * math.Pow in the last bit, so bounds that must equal Flux's `le` labels are
 * pinned below instead. Throws RUNTIME_METRIC_INVALID for bad arguments.
 */
export function exponentialBucketsRange(min: number, max: number, count: number): number[] {
  if (!(min > 0) || !(max > min) || !Number.isInteger(count) || count < 2) {
    throw runtimeError('RUNTIME_METRIC_INVALID', `exponential buckets need 0 < min < max and count >= 2, got ${min}, ${max}, ${count}`);
  }
  const factor = Math.pow(max / min, 1 / (count - 1));
  return Array.from({ length: count }, (_unused, index) => min * Math.pow(factor, index));
}

/**
 * Buckets of `bob_reconcile_duration_seconds`: Flux's
 * ExponentialBucketsRange(10e-3, 1800, 10) (research/flux.md §4.7), exactly
 * the float64 values Go 1.26 computes on amd64 (printed with strconv 'g' -1),
 * so `le` labels match gotk dashboards and recording rules bit for bit.
 */
export const RECONCILE_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.01,
  0.038363583488692544,
  0.1471764538093883,
  0.5646216173286169,
  2.166090855590701,
  8.309900738254731,
  31.879757075478317,
  122.30217221643493,
  469.19495946736544,
  1799.9999999999986,
]);
