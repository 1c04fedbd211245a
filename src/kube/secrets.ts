/**
 * Secrets and ServiceAccounts, read for registry credentials and
 * verification keys. Secret values are decoded here and handed on as bytes;
 * they never appear in an error (errors.ts builds messages from Status only).
 */
import { kubeError } from './errors.ts';
import { resourcePath, toObjectKey } from './objects.ts';
import type { KubeTransport } from './transport.ts';

/** A Secret's type and its decoded `data`. */
export interface SecretData {
  /** e.g. `kubernetes.io/dockerconfigjson`, `Opaque`. */
  readonly type: string;
  readonly data: ReadonlyMap<string, Uint8Array>;
}

export interface SecretReader {
  /** The Secret; KUBE_NOT_FOUND when missing. */
  getSecret(namespace: string, name: string, signal: AbortSignal): Promise<SecretData>;
  /** The names in a ServiceAccount's `imagePullSecrets`, in order; KUBE_NOT_FOUND when missing. */
  getImagePullSecretNames(namespace: string, serviceAccount: string, signal: AbortSignal): Promise<string[]>;
}

const SECRETS = { group: '', version: 'v1', plural: 'secrets' } as const;
const SERVICE_ACCOUNTS = { group: '', version: 'v1', plural: 'serviceaccounts' } as const;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Secret and ServiceAccount reads over `transport`. */
export function createSecretReader(transport: KubeTransport): SecretReader {
  return {
    async getSecret(namespace, name, signal) {
      const operation = `get secret ${toObjectKey(namespace, name)}`;
      const body = await transport.request({ method: 'GET', path: resourcePath(SECRETS, namespace, name), operation, signal });
      return toSecretData(body, operation);
    },
    async getImagePullSecretNames(namespace, serviceAccount, signal) {
      const operation = `get serviceaccount ${toObjectKey(namespace, serviceAccount)}`;
      const body = await transport.request({ method: 'GET', path: resourcePath(SERVICE_ACCOUNTS, namespace, serviceAccount), operation, signal });
      return toImagePullSecretNames(body, operation);
    },
  };
}

/** A Secret object (core/v1) as type + decoded data; `stringData` is write-only and never returned by the server. */
export function toSecretData(body: unknown, operation: string): SecretData {
  if (typeof body !== 'object' || body === null) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: not an object`);
  const { type, data } = body as { type?: unknown; data?: unknown };
  const entries = new Map<string, Uint8Array>();
  if (data !== undefined && data !== null) {
    if (typeof data !== 'object' || Array.isArray(data)) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: data is not a map`);
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      // The key is safe to name; the value never is.
      if (typeof value !== 'string' || !STRICT_BASE64.test(value)) {
        throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: data.${key} is not base64`);
      }
      entries.set(key, new Uint8Array(Buffer.from(value, 'base64')));
    }
  }
  return { type: typeof type === 'string' && type !== '' ? type : 'Opaque', data: entries };
}

/** The `imagePullSecrets[].name` of a ServiceAccount. */
export function toImagePullSecretNames(body: unknown, operation: string): string[] {
  if (typeof body !== 'object' || body === null) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: not an object`);
  const refs = (body as { imagePullSecrets?: unknown }).imagePullSecrets;
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: imagePullSecrets is not a list`);
  const names: string[] = [];
  for (const ref of refs as unknown[]) {
    const name = typeof ref === 'object' && ref !== null ? (ref as { name?: unknown }).name : undefined;
    if (typeof name === 'string' && name !== '') names.push(name);
  }
  return names;
}
