/**
 * Small helpers for tar-stream's streamx streams, which emit the Node stream
 * events but are not Node streams (node:stream helpers cannot be trusted
 * with them).
 */

/** An event source with the streamx/Node `once`/`off` surface. */
export interface EventSource {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Resolves on 'drain'; rejects on 'error' or on 'close' (destroyed while waiting). */
export function waitForDrain(stream: EventSource): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown): void => {
      cleanup();
      reject(error instanceof Error ? error : new Error('stream failed'));
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('stream closed'));
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}
