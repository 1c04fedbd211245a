/**
 * Reading response bodies with caps enforced on bytes actually read, never on
 * Content-Length alone (reliability.md §2: the oras 2^62 and cosign
 * CVE-2024-29902 lessons). An endless chunked body stops at the cap.
 */
import type { BobError } from '../shared/index.ts';

/** What a response body is to us: chunks, and a way to drop the connection. */
export interface BodySource extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

function ignore(): void {
  // Dropping a body on purpose makes undici emit an abort error nobody needs.
}

/** Stops reading a body and closes its connection, without an unhandled 'error'. */
export function dropBody(body: BodySource): void {
  body.on('error', ignore);
  body.destroy();
}

/**
 * All of `body`, or `tooLarge()` thrown as soon as more than `limit` bytes
 * arrived (the body is destroyed, so the rest is never read).
 */
export async function readCapped(body: BodySource, limit: number, tooLarge: () => BobError): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) {
      const error = tooLarge();
      dropBody(body);
      throw error;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/**
 * At most `limit` bytes of `body`, silently truncated: for error bodies, where
 * a huge answer must cost nothing but is no reason to fail differently.
 */
export async function readPrefix(body: BodySource, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const room = limit - total;
      chunks.push(chunk.byteLength > room ? chunk.subarray(0, room) : chunk);
      total += Math.min(chunk.byteLength, room);
      if (total >= limit) {
        dropBody(body);
        break;
      }
    }
  } catch {
    // A broken error body is not the error we report.
  }
  return Buffer.concat(chunks, total);
}

/** Consumes a small body so the connection can be reused; destroys big ones. */
export async function discardBody(body: BodySource, limit: number): Promise<void> {
  await readPrefix(body, limit);
}
