/**
 * Registry authentication: Basic, and the distribution token flow
 * (distribution docs/spec/auth/token.md, oauth.md). After a 401 the
 * `WWW-Authenticate` challenge names the scheme; for Bearer we fetch a token
 * for the request's scopes from the realm (anonymously when there are no
 * credentials), cache it per host and scope set, and remember the realm so
 * later requests get a token up front instead of a 401 round trip.
 *
 * Realms are checked before anything is sent: http(s) only, no downgrade
 * from an https registry, no link-local/SSRF targets (oras GHSA-xf85/28r5).
 */
import { redactUrl, type Clock } from '../shared/index.ts';
import { parseChallenges, type Challenge } from './auth-challenge.ts';
import { readCapped } from './body.ts';
import type { Credential, CredentialProvider } from './credentials.ts';
import { isObject } from './descriptor.ts';
import { ociError } from './errors.ts';
import { assertSafeTarget } from './redirects.ts';
import { toResponseError } from './response-error.ts';
import type { TokenCache } from './token-cache.ts';
import type { RequestPurpose } from './observer.ts';
import { describeRequest, type HttpMethod, type HttpResponse, type RequestBody } from './transport.ts';

/** A request the authenticator needs sent (token fetches), with redirects and retries. */
export interface ExchangeRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly signal: AbortSignal;
  /** Sent only while a hop's origin equals `authOrigin`. */
  readonly authorization?: string;
  readonly authOrigin?: string;
  /** The registry endpoint host, when talking to the registry (TLS client cert). */
  readonly registryHost?: string;
  readonly followRedirects: boolean;
  readonly canRetry: boolean;
  /** What the request is for, as the observer is told; default 'registry'. */
  readonly purpose?: RequestPurpose;
}

export type Exchange = (request: ExchangeRequest) => Promise<HttpResponse>;

/** What is being accessed: the registry as referenced, its endpoint URL and the token scopes. */
export interface AuthTarget {
  readonly registry: string;
  readonly endpoint: URL;
  readonly scopes: readonly string[];
}

type HostScheme =
  | { readonly scheme: 'basic' }
  | { readonly scheme: 'bearer'; readonly realm: URL; readonly service: string | undefined };

export interface AuthenticatorOptions {
  readonly credentials: CredentialProvider | undefined;
  readonly tokens: TokenCache;
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly tokenBytes: number;
  readonly errorBodyBytes: number;
  /** OAuth2 client_id for refresh-token grants. */
  readonly clientId: string;
}

/** Token strings end up in a header: visible ASCII only. */
const TOKEN_PATTERN = /^[\x21-\x7e]{1,16384}$/;

function basicHeader(credential: Extract<Credential, { kind: 'basic' }>): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
}

