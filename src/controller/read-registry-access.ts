/**
 * Step a (registry half): how to reach spec.url for this object, from its
 * Secrets (research/flux.md §4.8). The reconciler reads Secrets here and in
 * verification-material.ts only; values become a CredentialProvider and TLS
 * or proxy settings, never text in a message.
 *
 * - secretRef: a `.dockerconfigjson` (kubernetes.io/dockerconfigjson). A
 *   missing Secret fails with AuthenticationFailed: no anonymous fallback.
 * - serviceAccountName: the Secrets its imagePullSecrets name, after secretRef.
 * - certSecretRef: `ca.crt` (added to the public roots), `tls.crt` + `tls.key`
 *   (together or not at all).
 * - proxySecretRef: `address` (required), `username`, `password`.
 * - insecure: plain HTTP, as Flux.
 */
import {
  dockerConfigCredentials, type Credential, type CredentialProvider, type HostOptions,
} from '../oci/index.ts';
import { CONDITION, REASON, type OCIRepository } from '../api/index.ts';
import { isNotFound } from '../kube/index.ts';
import { describeError } from '../shared/index.ts';
import type { RegistryAccess, SecretContent, SecretSource } from './ports.ts';
import { toFingerprint } from './secret-fingerprint.ts';
import { StepFailure } from './step-failure.ts';

const DOCKER_CONFIG_KEY = '.dockerconfigjson';

function authFailure(message: string, cause?: unknown): StepFailure {
  return new StepFailure({ condition: CONDITION.fetchFailed, reason: REASON.authenticationFailed, message, cause });
}

/** `secret '<ns>/<name>' not found`, or the coded error's own message (never a value). */
function toReadError(kind: string, namespace: string, name: string, error: unknown): string {
  return isNotFound(error) ? `${kind} '${namespace}/${name}' not found` : describeError(error);
}

async function readSecret(
  secrets: SecretSource, namespace: string, name: string, prefix: string, signal: AbortSignal,
): Promise<SecretContent> {
  try {
    return await secrets.getSecret(namespace, name, signal);
  } catch (error) {
    throw authFailure(`${prefix}: ${toReadError('secret', namespace, name, error)}`, error);
  }
}

function toText(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}

/** Credentials from pull Secrets: the first Secret with an entry for the registry wins. */
function chainCredentials(providers: readonly CredentialProvider[]): CredentialProvider | undefined {
  if (providers.length === 0) return undefined;
  return async (registry, signal): Promise<Credential | undefined> => {
    for (const provider of providers) {
      const credential = await provider(registry, signal);
      if (credential !== undefined) return credential;
    }
    return undefined;
  };
}

function toPullCredentials(secret: SecretContent, namespace: string, name: string): CredentialProvider {
  const config = secret.data.get(DOCKER_CONFIG_KEY);
  if (config === undefined) {
    throw authFailure(`failed to get credential: secret '${namespace}/${name}' has no '${DOCKER_CONFIG_KEY}' key`);
  }
  try {
    return dockerConfigCredentials(config);
  } catch (error) {
    throw authFailure(`failed to get credential: secret '${namespace}/${name}': ${describeError(error)}`, error);
  }
}

async function readPullSecrets(
  object: OCIRepository, secrets: SecretSource, signal: AbortSignal,
): Promise<{ providers: CredentialProvider[]; used: SecretContent[]; names: string[] }> {
  const { namespace } = object.metadata;
  const names: string[] = [];
  if (object.spec.secretRef !== undefined) names.push(object.spec.secretRef.name);
  if (object.spec.serviceAccountName !== undefined) {
    const account = object.spec.serviceAccountName;
    try {
      names.push(...await secrets.getImagePullSecretNames(namespace, account, signal));
    } catch (error) {
      throw authFailure(`failed to get credential: ${toReadError('service account', namespace, account, error)}`, error);
    }
  }
  const providers: CredentialProvider[] = [];
  const used: SecretContent[] = [];
  for (const name of names) {
    const secret = await readSecret(secrets, namespace, name, 'failed to get credential', signal);
    providers.push(toPullCredentials(secret, namespace, name));
    used.push(secret);
  }
  return { providers, used, names };
}

