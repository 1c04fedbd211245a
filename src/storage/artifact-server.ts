/**
 * The artifact file server (Flux serves its storage with Go's
 * http.FileServer, research/flux.md §4.3). Stricter on purpose
 * (research/reliability.md §6 row 40): GET and HEAD only, no directory
 * listings, no hidden or temporary files, nothing outside the root even
 * through symlinks, one byte range at most. Files are streamed from an open
 * descriptor with backpressure, never buffered whole.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createSystemClock } from '../shared/index.ts';
import type { Clock } from '../shared/index.ts';
import { toDigestFromFileName } from './artifact.ts';
import { toByteRange } from './byte-range.ts';
import { isErrno, storageError, toStorageError } from './errors.ts';
import { toRequestPath } from './request-path.ts';
import { openServedFile } from './served-file.ts';
import type { ServedFile } from './served-file.ts';

export interface ArtifactServerOptions {
  /** Directory served (ArtifactStore.root). */
  readonly root: string;
  /** Times the close grace period; default the system clock. */
  readonly clock?: Clock;
  /** How long close() lets running downloads finish before cutting them; default 5000 (Flux's 5 s). */
  readonly closeGraceMs?: number;
}

/** Where to listen; port 0 picks a free port. */
export interface ListenAddress {
  readonly host?: string;
  readonly port: number;
}

/** A started-or-not artifact server. */
export interface ArtifactServer {
  /** Starts listening; resolves with the bound address. Errors: STORAGE_SERVER_FAILED (EADDRINUSE...). */
  listen(address: ListenAddress): Promise<AddressInfo>;
  /**
   * Stops accepting, closes idle keep-alive connections at once and the
   * others once their response ends (node's http server does not keep a
   * connection alive after close()) or the grace period passes.
   */
  close(): Promise<void>;
  /** The bound address while listening. */
  address(): AddressInfo | undefined;
}

const MAX_HEADER_BYTES = 16 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** An artifact server for `options.root`; call listen() to start it. */
export function createArtifactServer(options: ArtifactServerOptions): ArtifactServer {
  const root = resolve(options.root);
  const clock = options.clock ?? createSystemClock();
  const graceMs = options.closeGraceMs ?? 5000;
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, (request, response) => {
    handle(root, request, response).catch(() => {
      // Headers may be out already: the only honest signal left is a cut connection.
      if (response.headersSent) response.destroy();
      else sendStatus(response, 500);
    });
  });
  return {
    listen: (address) => new Promise<AddressInfo>((resolveListen, rejectListen) => {
      const onError = (error: Error): void => {
        rejectListen(toStorageError(error, 'STORAGE_SERVER_FAILED', 'starting the artifact server'));
      };
      server.once('error', onError);
      server.listen(address.port, address.host, () => {
        server.off('error', onError);
        const bound = server.address();
        if (bound === null || typeof bound === 'string') {
          rejectListen(storageError('STORAGE_SERVER_FAILED', 'artifact server bound to no TCP address'));
          return;
        }
        resolveListen(bound);
      });
    }),
    close: () => closeGracefully(server, clock, graceMs),
    address: () => {
      const bound = server.address();
      return bound === null || typeof bound === 'string' ? undefined : bound;
    },
  };
}

async function handle(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendStatus(response, 405, { Allow: 'GET, HEAD' });
    return;
  }
  const path = toRequestPath(request.url ?? '');
  if (!path.ok) {
    sendStatus(response, path.status);
    return;
  }
  // realpath per request: the root may be a link that is replaced (volume remount).
  const realRoot = await realpath(root).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  });
  const file = realRoot === undefined ? undefined : await openServedFile(realRoot, path.segments);
  if (file === undefined) {
    sendStatus(response, 404);
    return;
  }
  await sendFile(request, response, file);
}

async function sendFile(request: IncomingMessage, response: ServerResponse, file: ServedFile): Promise<void> {
  const { handle: fileHandle, stats, realName } = file;
  const size = stats.size;
  const digest = toDigestFromFileName(realName);
  // The name of a stored artifact is its digest (artifact.ts), a strong validator;
  // verify() catches a file whose bytes drifted from its name.
  const etag = digest === undefined ? `W/"${size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"` : `"${digest}"`;
  const headers: OutgoingHttpHeaders = {
    'Content-Type': /\.(?:tar\.gz|tgz)$/.test(realName) ? 'application/gzip' : 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString(),
    'X-Content-Type-Options': 'nosniff',
  };
  // RFC 9110 §13.1.5: a Range guarded by a validator that no longer matches gets the whole file.
  const ifRange = request.headers['if-range'];
  const range = ifRange !== undefined && (etag.startsWith('W/') || ifRange !== etag)
    ? { kind: 'full' as const }
    : toByteRange(request.headers.range, size);
  try {
    if (range.kind === 'bad-request') {
      await fileHandle.close();
      sendStatus(response, 400);
      return;
    }
    if (range.kind === 'unsatisfiable') {
      await fileHandle.close();
      sendStatus(response, 416, { 'Content-Range': `bytes */${size}` });
      return;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : size - 1;
    if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    headers['Content-Length'] = end - start + 1;
    response.writeHead(range.kind === 'partial' ? 206 : 200, headers);
    if (request.method === 'HEAD' || size === 0) {
      await fileHandle.close();
      response.end();
      return;
    }
    // The read stream owns the descriptor from here and closes it at the end or on error.
    await pipeline(fileHandle.createReadStream({ start, end }), response);
  } catch (error) {
    await fileHandle.close().catch(() => undefined);
    throw error;
  }
}

const STATUS_BODIES: Readonly<Record<number, string>> = {
  400: 'bad request\n',
  404: 'not found\n',
  405: 'method not allowed\n',
  414: 'uri too long\n',
  416: 'range not satisfiable\n',
  500: 'internal error\n',
};

function sendStatus(response: ServerResponse, status: number, extra: OutgoingHttpHeaders = {}): void {
  const body = STATUS_BODIES[status] ?? '\n';
  response.writeHead(status, {
    ...extra,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}

async function closeGracefully(server: Server, clock: Clock, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolveClose, rejectClose) => {
    server.close((error) => {
      if (error === undefined) resolveClose();
      else rejectClose(toStorageError(error, 'STORAGE_SERVER_FAILED', 'closing the artifact server'));
    });
  });
  server.closeIdleConnections();
  const grace = new AbortController();
  const cut = clock.sleep(graceMs, grace.signal).then(() => { server.closeAllConnections(); }, () => undefined);
  try {
    await closed;
  } finally {
    grace.abort();
    await cut;
  }
}
