/**
 * An in-process async mutex per key: operations on one object run one at a
 * time, operations on different objects run in parallel. Flux takes a file
 * lock (`<file>.lock`) for the same purpose (reliability.md §4.5); bob runs a
 * single writer per storage volume (leader election), so an in-process lock
 * suffices and leaves no lock files to collect.
 */
import { storageError } from './errors.ts';

/** Call to let the next waiter in; calling it twice is harmless. */
export type Release = () => void;

/** FIFO mutexes keyed by string; keys are forgotten when nobody holds or waits. */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Resolves with a Release once every earlier holder of `key` released.
   * Rejects with STORAGE_ABORTED if `signal` fires while waiting (the
   * place in the queue is then given up without blocking later waiters).
   */
  async acquire(key: string, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted === true) throw aborted(signal);
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let open: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { open = resolve; });
    const tail = previous.then(() => held);
    this.#tails.set(key, tail);
    let released = false;
    const release: Release = () => {
      if (released) return;
      released = true;
      open();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
    try {
      await waitFor(previous, signal);
    } catch (error) {
      // Our turn still comes after `previous`: pass it on immediately.
      void previous.then(release);
      throw error;
    }
    return release;
  }

  /** Runs `work` while holding `key`. */
  async run<T>(key: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(key, signal);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Keys currently held or waited for (for tests and metrics). */
  get size(): number {
    return this.#tails.size;
  }
}

function aborted(signal: AbortSignal): Error {
  return storageError('STORAGE_ABORTED', 'waiting for the object lock: aborted', { cause: signal.reason });
}

async function waitFor(turn: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) {
    await turn;
    return;
  }
  let onAbort: () => void = () => undefined;
  const abort = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(aborted(signal)); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([turn, abort]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
