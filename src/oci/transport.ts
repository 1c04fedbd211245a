/**
 * HTTP over undici: one keep-alive dispatcher per origin (and per role:
 * a registry origin gets its TLS client certificate and `insecure` setting,
 * a foreign origin such as a blob CDN or token realm does not), custom CAs,
 * proxies, and the mapping of network failures onto coded errors. One
 * request per call: redirects, retries and auth live above this.
 */
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { isBobError, redactUrl } from '../shared/index.ts';
import type { BodySource } from './body.ts';
import { ociError } from './errors.ts';

/** Per-registry connection settings. */
export interface HostOptions {
  /** Talk plain HTTP to this registry. */
  readonly plainHttp?: boolean;
  /** Skip TLS certificate verification (registry origin only). */
  readonly insecure?: boolean;
  /** Extra trusted CAs (PEM), added to the public roots. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate and key (PEM), sent to the registry origin only. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Proxy URL for this registry; beats the proxy environment. */
  readonly proxy?: string;
}

/** The proxy variables the caller chose to honour (HTTPS_PROXY, HTTP_PROXY, NO_PROXY; lowercase too). */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>;

export interface TransportOptions {
  /** Settings by registry endpoint `host[:port]`. */
  readonly hosts?: Readonly<Record<string, HostOptions>>;
  /** Settings for hosts not listed in `hosts`. */
  readonly defaults?: HostOptions;
  /** Proxy environment, only if the caller passes it in. */
  readonly proxyEnv?: ProxyEnvironment;
  /** Use this dispatcher for everything (tests, a caller-owned pool); never closed by us. */
  readonly dispatcher?: Dispatcher;
  readonly userAgent?: string;
  /** Time to response headers; default 30 s. */
  readonly headersTimeoutMs?: number;
  /** Max idle time between body chunks; default 60 s. */
  readonly bodyTimeoutMs?: number;
  /** Connections per origin; default 8. */
  readonly connections?: number;
}

/** Response headers, names lowercased. */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** A request body that can be sent again on retry: bytes, or a factory opening a fresh stream. */
export type RequestBody = Uint8Array | (() => AsyncIterable<Uint8Array>);

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly signal: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly body: BodySource;
  /** The URL that answered (after redirects, when the caller followed any). */
  readonly url: URL;
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);
const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Whether a network failure is worth retrying (reset, refused, timeouts). */
export function isRetryableNetworkError(error: unknown): boolean {
  if (isBobError(error)) return error.code === 'NETWORK_ERROR' && error.details['retryable'] === true;
  const code = errorCode(error);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

/** A coded error for a failure below HTTP (never with the URL's query string). */
export function toNetworkError(error: unknown, operation: string, signal: AbortSignal): Error {
  if (signal.aborted) return ociError('ABORTED', `${operation}: aborted`, { cause: signal.reason });
  // Our own request body failed (e.g. SIZE_INVALID): that is the error, not the network.
  if (isBobError(error)) return error;
  const code = errorCode(error) ?? 'unknown';
  if (TLS_CODE.test(code)) return ociError('TLS_ERROR', `${operation}: TLS failure (${code})`, { cause: error, details: { networkCode: code } });
  return ociError('NETWORK_ERROR', `${operation}: network failure (${code})`, {
    cause: error, details: { networkCode: code, retryable: RETRYABLE_NETWORK_CODES.has(code) },
  });
}

/** `GET https://host/path` for messages: no userinfo, no query. */
export function describeRequest(method: string, url: URL): string {
  return `${method} ${redactUrl(url)}`;
}

function toCaList(ca: HostOptions['ca']): (string | Buffer)[] | undefined {
  if (ca === undefined) return undefined;
  const extra = Array.isArray(ca) ? [...(ca as readonly (string | Buffer)[])] : [ca as string | Buffer];
  return [...rootCertificates, ...extra];
}

/** NO_PROXY semantics shared by curl and Go: `*`, exact host, `.suffix`/`suffix` domain, optional `:port`. */
export function isProxyBypassed(url: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined || noProxy.trim() === '') return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const { entryHost, entryPort } = splitNoProxyEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

function splitNoProxyEntry(entry: string): { entryHost: string; entryPort: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null) return { entryHost: bracketed[1] ?? '', entryPort: bracketed[2] };
  // A bare IPv6 address has several colons and no port.
  if ((entry.match(/:/g) ?? []).length > 1) return { entryHost: entry, entryPort: undefined };
  const [host = '', port] = entry.split(':');
  return { entryHost: host.replace(/^\*?\./, ''), entryPort: port };
}

