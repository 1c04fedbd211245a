/**
 * The keyed work queue between the informer and the reconciler, with the
 * guarantees of client-go's workqueue that controller-runtime (and so Flux)
 * relies on (research/flux.md §4.5):
 *   - a key waiting to run is queued once, however often it is added;
 *   - one key never runs twice at the same time; a key added while it runs
 *     runs once more after the current run ends;
 *   - at most `concurrency` keys run at once (Flux `--concurrent`, default 2);
 *   - delayed requeues keep the earliest due time; transient failures back off
 *     per key (requeue-delay.ts).
 * Deviation, on purpose: a run cancels the key's pending delayed requeue,
 * because its own result schedules the next one (house rule 4: "nothing else
 * schedules retries"); client-go keeps it and runs the key an extra time.
 * p-queue provides the FIFO and the concurrency limit; this class owns the
 * per-key bookkeeping on top of it.
 */
import PQueue from 'p-queue';
import type { Clock } from '../shared/index.ts';
import { runtimeError } from './errors.ts';
import { DEFAULT_RETRY_BACKOFF, retryDelay } from './requeue-delay.ts';
import type { RetryBackoff } from './requeue-delay.ts';
import { sleepUntil } from './sleep-until.ts';
import type { WorkHandler, WorkResult, WorkSettled } from './work-result.ts';

/** Flux `--concurrent` default. */
export const DEFAULT_CONCURRENCY = 2;
/** How long shutdown waits for running handlers by default; inside kubelet's 30 s grace period. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 20_000;

export interface WorkQueueOptions<Key extends string> {
  readonly handler: WorkHandler<Key>;
  readonly clock: Clock;
  /** Keys run at once; default 2. */
  readonly concurrency?: number;
  /** Retry bounds; default 750 ms to 15 min. */
  readonly backoff?: RetryBackoff;
  /** [0, 1) source for retry jitter; default Math.random. */
  readonly random?: () => number;
  /** Default grace period of shutdown(). */
  readonly shutdownGraceMs?: number;
  /** Called after every run; must not throw (a throw is swallowed). */
  readonly onSettled?: (settled: WorkSettled<Key>) => void;
}

/** Keys by state, for `bob_workqueue_depth` and tests. */
export interface WorkQueueDepth {
  /** Keys that will run as soon as a slot (or their current run) frees up. */
  readonly waiting: number;
  /** Keys scheduled for later. */
  readonly delayed: number;
  /** Keys whose handler is running. */
  readonly running: number;
}

export interface ShutdownOptions {
  /** Stops waiting for running handlers at once when it aborts. */
  readonly signal?: AbortSignal;
  /** Overrides the queue's shutdownGraceMs. */
  readonly graceMs?: number;
}

/** What shutdown left behind. */
export interface ShutdownReport<Key extends string> {
  /** Keys whose handler had not returned when the grace period ended. */
  readonly unfinished: readonly Key[];
}

interface DelayedEntry {
  readonly dueAt: number;
  readonly cancel: AbortController;
}

/** A deduplicating, per-key serialised, rate-limited work queue. */
export class WorkQueue<Key extends string> {
  readonly #handler: WorkHandler<Key>;
  readonly #clock: Clock;
  readonly #backoff: RetryBackoff;
  readonly #random: () => number;
  readonly #graceMs: number;
  readonly #onSettled: ((settled: WorkSettled<Key>) => void) | undefined;
  readonly #queue: PQueue;
  /** Keys that must run (again): queued in p-queue, or re-queued when their run ends. */
  readonly #dirty = new Set<Key>();
  readonly #running = new Map<Key, AbortController>();
  readonly #runs = new Set<Promise<void>>();
  readonly #delayed = new Map<Key, DelayedEntry>();
  readonly #failures = new Map<Key, number>();
  #shutdown: Promise<ShutdownReport<Key>> | undefined;

  /** A paused queue: keys added before start() wait. Throws RUNTIME_OPTION_INVALID for a bad concurrency. */
  constructor(options: WorkQueueOptions<Key>) {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw runtimeError('RUNTIME_OPTION_INVALID', `concurrency must be a positive integer, got ${concurrency}`);
    this.#handler = options.handler;
    this.#clock = options.clock;
    this.#backoff = options.backoff ?? DEFAULT_RETRY_BACKOFF;
    this.#random = options.random ?? Math.random;
    this.#graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.#onSettled = options.onSettled;
    this.#queue = new PQueue({ concurrency, autoStart: false });
  }