async function readTls(object: OCIRepository, secrets: SecretSource, signal: AbortSignal): Promise<{ host: HostOptions; secret?: SecretContent }> {
  const ref = object.spec.certSecretRef;
  if (ref === undefined) return { host: {} };
  const { namespace } = object.metadata;
  const prefix = `failed to generate transport for '${object.spec.url}'`;
  const secret = await readSecret(secrets, namespace, ref.name, prefix, signal);
  const ca = secret.data.get('ca.crt');
  const cert = secret.data.get('tls.crt');
  const key = secret.data.get('tls.key');
  if ((cert === undefined) !== (key === undefined)) {
    throw authFailure(`${prefix}: secret '${namespace}/${ref.name}' must contain both 'tls.crt' and 'tls.key', or neither`);
  }
  if (ca === undefined && cert === undefined) {
    throw authFailure(`${prefix}: secret '${namespace}/${ref.name}' must contain 'ca.crt', or both 'tls.crt' and 'tls.key'`);
  }
  return {
    host: {
      ...(ca === undefined ? {} : { ca: Buffer.from(ca) }),
      ...(cert === undefined || key === undefined ? {} : { cert: Buffer.from(cert), key: Buffer.from(key) }),
    },
    secret,
  };
}

/** The proxy URL with its credentials as userinfo (undici's ProxyAgent sends them as Proxy-Authorization). */
async function readProxy(object: OCIRepository, secrets: SecretSource, signal: AbortSignal): Promise<{ proxy?: string; secret?: SecretContent }> {
  const ref = object.spec.proxySecretRef;
  if (ref === undefined) return {};
  const { namespace } = object.metadata;
  const secret = await readSecret(secrets, namespace, ref.name, 'failed to get proxy address', signal);
  const address = toText(secret.data.get('address'));
  if (address === undefined || address.trim() === '') {
    throw authFailure(`failed to get proxy address: secret '${namespace}/${ref.name}' has no 'address' key`);
  }
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    throw authFailure(`failed to get proxy address: secret '${namespace}/${ref.name}': 'address' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw authFailure(`failed to get proxy address: secret '${namespace}/${ref.name}': 'address' must be an http or https URL`);
  }
  const username = toText(secret.data.get('username'));
  const password = toText(secret.data.get('password'));
  if (username !== undefined) url.username = encodeURIComponent(username);
  if (password !== undefined) url.password = encodeURIComponent(password);
  return { proxy: url.toString(), secret };
}

/** Step a for the registry: credentials, TLS, proxy and plain HTTP of this object, with a fingerprint to share clients by. */
export async function readRegistryAccess(object: OCIRepository, secrets: SecretSource, signal: AbortSignal): Promise<RegistryAccess> {
  const pull = await readPullSecrets(object, secrets, signal);
  // Flux asks the cloud provider for a token when no pull secret gave credentials (flux.md §4.8).
  // bob cannot yet; saying so beats silently pulling anonymously.
  if (object.spec.provider !== 'generic' && pull.providers.length === 0) {
    throw new StepFailure({
      condition: CONDITION.fetchFailed, reason: REASON.authenticationFailed, stall: true,
      message: `failed to get credential from '${object.spec.provider}': cloud provider authentication is not supported yet; use spec.secretRef or spec.serviceAccountName with imagePullSecrets`,
    });
  }
  const tls = await readTls(object, secrets, signal);
  const proxy = await readProxy(object, secrets, signal);
  const host: HostOptions = {
    ...tls.host,
    ...(object.spec.insecure ? { plainHttp: true } : {}),
    ...(proxy.proxy === undefined ? {} : { proxy: proxy.proxy }),
  };
  const used = [...pull.used, ...(tls.secret === undefined ? [] : [tls.secret]), ...(proxy.secret === undefined ? [] : [proxy.secret])];
  const fingerprint = toFingerprint([
    object.spec.registry, String(object.spec.insecure), pull.names.join(','), tls.secret === undefined ? '' : 'tls',
    proxy.secret === undefined ? '' : 'proxy',
  ], used);
  const credentials = chainCredentials(pull.providers);
  return { registry: object.spec.registry, host, fingerprint, ...(credentials === undefined ? {} : { credentials }) };
}
