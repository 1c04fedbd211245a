/**
 * RegistryClients per access configuration (house rule 6: an unchanged
 * artifact costs one registry request). Objects differ in credentials, TLS,
 * proxy and plain HTTP, so each configuration gets its own client; objects
 * and reconciles with the same RegistryAccess.fingerprint share one, so a
 * steady-state reconcile reuses its bearer token and keep-alive connections.
 * A changed Secret changes the fingerprint: a new client, the old one closed
 * once it falls out of the cache.
 */
import { RegistryClient, toRegistryEndpoint, type RegistryClientOptions } from '../oci/index.ts';
import type { RegistryAccess, RegistryClientFactory } from './ports.ts';

export interface RegistryClientCacheOptions {
  /** Settings every client shares (clock, retry, limits, user agent, proxy environment). */
  readonly base?: Omit<RegistryClientOptions, 'credentials' | 'hosts' | 'defaults'>;
  /** Clients kept; the least recently used beyond this are closed. Default 256. */
  readonly maxClients?: number;
  /** Builds a client (tests count them); default `new RegistryClient(options)`. */
  readonly create?: (options: RegistryClientOptions) => RegistryClient;
}

/** A RegistryClientFactory with an LRU cache, and close() for shutdown. */
export interface RegistryClientCache extends RegistryClientFactory {
  readonly size: number;
  close(): Promise<void>;
}

/** The options of the client for `access`. */
export function toClientOptions(access: RegistryAccess, base: RegistryClientCacheOptions['base'] = {}): RegistryClientOptions {
  return {
    ...base,
    hosts: { [toRegistryEndpoint(access.registry)]: access.host },
    ...(access.credentials === undefined ? {} : { credentials: access.credentials }),
  };
}

/** A cache of clients keyed by RegistryAccess.fingerprint. */
export function createRegistryClientCache(options: RegistryClientCacheOptions = {}): RegistryClientCache {
  const clients = new Map<string, RegistryClient>();
  const max = options.maxClients ?? 256;
  const create = options.create ?? ((clientOptions: RegistryClientOptions) => new RegistryClient(clientOptions));
  return {
    get size() {
      return clients.size;
    },
    clientFor(access) {
      const existing = clients.get(access.fingerprint);
      if (existing !== undefined) {
        // Most recently used last.
        clients.delete(access.fingerprint);
        clients.set(access.fingerprint, existing);
        return existing;
      }
      const client = create(toClientOptions(access, options.base));
      clients.set(access.fingerprint, client);
      while (clients.size > max) {
        const [oldest] = clients.entries();
        if (oldest === undefined) break;
        clients.delete(oldest[0]);
        // A reconcile may still hold it; undici finishes running requests before closing.
        void oldest[1].close().catch(() => undefined);
      }
      return client;
    },
    async close() {
      const all = [...clients.values()];
      clients.clear();
      await Promise.allSettled(all.map((client) => client.close()));
    },
  };
}