  /** Starts running keys (call once the informer synced and leadership is held). */
  start(): void {
    if (this.#shutdown === undefined) this.#queue.start();
  }

  /** Queues `key` now; a no-op if it already waits, or after shutdown began. */
  add(key: Key): void {
    if (this.#shutdown !== undefined || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    // A running key is re-queued by its run's end, so it never runs twice at once.
    if (!this.#running.has(key)) this.#enqueue(key);
  }

  /**
   * Queues `key` after `delayMs` (0 or less: now). If the key is already
   * scheduled, the earlier due time wins. Delays beyond setTimeout's limit are
   * honoured (sleep-until.ts). Throws RUNTIME_DELAY_INVALID for NaN/Infinity.
   */
  addAfter(key: Key, delayMs: number): void {
    if (!Number.isFinite(delayMs)) throw runtimeError('RUNTIME_DELAY_INVALID', `delay must be a finite number of ms, got ${delayMs}`);
    if (this.#shutdown !== undefined) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const dueAt = this.#clock.now() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing !== undefined && existing.dueAt <= dueAt) return;
    existing?.cancel.abort();
    const entry: DelayedEntry = { dueAt, cancel: new AbortController() };
    this.#delayed.set(key, entry);
    sleepUntil(this.#clock, dueAt, entry.cancel.signal).then(
      (due) => { if (due) this.#fire(key, entry); },
      // A clock that fails is no reason to lose the key: run it now.
      () => { this.#fire(key, entry); },
    );
  }

  /** Records a failure of `key` and queues it after its backoff delay, which is returned. */
  addRateLimited(key: Key): number {
    const failures = this.#failures.get(key) ?? 0;
    const delay = retryDelay(failures, this.#backoff, this.#random);
    if (this.#shutdown !== undefined) return delay;
    this.#failures.set(key, failures + 1);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the failure count of `key` (after a success, or when it is deleted). */
  forget(key: Key): void {
    this.#failures.delete(key);
  }

  /** Consecutive failures recorded for `key`. */
  failures(key: Key): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Counts of waiting, delayed and running keys. */
  depth(): WorkQueueDepth {
    return { waiting: this.#dirty.size, delayed: this.#delayed.size, running: this.#running.size };
  }

  /**
   * Stops taking work: drops waiting and delayed keys, aborts the signal of
   * every running handler, then waits for them until the grace period ends or
   * `options.signal` aborts. Idempotent: later calls get the first call's result.
   */
  shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport<Key>> {
    this.#shutdown ??= this.#stop(options);
    return this.#shutdown;
  }

  async #stop(options: ShutdownOptions): Promise<ShutdownReport<Key>> {
    this.#queue.pause();
    this.#queue.clear();
    this.#dirty.clear();
    for (const entry of this.#delayed.values()) entry.cancel.abort();
    this.#delayed.clear();
    const reason = runtimeError('RUNTIME_SHUTDOWN', 'work queue shutting down', { errorClass: 'transient' });
    for (const controller of this.#running.values()) controller.abort(reason);
    if (this.#runs.size > 0) {
      const timer = new AbortController();
      const stopWaiting = options.signal === undefined ? timer.signal : AbortSignal.any([timer.signal, options.signal]);
      const graceMs = options.graceMs ?? this.#graceMs;
      try {
        await Promise.race([
          Promise.allSettled([...this.#runs]),
          this.#clock.sleep(graceMs, stopWaiting).catch(() => undefined),
        ]);
      } finally {
        timer.abort();
      }
    }
    return { unfinished: [...this.#running.keys()] };
  }

  #isShuttingDown(): boolean {
    return this.#shutdown !== undefined;
  }

  #fire(key: Key, entry: DelayedEntry): void {
    if (this.#delayed.get(key) !== entry) return;
    this.#delayed.delete(key);
    this.add(key);
  }

  #enqueue(key: Key): void {
    // clear() at shutdown rejects the promises of dropped tasks; they never ran, nothing to report.
    this.#queue.add(() => this.#track(key)).catch(() => undefined);
  }

  #track(key: Key): Promise<void> {
    const run = this.#run(key);
    this.#runs.add(run);
    return run.finally(() => this.#runs.delete(run));
  }

  async #run(key: Key): Promise<void> {
    if (this.#isShuttingDown()) return;
    this.#dirty.delete(key);
    this.#cancelDelayed(key);
    const controller = new AbortController();
    this.#running.set(key, controller);
    let result: WorkResult;
    try {
      result = toValidResult(await this.#handler(key, controller.signal));
    } catch (error) {
      result = { kind: 'retry', error };
    }
    // Read after the await: shutdown may have begun while the handler ran.
    const aborted = this.#isShuttingDown();
    try {
      // Still marked running: a requeue of 0 ms only marks the key dirty, and the
      // check below queues it once.
      if (!aborted) this.#apply(key, result);
    } finally {
      this.#running.delete(key);
    }
    try {
      this.#onSettled?.({ key, result, aborted });
    } catch {
      // An observer must not break the queue.
    }
    if (!aborted && this.#dirty.has(key)) this.#enqueue(key);
  }

  #apply(key: Key, result: WorkResult): void {
    switch (result.kind) {
      case 'requeue':
        this.forget(key);
        this.addAfter(key, result.afterMs);
        return;
      case 'retry':
        this.addRateLimited(key);
        return;
      case 'done':
        this.forget(key);
        return;
    }
  }

  #cancelDelayed(key: Key): void {
    const entry = this.#delayed.get(key);
    if (entry === undefined) return;
    entry.cancel.abort();
    this.#delayed.delete(key);
  }
}

/** The result as given, or a retry carrying RUNTIME_RESULT_INVALID if it is malformed. */
function toValidResult(result: unknown): WorkResult {
  if (typeof result !== 'object' || result === null || !('kind' in result)) return invalidResult();
  const kind = result.kind;
  if (kind === 'retry' || kind === 'done') return result as WorkResult;
  if (kind === 'requeue' && 'afterMs' in result && typeof result.afterMs === 'number' && Number.isFinite(result.afterMs)) return result as WorkResult;
  return invalidResult();
}

function invalidResult(): WorkResult {
  return { kind: 'retry', error: runtimeError('RUNTIME_RESULT_INVALID', 'reconcile handler returned an invalid result') };
}
