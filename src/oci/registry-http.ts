/**
 * The request pipeline every registry call goes through:
 *
 *   auth (up-front token, one retry after 401)
 *     → retries (408/429/5xx, resets; Retry-After; capped total wait)
 *       → redirects (by hand, ≤ maxHops, credentials only to their origin)
 *         → transport (one undici request)
 *
 * A 401 is answered only when it comes from the registry's own origin: a 401
 * from a redirect target (a blob CDN) never gets our credentials.
 */
import type { Clock } from '../shared/index.ts';
import { Authenticator, type ExchangeRequest } from './auth.ts';
import { discardBody, dropBody } from './body.ts';
import type { CredentialProvider } from './credentials.ts';
import { isRedirectStatus, toRedirectTarget } from './redirects.ts';
import { withRetries, type RetryPolicy } from './retry.ts';
import type { OciLogger } from './logger.ts';
import type { SafeObserver } from './observer.ts';
import { TokenCache } from './token-cache.ts';
import { describeRequest, headerValue, type HttpMethod, type HttpResponse, type RequestBody, type Transport } from './transport.ts';

/** Headers that carry credentials and never cross an origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export interface RegistryHttpOptions {
  readonly transport: Transport;
  readonly credentials: CredentialProvider | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  readonly retry: RetryPolicy;
  readonly maxRedirects: number;
  readonly tokenBytes: number;
  readonly errorBodyBytes: number;
  readonly clientId: string;
  readonly logger: OciLogger;
  readonly observer: SafeObserver;
}

/** One call to a registry's API. */
export interface RegistryCall {
  readonly method: HttpMethod;
  /** The registry as referenced (`docker.io`), for credentials. */
  readonly registry: string;
  /** Its endpoint host (`registry-1.docker.io`): the origin credentials belong to. */
  readonly endpoint: string;
  /** Absolute URL on the registry endpoint (or an upload Location elsewhere). */
  readonly url: URL;
  /** Token scopes, e.g. `repository:a/b:pull`. */
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly signal: AbortSignal;
  /** Default: true for GET and HEAD. */
  readonly followRedirects?: boolean;
  /** Default: true except for PATCH. */
  readonly canRetry?: boolean;
}

export class RegistryHttp {
  readonly #options: RegistryHttpOptions;
  readonly #auth: Authenticator;

  constructor(options: RegistryHttpOptions) {
    this.#options = options;
    this.#auth = new Authenticator({
      credentials: options.credentials,
      tokens: new TokenCache(options.clock),
      exchange: (request) => this.exchange(request),
      clock: options.clock,
      tokenBytes: options.tokenBytes,
      errorBodyBytes: options.errorBodyBytes,
      clientId: options.clientId,
    });
  }

  get logger(): OciLogger {
    return this.#options.logger;
  }

  get clock(): Clock {
    return this.#options.clock;
  }

  /** Reports body bytes of content read from `url`'s host to the observer. */
  countBytes(url: URL, bytes: number): void {
    this.#options.observer.bytes(url.host, bytes);
  }

  /** The endpoint base URL of a registry endpoint host. */
  baseUrl(endpointHost: string): URL {
    return this.#options.transport.baseUrl(endpointHost);
  }

  /** Sends with retries and redirects, attaching `authorization` only on its own origin. */
  async exchange(request: ExchangeRequest): Promise<HttpResponse> {
    return withRetries(() => this.#followRedirects(request), {
      policy: this.#options.retry,
      clock: this.#options.clock,
      random: this.#options.random,
      signal: request.signal,
      canRetry: request.canRetry,
      errorBodyBytes: this.#options.errorBodyBytes,
      logger: this.#options.logger,
      operation: describeRequest(request.method, request.url),
    });
  }

  async #followRedirects(request: ExchangeRequest): Promise<HttpResponse> {
    let url = request.url;
    let method = request.method;
    let body = request.body;
    const baseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (!CREDENTIAL_HEADERS.includes(name.toLowerCase())) baseHeaders[name.toLowerCase()] = value;
    }
    for (let hop = 0; ; hop++) {
      const headers = { ...baseHeaders };
      if (request.authorization !== undefined && url.origin === request.authOrigin) headers['authorization'] = request.authorization;
      const response = await this.#options.transport.send(
        { method, url, headers, signal: request.signal, ...(body === undefined ? {} : { body }) },
        request.registryHost,
      );
      // Host only: a path or query could carry a repository name or a signed URL's token.
      this.#options.observer.response({ host: url.host, method, status: response.status, purpose: request.purpose ?? 'registry' });
      if (!request.followRedirects || !isRedirectStatus(response.status)) return response;
      let next: URL;
      try {
        next = toRedirectTarget(url, headerValue(response.headers, 'location'), hop, this.#options.maxRedirects);
      } catch (error) {
        // A refused redirect's body is never read: release it, or the pool waits on it forever.
        dropBody(response.body);
        throw error;
      }
      await discardBody(response.body, this.#options.errorBodyBytes);
      if (response.status === 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
        delete baseHeaders['content-type'];
      }
      url = next;
    }
  }

  /** A registry call with authentication; the response may be any status. */
  async send(call: RegistryCall): Promise<HttpResponse> {
    const endpoint = this.#options.transport.baseUrl(call.endpoint);
    const registryOrigin = endpoint.origin;
    const target = { registry: call.registry, endpoint, scopes: call.scopes };
    const followRedirects = call.followRedirects ?? (call.method === 'GET' || call.method === 'HEAD');
    const canRetry = call.canRetry ?? call.method !== 'PATCH';
    const build = (authorization: string | undefined): ExchangeRequest => ({
      method: call.method,
      url: call.url,
      signal: call.signal,
      followRedirects,
      canRetry,
      registryHost: endpoint.host,
      authOrigin: registryOrigin,
      ...(call.headers === undefined ? {} : { headers: call.headers }),
      ...(call.body === undefined ? {} : { body: call.body }),
      ...(authorization === undefined ? {} : { authorization }),
    });
    const first = await this.#auth.authorization(target, call.signal);
    const response = await this.exchange(build(first));
    if (response.status !== 401 || response.url.origin !== registryOrigin) return response;
    const challenge = headerValue(response.headers, 'www-authenticate');
    await discardBody(response.body, this.#options.errorBodyBytes);
    const second = await this.#auth.challenge(target, challenge, first, call.signal);
    return this.exchange(build(second));
  }
}
