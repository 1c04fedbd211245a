/**
 * Streaming sha256 and size of an open file: bounded memory whatever the
 * size, hashing on a worker thread for large files (shared's stream
 * digester), abortable between chunks.
 */
import type { FileHandle } from 'node:fs/promises';
import { createStreamDigester } from '../shared/index.ts';
import { assertNotAborted } from './errors.ts';

const CHUNK_BYTES = 1024 * 1024;

/** Digest and size of a file's content. */
export interface FileDigest {
  /** `sha256:<hex>`. */
  readonly digest: string;
  readonly size: number;
}

/** Hashes `handle` from offset 0 to its end. Throws STORAGE_ABORTED if `signal` fires. */
export async function digestOpenFile(handle: FileHandle, signal?: AbortSignal): Promise<FileDigest> {
  const digester = createStreamDigester('sha256');
  let size = 0;
  try {
    for (;;) {
      assertNotAborted(signal, 'hashing artifact');
      // A fresh buffer per chunk: the digester keeps references to what it is given.
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, size);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (!digester.update(buffer.subarray(0, bytesRead))) await digester.drained();
    }
    return { digest: await digester.digest(), size };
  } catch (error) {
    digester.dispose();
    throw error;
  }
}