function envValue(env: ProxyEnvironment | undefined, name: string): string | undefined {
  const value = env?.[name] ?? env?.[name.toLowerCase()];
  return value === undefined || value === '' ? undefined : value;
}

/** How long close() lets requests in flight finish before destroying the dispatcher. */
const CLOSE_GRACE_MS = 500;

/** Owns dispatchers; `close()` releases them. */
export class Transport {
  readonly #options: TransportOptions;
  readonly #dispatchers = new Map<string, Dispatcher>();

  constructor(options: TransportOptions = {}) {
    this.#options = options;
  }

  /** Settings for a registry endpoint host. */
  hostOptions(host: string): HostOptions {
    const hosts = this.#options.hosts ?? {};
    return (Object.hasOwn(hosts, host) ? hosts[host] : undefined) ?? this.#options.defaults ?? {};
  }

  /** `http(s)://host` of a registry endpoint. */
  baseUrl(host: string): URL {
    return new URL(`${this.hostOptions(host).plainHttp === true ? 'http' : 'https'}://${host}`);
  }

  #proxyFor(url: URL, options: HostOptions): string | undefined {
    if (options.proxy !== undefined) return options.proxy;
    const env = this.#options.proxyEnv;
    if (env === undefined || isProxyBypassed(url, envValue(env, 'NO_PROXY'))) return undefined;
    return url.protocol === 'https:' ? envValue(env, 'HTTPS_PROXY') : envValue(env, 'HTTP_PROXY');
  }

  /** The dispatcher for `url`; `registryHost` set when `url` is that registry's own origin. */
  dispatcherFor(url: URL, registryHost: string | undefined): Dispatcher {
    if (this.#options.dispatcher !== undefined) return this.#options.dispatcher;
    const isRegistry = registryHost !== undefined && url.host === registryHost;
    const hostOptions = this.hostOptions(url.host);
    const key = `${url.origin} ${isRegistry ? 'registry' : 'foreign'}`;
    const existing = this.#dispatchers.get(key);
    if (existing !== undefined) return existing;
    const ca = toCaList(hostOptions.ca);
    const tls = {
      ...(ca === undefined ? {} : { ca }),
      ...(isRegistry && hostOptions.cert !== undefined ? { cert: hostOptions.cert } : {}),
      ...(isRegistry && hostOptions.key !== undefined ? { key: hostOptions.key } : {}),
      ...(isRegistry && hostOptions.insecure === true ? { rejectUnauthorized: false } : {}),
    };
    const common = { connections: this.#options.connections ?? 8, keepAliveTimeout: 30_000 };
    const proxy = this.#proxyFor(url, hostOptions);
    const dispatcher: Dispatcher = proxy === undefined
      ? new Agent({ ...common, connect: tls })
      : new ProxyAgent({ ...common, uri: proxy, requestTls: tls });
    this.#dispatchers.set(key, dispatcher);
    return dispatcher;
  }

  /** Sends one request; network failures become NETWORK_ERROR / TLS_ERROR / ABORTED. */
  async send(request: HttpRequest, registryHost: string | undefined): Promise<HttpResponse> {
    const { method, url, signal } = request;
    const dispatcher = this.dispatcherFor(url, registryHost);
    const headers: Record<string, string> = { 'user-agent': this.#options.userAgent ?? 'bob', ...request.headers };
    const body = request.body === undefined ? undefined
      : request.body instanceof Uint8Array ? request.body : Readable.from(request.body());
    try {
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body: body ?? null,
        signal,
        headersTimeout: this.#options.headersTimeoutMs ?? 30_000,
        bodyTimeout: this.#options.bodyTimeoutMs ?? 60_000,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body, url };
    } catch (error) {
      throw toNetworkError(error, describeRequest(method, url), signal);
    }
  }

  /**
   * Closes the dispatchers this transport created. close() waits for
   * requests in flight, and a response body nobody reads (an abandoned
   * stream, a hostile endless body) would make it wait forever: after a
   * short grace period the dispatcher is destroyed instead.
   */
  async close(): Promise<void> {
    const all = [...this.#dispatchers.values()];
    this.#dispatchers.clear();
    await Promise.allSettled(all.map(async (dispatcher) => {
      const closed = dispatcher.close().then(() => true, () => true);
      const late = delay(CLOSE_GRACE_MS, false, { ref: false });
      if (!(await Promise.race([closed, late]))) await dispatcher.destroy();
    }));
  }
}

/** One header as a string (several values joined with `, `, as RFC 9110 allows for lists). */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}