export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #schemes = new Map<string, HostScheme>();
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
  }

  async #credential(target: AuthTarget, signal: AbortSignal): Promise<Credential | undefined> {
    return this.#options.credentials === undefined ? undefined : this.#options.credentials(target.registry, signal);
  }

  /** The Authorization to send up front, if what this host wants is already known. */
  async authorization(target: AuthTarget, signal: AbortSignal): Promise<string | undefined> {
    const known = this.#schemes.get(target.endpoint.host);
    if (known === undefined) return undefined;
    const credential = await this.#credential(target, signal);
    if (known.scheme === 'basic') return credential?.kind === 'basic' ? basicHeader(credential) : undefined;
    if (credential?.kind === 'access-token') return `Bearer ${credential.token}`;
    return `Bearer ${await this.#token(target, known.realm, known.service, credential, signal)}`;
  }

  /**
   * The Authorization to retry with after a 401 carrying `header`. Throws
   * UNAUTHORIZED when no supported challenge can be answered, and
   * AUTH_REALM_UNSAFE before sending anything to a bad realm.
   */
  async challenge(target: AuthTarget, header: string | undefined, rejected: string | undefined, signal: AbortSignal): Promise<string> {
    const challenges = parseChallenges(header ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const credential = await this.#credential(target, signal);
    const where = redactUrl(target.endpoint);
    if (bearer !== undefined) {
      if (credential?.kind === 'access-token') {
        if (rejected !== undefined) throw ociError('UNAUTHORIZED', `${where}: the registry refused the configured registry token`);
        this.#schemes.set(target.endpoint.host, { scheme: 'bearer', realm: target.endpoint, service: undefined });
        return `Bearer ${credential.token}`;
      }
      const { realm, service } = this.#realm(target, bearer);
      this.#schemes.set(target.endpoint.host, { scheme: 'bearer', realm, service });
      if (rejected !== undefined) this.#options.tokens.delete(target.endpoint.host, target.scopes);
      const scopes = [...target.scopes, ...(bearer.params['scope'] ?? '').split(' ').filter((s) => s !== '')];
      return `Bearer ${await this.#token({ ...target, scopes }, realm, service, credential, signal, target.scopes)}`;
    }
    if (basic !== undefined) {
      if (credential?.kind !== 'basic') {
        throw ociError('UNAUTHORIZED', `${where}: basic authentication required and no username/password configured`);
      }
      this.#schemes.set(target.endpoint.host, { scheme: 'basic' });
      const answer = basicHeader(credential);
      if (answer === rejected) throw ociError('UNAUTHORIZED', `${where}: the registry refused the configured username/password`);
      return answer;
    }
    throw ociError('UNAUTHORIZED', `${where}: 401 without a supported WWW-Authenticate challenge`);
  }

  #realm(target: AuthTarget, challenge: Challenge): { realm: URL; service: string | undefined } {
    const raw = challenge.params['realm'];
    if (raw === undefined || raw === '') throw ociError('AUTH_CHALLENGE_INVALID', `${redactUrl(target.endpoint)}: bearer challenge without realm`);
    let realm: URL;
    try {
      realm = new URL(raw);
    } catch {
      throw ociError('AUTH_REALM_UNSAFE', `${redactUrl(target.endpoint)}: bearer realm is not an absolute URL`);
    }
    assertSafeTarget(target.endpoint, realm, `token realm of ${redactUrl(target.endpoint)}`, 'AUTH_REALM_UNSAFE');
    return { realm, service: challenge.params['service'] };
  }

  /** A cached or fresh token; concurrent callers for the same key share one fetch. */
  async #token(
    target: AuthTarget, realm: URL, service: string | undefined, credential: Credential | undefined,
    signal: AbortSignal, cacheScopes: readonly string[] = target.scopes,
  ): Promise<string> {
    const host = target.endpoint.host;
    const cached = this.#options.tokens.get(host, cacheScopes);
    if (cached !== undefined) return cached;
    const key = `${host} ${[...new Set(target.scopes)].sort().join(' ')}`;
    const pending = this.#inflight.get(key);
    if (pending !== undefined) return pending;
    const fetching = (async () => {
      try {
        const { token, expiresIn } = await this.#fetchToken(target, realm, service, credential, signal);
        this.#options.tokens.set(host, cacheScopes, token, expiresIn);
        return token;
      } finally {
        this.#inflight.delete(key);
      }
    })();
    this.#inflight.set(key, fetching);
    return fetching;
  }

  async #fetchToken(
    target: AuthTarget, realm: URL, service: string | undefined, credential: Credential | undefined, signal: AbortSignal,
  ): Promise<{ token: string; expiresIn: number | undefined }> {
    const scopes = [...new Set(target.scopes)];
    let request: ExchangeRequest;
    if (credential?.kind === 'refresh-token') {
      // oauth.md: refresh tokens are exchanged by POSTing a form.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.token, client_id: this.#options.clientId });
      if (service !== undefined) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      request = {
        method: 'POST', url: realm, signal, followRedirects: false, canRetry: true, purpose: 'token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new TextEncoder().encode(form.toString()),
      };
    } else {
      const url = new URL(realm);
      if (service !== undefined) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      if (credential?.kind === 'basic') url.searchParams.set('account', credential.username);
      request = {
        method: 'GET', url, signal, followRedirects: true, canRetry: true, purpose: 'token',
        ...(credential?.kind === 'basic' ? { authorization: basicHeader(credential), authOrigin: realm.origin } : {}),
      };
    }
    const operation = `token request to ${describeRequest(request.method, realm)}`;
    const response = await this.#options.exchange(request);
    if (response.status !== 200) {
      const error = await toResponseError(response, operation, { errorBodyBytes: this.#options.errorBodyBytes, now: this.#options.clock.now() });
      if (response.status === 401 || response.status === 403) {
        throw ociError('UNAUTHORIZED', `${operation}: the token server refused the credentials (status ${response.status})`, { cause: error });
      }
      throw error;
    }
    const limit = this.#options.tokenBytes;
    const bytes = await readCapped(response.body, limit, () => ociError('TOKEN_TOO_LARGE', `${operation}: response larger than ${limit} bytes`));
    return toTokenResponse(bytes, operation);
  }
}

/** `token` or `access_token`, and `expires_in` (token.md §"Token Response Fields"). */
export function toTokenResponse(bytes: Uint8Array, operation: string): { token: string; expiresIn: number | undefined } {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw ociError('TOKEN_RESPONSE_INVALID', `${operation}: response is not JSON`);
  }
  if (!isObject(doc)) throw ociError('TOKEN_RESPONSE_INVALID', `${operation}: response is not a JSON object`);
  const token = typeof doc['token'] === 'string' && doc['token'] !== '' ? doc['token'] : doc['access_token'];
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) {
    throw ociError('TOKEN_RESPONSE_INVALID', `${operation}: response has no usable token`);
  }
  const expires = doc['expires_in'];
  const expiresIn = typeof expires === 'number' && Number.isFinite(expires) && expires > 0 ? expires : undefined;
  return { token, expiresIn };
}
