/**
 * Bearer tokens by registry host and scope set (distribution token spec,
 * docs/spec/auth/token.md). A token lives `expires_in` seconds from when we
 * received it (default 60 s when absent, per the spec), minus a margin so a
 * token never expires between the cache lookup and the request.
 */
import type { Clock } from '../shared/index.ts';

/** The spec's default lifetime when a token response has no `expires_in`. */
export const DEFAULT_TOKEN_SECONDS = 60;
const MAX_ENTRIES = 1000;

interface Entry {
  readonly token: string;
  readonly expiresAt: number;
}

/** The key of a (host, scopes) pair: scope order and duplicates do not matter. */
export function toScopeKey(host: string, scopes: readonly string[]): string {
  return `${host} ${[...new Set(scopes)].sort().join(' ')}`;
}

export class TokenCache {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A still-valid token for exactly these scopes, if cached. */
  get(host: string, scopes: readonly string[]): string | undefined {
    const key = toScopeKey(host, scopes);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#clock.now() >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  /** Stores a token received now, valid for `expiresInSeconds` (undefined: the spec default). */
  set(host: string, scopes: readonly string[], token: string, expiresInSeconds: number | undefined): void {
    const lifetimeMs = (expiresInSeconds ?? DEFAULT_TOKEN_SECONDS) * 1000;
    // 10% of the lifetime, at most 10 s, comes off the end.
    const margin = Math.min(10_000, lifetimeMs / 10);
    const key = toScopeKey(host, scopes);
    this.#entries.delete(key);
    this.#entries.set(key, { token, expiresAt: this.#clock.now() + lifetimeMs - margin });
    while (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Forgets a token the registry refused. */
  delete(host: string, scopes: readonly string[]): void {
    this.#entries.delete(toScopeKey(host, scopes));
  }
}
