/**
 * The reconcile result in the work queue's terms (runtime/work-result.ts,
 * written structurally so this module does not depend on runtime's
 * internals): success → requeue after the jittered interval; retry →
 * per-key backoff; stalled and done → nothing scheduled.
 */
import type { ReconcileResult } from './summarize.ts';

/** runtime's WorkResult shape. */
export type QueueResult =
  | { readonly kind: 'requeue'; readonly afterMs: number }
  | { readonly kind: 'retry'; readonly error?: unknown }
  | { readonly kind: 'done' };

/** `result` for the queue; `jitter` turns spec.interval into the actual delay (Flux ±5 %). */
export function toQueueResult(result: ReconcileResult, jitter: (intervalMs: number) => number = (ms) => ms): QueueResult {
  switch (result.kind) {
    case 'success':
      return { kind: 'requeue', afterMs: jitter(result.requeueAfterMs) };
    case 'retry':
      return { kind: 'retry', error: result.error };
    case 'stalled':
    case 'done':
      return { kind: 'done' };
  }
}
