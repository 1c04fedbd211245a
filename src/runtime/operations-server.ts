/**
 * The operations endpoints kubelet and Prometheus poll (research/flux.md §4.6,
 * §4.7): `/metrics` in text format 0.0.4, `/healthz` (liveness: answering at
 * all proves the event loop turns; an optional check can veto) and `/readyz`
 * (readiness: e.g. informer synced and leadership held). GET and HEAD only,
 * no query handling, small bodies; anything else is 404 or 405.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSystemClock } from '../shared/index.ts';
import type { Clock } from '../shared/index.ts';
import { runtimeError } from './errors.ts';
import { PROMETHEUS_TEXT_CONTENT_TYPE } from './metric-text.ts';

export interface OperationsServerOptions {
  /** Renders the /metrics body (a MetricsRegistry fits). */
  readonly metrics: { render(): string };
  /** Liveness veto; default always alive. */
  readonly health?: () => boolean;
  /** Readiness; a throw or rejection counts as not ready. */
  readonly readiness: () => boolean | Promise<boolean>;
  /** Called before /metrics renders, e.g. to sample the work queue depth into its gauge. */
  readonly beforeScrape?: () => void;
  /** Times close()'s grace period; default the system clock. */
  readonly clock?: Clock;
  /** How long close() lets running requests finish; default 2000 ms. */
  readonly closeGraceMs?: number;
}

/** Where to listen; port 0 picks a free port. */
export interface ServerAddress {
  readonly host?: string;
  readonly port: number;
}

/** The operations HTTP server. */
export interface OperationsServer {
  /** Starts listening; resolves with the bound address. Errors: RUNTIME_SERVER_FAILED (EADDRINUSE...). */
  listen(address: ServerAddress, signal?: AbortSignal): Promise<AddressInfo>;
  /** Stops accepting, ends idle connections now and busy ones after the grace period (or when `signal` aborts). */
  close(signal?: AbortSignal): Promise<void>;
  /** The bound address while listening. */
  address(): AddressInfo | undefined;
}

const MAX_HEADER_BYTES = 8 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;

/** An operations server; call listen() to start it. */
export function createOperationsServer(options: OperationsServerOptions): OperationsServer {
  const clock = options.clock ?? createSystemClock();
  const graceMs = options.closeGraceMs ?? 2000;
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS }, (request, response) => {
    handle(options, request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else send(request, response, 500, 'text/plain; charset=utf-8', 'internal error\n');
    });
  });
  return {
    listen: (address, signal) => listen(server, address, signal),
    close: (signal) => close(server, clock, graceMs, signal),
    address: () => {
      const bound = server.address();
      return bound === null || typeof bound === 'string' ? undefined : bound;
    },
  };
}

async function handle(options: OperationsServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '').split('?', 1)[0] ?? '';
  const known = path === '/metrics' || path === '/healthz' || path === '/readyz';
  if (!known) {
    send(request, response, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    send(request, response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  if (path === '/metrics') {
    options.beforeScrape?.();
    send(request, response, 200, PROMETHEUS_TEXT_CONTENT_TYPE, options.metrics.render());
    return;
  }
  if (path === '/healthz') {
    const alive = options.health?.() ?? true;
    send(request, response, alive ? 200 : 500, 'text/plain; charset=utf-8', alive ? 'ok\n' : 'unhealthy\n');
    return;
  }
  let ready: boolean;
  try {
    ready = await options.readiness();
  } catch {
    ready = false;
  }
  send(request, response, ready ? 200 : 503, 'text/plain; charset=utf-8', ready ? 'ok\n' : 'not ready\n');
}

function send(request: IncomingMessage, response: ServerResponse, status: number, contentType: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': bytes.byteLength,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(request.method === 'HEAD' ? undefined : bytes);
}

function listen(server: Server, address: ServerAddress, signal: AbortSignal | undefined): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(runtimeError('RUNTIME_SERVER_FAILED', 'starting the operations server: aborted', { cause: signal.reason, errorClass: 'transient' }));
      return;
    }
    const onError = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      reject(runtimeError('RUNTIME_SERVER_FAILED', `starting the operations server on port ${address.port}`, { cause: error, errorClass: 'transient' }));
    };
    const onAbort = (): void => {
      server.off('error', onError);
      server.close();
      reject(runtimeError('RUNTIME_SERVER_FAILED', 'starting the operations server: aborted', { cause: signal?.reason, errorClass: 'transient' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      const bound = server.address();
      if (bound === null || typeof bound === 'string') {
        reject(runtimeError('RUNTIME_SERVER_FAILED', 'operations server bound to no TCP address', { errorClass: 'transient' }));
        return;
      }
      resolve(bound);
    });
  });
}

async function close(server: Server, clock: Clock, graceMs: number, signal: AbortSignal | undefined): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
  server.closeIdleConnections();
  const timer = new AbortController();
  const stopWaiting = signal === undefined ? timer.signal : AbortSignal.any([timer.signal, signal]);
  const graceOver = clock.sleep(graceMs, stopWaiting).then(() => true, () => true);
  const graceEnded = await Promise.race([closed.then(() => false), graceOver]);
  timer.abort();
  if (graceEnded) {
    server.closeAllConnections();
    await closed;
  }
}
