/**
 * A digester that hashes on a worker thread. SHA-256 runs at ~200-300 MB/s
 * on machines without SHA extensions; on the main thread that is a quarter of
 * a 100 MB pull, time the inflater and tar parser could use. Chunks are
 * batched to 1 MiB, copied once into a buffer whose memory is transferred
 * (not cloned) to the worker. Worth it only for large blobs: starting the
 * worker costs a few tens of milliseconds.
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from './digest.ts';

const BATCH_BYTES = 1024 * 1024;
/** Bytes sent to the worker and not yet hashed before update() asks the caller to wait. */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;

// CommonJS, evaluated by the worker: hashes what it is sent and acknowledges
// each batch with its size, then answers the digest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const hash = require('node:crypto').createHash(workerData.algorithm);
parentPort.on('message', (message) => {
  if (message === 'end') {
    parentPort.postMessage(hash.digest('hex'));
    return;
  }
  hash.update(new Uint8Array(message));
  parentPort.postMessage(message.byteLength);
});
`;

export interface ParallelDigester {
  /** False when the worker is behind: wait for drained() before sending more (like Writable.write). */
  update(chunk: Uint8Array): boolean;
  /** Resolves once the worker has caught up below the in-flight limit. */
  drained(): Promise<void>;
  /** The digest once every chunk was hashed; the worker exits afterwards. */
  digest(): Promise<string>;
  /** Stops the worker without a result (the read was abandoned). */
  dispose(): void;
}

export function createParallelDigester(algorithm: DigestAlgorithm): ParallelDigester {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm } });
  // An abandoned digester must not keep the process alive; digest() holds it while it waits.
  worker.unref();
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const result = new Promise<string>((resolve, reject) => {
    worker.on('message', (message: string | number) => {
      if (typeof message === 'string') {
        resolve(`${algorithm}:${message}`);
        return;
      }
      inFlight -= message;
      if (inFlight < IN_FLIGHT_BYTES) {
        for (const wake of waiters.splice(0)) wake();
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => { reject(new Error(`hash worker exited with ${code}`)); });
  });
  result.catch(() => undefined);
  let batch: Uint8Array[] = [];
  let batched = 0;
  const flush = (): void => {
    if (batched === 0) return;
    const buffer = new ArrayBuffer(batched);
    const view = new Uint8Array(buffer);
    let offset = 0;
    for (const chunk of batch) {
      view.set(chunk, offset);
      offset += chunk.byteLength;
    }
    inFlight += batched;
    worker.postMessage(buffer, [buffer]);
    batch = [];
    batched = 0;
  };
  return {
    update(chunk: Uint8Array): boolean {
      batch.push(chunk);
      batched += chunk.byteLength;
      if (batched >= BATCH_BYTES) flush();
      return inFlight < IN_FLIGHT_BYTES;
    },
    async drained(): Promise<void> {
      if (inFlight < IN_FLIGHT_BYTES) return;
      // The worker's exit also ends the wait: digest() then reports it.
      await Promise.race([new Promise<void>((wake) => waiters.push(wake)), result.then(() => undefined, () => undefined)]);
    },
    async digest(): Promise<string> {
      flush();
      worker.ref();
      worker.postMessage('end');
      try {
        return await result;
      } finally {
        void worker.terminate();
      }
    },
    dispose(): void {
      waiters = [];
      void worker.terminate();
    },
  };
}

/** A digester whose result arrives as a promise: main thread or worker. */
export interface StreamDigester {
  /** False when the caller should wait for drained() before the next update. */
  update(chunk: Uint8Array): boolean;
  drained(): Promise<void>;
  /** `<algorithm>:<hex>` of everything passed to update. */
  digest(): Promise<string>;
  /** Releases a worker if one was started and the digest is not wanted. */
  dispose(): void;
}

/** Bytes after which a stream's hashing moves to a worker thread. */
export const PARALLEL_HASH_FROM_BYTES = 4 * 1024 * 1024;

/**
 * Hashes small streams on the main thread and large ones on a worker: the
 * first `parallelFromBytes` are held (by reference) until it is clear which
 * one the stream is, so a 2 KiB manifest never pays for starting a thread.
 * Chunks passed to update must not be modified afterwards.
 */
export function createStreamDigester(algorithm: DigestAlgorithm, parallelFromBytes = PARALLEL_HASH_FROM_BYTES): StreamDigester {
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let parallel: ParallelDigester | undefined;
  return {
    update(chunk: Uint8Array): boolean {
      if (parallel !== undefined) return parallel.update(chunk);
      held.push(chunk);
      heldBytes += chunk.byteLength;
      if (heldBytes < parallelFromBytes) return true;
      parallel = createParallelDigester(algorithm);
      let ready = true;
      for (const early of held) ready = parallel.update(early);
      held = [];
      return ready;
    },
    async drained(): Promise<void> {
      await parallel?.drained();
    },
    async digest(): Promise<string> {
      if (parallel !== undefined) return parallel.digest();
      const hash = createHash(algorithm);
      for (const chunk of held) hash.update(chunk);
      held = [];
      return Promise.resolve(`${algorithm}:${hash.digest('hex')}`);
    },
    dispose(): void {
      parallel?.dispose();
      held = [];
    },
  };
}
