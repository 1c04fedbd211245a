/**
 * What a reconcile tells the work queue to do next. The error's class decides
 * (ARCHITECTURE.md house rule 4; research/flux.md §4.5):
 *   requeue → success or waiting: the failure count resets, the key runs again after `afterMs`
 *             (use jitteredInterval(spec.interval) for success);
 *   retry   → transient failure: per-key exponential backoff with jitter;
 *   done    → stalled, deleted or suspended: the failure count resets, nothing is scheduled
 *             (the next spec change or reconcile request adds the key again).
 */
export type WorkResult =
  | { readonly kind: 'requeue'; readonly afterMs: number }
  | { readonly kind: 'retry'; readonly error?: unknown }
  | { readonly kind: 'done' };

/** Runs one key. `signal` aborts when the queue shuts down. A throw counts as `retry`. */
export type WorkHandler<Key extends string> = (key: Key, signal: AbortSignal) => Promise<WorkResult>;

/** Reported after each run, for logs and metrics (`bob_reconciles_total{result}`). */
export interface WorkSettled<Key extends string> {
  readonly key: Key;
  /** The result applied (a thrown error appears as `retry` with that error). */
  readonly result: WorkResult;
  /** True when the run ended after shutdown began: its result was not applied. */
  readonly aborted: boolean;
}
