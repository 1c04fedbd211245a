/**
 * A digester that hashes on a worker thread. SHA-256 runs at ~200-300 MB/s
 * on machines without SHA extensions; on the main thread that is a quarter of
 * a 100 MB pull, time the inflater and tar parser could use. Chunks are
 * batched to 1 MiB, copied once into a buffer whose memory is transferred
 * (not cloned) to the worker. Worth it only for large blobs: starting the
 * worker costs a few tens of milliseconds.
 */
import { Worker } from 'node:worker_threads';
import type { DigestAlgorithm } from './digest.ts';

const BATCH_BYTES = 1024 * 1024;

// CommonJS, evaluated by the worker: hashes what it is sent, answers the digest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const hash = require('node:crypto').createHash(workerData.algorithm);
parentPort.on('message', (message) => {
  if (message === 'end') parentPort.postMessage(hash.digest('hex'));
  else hash.update(new Uint8Array(message));
});
`;

export interface ParallelDigester {
  update(chunk: Uint8Array): void;
  /** The digest once every chunk was hashed; the worker exits afterwards. */
  digest(): Promise<string>;
  /** Stops the worker without a result (the read was abandoned). */
  dispose(): void;
}

export function createParallelDigester(algorithm: DigestAlgorithm): ParallelDigester {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm } });
  // The digest request is the last message; its answer is the only one.
  const result = new Promise<string>((resolve, reject) => {
    worker.once('message', (hex: string) => { resolve(`${algorithm}:${hex}`); });
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
    worker.postMessage(buffer, [buffer]);
    batch = [];
    batched = 0;
  };
  return {
    update(chunk: Uint8Array): void {
      batch.push(chunk);
      batched += chunk.byteLength;
      if (batched >= BATCH_BYTES) flush();
    },
    async digest(): Promise<string> {
      flush();
      worker.postMessage('end');
      try {
        return await result;
      } finally {
        void worker.terminate();
      }
    },
    dispose(): void {
      void worker.terminate();
    },
  };
}
