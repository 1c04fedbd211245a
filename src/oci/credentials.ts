/**
 * Registry credentials: the Credential shapes the auth flow understands and
 * providers built from Docker's config.json format — the CLI's
 * ~/.docker/config.json (with credential helpers) and the controller's
 * kubernetes.io/dockerconfigjson Secrets (never with helpers: a Secret must
 * not be able to make the controller run a program).
 */
import { ociError } from './errors.ts';
import { isObject } from './descriptor.ts';
import { DOCKER_HUB } from './reference.ts';

export type Credential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** Docker's `identitytoken`: an OAuth2 refresh token for the token endpoint. */
  | { readonly kind: 'refresh-token'; readonly token: string }
  /** Docker's `registrytoken`: a bearer token sent to the registry as is. */
  | { readonly kind: 'access-token'; readonly token: string };

/**
 * Credentials for a registry domain as written in references (`docker.io`,
 * `ghcr.io`, `127.0.0.1:5000`), or undefined for anonymous access.
 */
export type CredentialProvider = (registry: string, signal: AbortSignal) => Promise<Credential | undefined>;

/**
 * Runs `docker-credential-<helper> get` for `serverUrl`
 * (docker-credential-helpers protocol); undefined when the helper has none.
 */
export type CredentialHelperRunner = (helper: string, serverUrl: string, signal: AbortSignal) => Promise<Credential | undefined>;

export interface DockerConfig {
  /** Keys as written in the file (`https://index.docker.io/v1/`, `ghcr.io`, ...). */
  readonly auths: Readonly<Record<string, Credential | undefined>>;
  readonly credHelpers: Readonly<Record<string, string>>;
  readonly credsStore?: string;
}

/** The key docker itself uses for Docker Hub. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A fixed map of registry → credential (tests, flags). Keys are matched like config.json keys. */
export function staticCredentials(credentials: Readonly<Record<string, Credential>>): CredentialProvider {
  return (registry) => Promise.resolve(lookup(credentials, registry));
}

/**
 * The host a config.json key names, as docker normalises it
 * (`https://index.docker.io/v1/` → `docker.io`, `http://r:5000/v2/` → `r:5000`).
 */
export function toConfigHost(key: string): string {
  const host = key.replace(/^https?:\/\//i, '').split('/')[0]?.toLowerCase() ?? '';
  return DOCKER_HUB_HOSTS.has(host) ? DOCKER_HUB : host;
}

function lookup<T>(entries: Readonly<Record<string, T>>, registry: string): T | undefined {
  const wanted = toConfigHost(registry);
  if (Object.hasOwn(entries, registry)) return entries[registry];
  if (wanted === DOCKER_HUB && Object.hasOwn(entries, DOCKER_HUB_CONFIG_KEY)) return entries[DOCKER_HUB_CONFIG_KEY];
  // Deterministic among several spellings of the same host: shortest, then lexical.
  const keys = Object.keys(entries).filter((key) => toConfigHost(key) === wanted).sort((a, b) => a.length - b.length || a.localeCompare(b));
  const first = keys[0];
  return first === undefined ? undefined : entries[first];
}

function configInvalid(message: string): Error {
  return ociError('CONFIG_INVALID', `docker config: ${message}`);
}

function optionalString(entry: Readonly<Record<string, unknown>>, field: string, key: string): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw configInvalid(`auths[${JSON.stringify(key)}].${field} must be a string`);
  return value;
}

function toCredential(key: string, entry: unknown): Credential | undefined {
  if (!isObject(entry)) throw configInvalid(`auths[${JSON.stringify(key)}] must be an object`);
  const identityToken = optionalString(entry, 'identitytoken', key);
  if (identityToken !== undefined) return { kind: 'refresh-token', token: identityToken };
  const registryToken = optionalString(entry, 'registrytoken', key);
  if (registryToken !== undefined) return { kind: 'access-token', token: registryToken };
  const auth = optionalString(entry, 'auth', key);
  if (auth !== undefined) {
    // Never echo the value: it is a password.
    if (!BASE64.test(auth)) throw configInvalid(`auths[${JSON.stringify(key)}].auth is not base64`);
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw configInvalid(`auths[${JSON.stringify(key)}].auth must encode username:password`);
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const username = optionalString(entry, 'username', key);
  const password = optionalString(entry, 'password', key);
  if (username !== undefined && password !== undefined) return { kind: 'basic', username, password };
  if (username !== undefined || password !== undefined) {
    throw configInvalid(`auths[${JSON.stringify(key)}] has a username or a password but not both`);
  }
  return undefined;
}

/**
 * Parses config.json / `.dockerconfigjson` bytes. Throws CONFIG_INVALID
 * (stalling) without quoting any secret.
 */
export function parseDockerConfig(bytes: Uint8Array | string): DockerConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch {
    throw configInvalid('not valid JSON');
  }
  if (!isObject(doc)) throw configInvalid('must be a JSON object');
  const auths: Record<string, Credential | undefined> = {};
  const rawAuths = doc['auths'] ?? {};
  if (!isObject(rawAuths)) throw configInvalid('auths must be an object');
  for (const [key, entry] of Object.entries(rawAuths)) auths[key] = toCredential(key, entry);
  const credHelpers: Record<string, string> = {};
  const rawHelpers = doc['credHelpers'] ?? {};
  if (!isObject(rawHelpers)) throw configInvalid('credHelpers must be an object');
  for (const [key, name] of Object.entries(rawHelpers)) {
    if (typeof name !== 'string' || !HELPER_NAME.test(name)) throw configInvalid(`credHelpers[${JSON.stringify(key)}] is not a helper name`);
    credHelpers[key] = name;
  }
  const credsStore = doc['credsStore'];
  if (credsStore !== undefined && credsStore !== '' && (typeof credsStore !== 'string' || !HELPER_NAME.test(credsStore))) {
    throw configInvalid('credsStore is not a helper name');
  }
  return { auths, credHelpers, ...(typeof credsStore === 'string' && credsStore !== '' ? { credsStore } : {}) };
}

export interface DockerConfigProviderOptions {
  /** Runs credential helpers; without it `credHelpers`/`credsStore` are ignored (the controller's case). */
  readonly helperRunner?: CredentialHelperRunner;
}

/**
 * A provider over a parsed config, in docker's order: a `credHelpers` entry
 * for the host, then an `auths` entry with credentials, then `credsStore`.
 */
export function toCredentialProvider(config: DockerConfig, options: DockerConfigProviderOptions = {}): CredentialProvider {
  const runner = options.helperRunner;
  return async (registry, signal) => {
    const serverUrl = toConfigHost(registry) === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : registry;
    const helper = lookup(config.credHelpers, registry);
    if (runner !== undefined && helper !== undefined) return runner(helper, serverUrl, signal);
    const fromFile = lookup(config.auths, registry);
    if (fromFile !== undefined) return fromFile;
    if (runner !== undefined && config.credsStore !== undefined) return runner(config.credsStore, serverUrl, signal);
    return undefined;
  };
}

/** Shorthand: a provider from config.json / `.dockerconfigjson` bytes. */
export function dockerConfigCredentials(bytes: Uint8Array | string, options: DockerConfigProviderOptions = {}): CredentialProvider {
  return toCredentialProvider(parseDockerConfig(bytes), options);
}
