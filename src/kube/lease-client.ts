/**
 * coordination.k8s.io/v1 Leases, read and written whole with the
 * resourceVersion as the lock: a 409 means another candidate wrote first.
 * Times are MicroTime strings (micro-time.ts).
 */
import { resourcePath, toObjectKey } from './objects.ts';
import type { KubeTransport } from './transport.ts';

/** LeaseSpec fields as on the wire. */
export interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

export interface LeaseRecord {
  readonly resourceVersion: string;
  readonly spec: LeaseSpec;
}

export interface LeaseClient {
  /** The Lease; KUBE_NOT_FOUND when it does not exist. */
  get(namespace: string, name: string, signal: AbortSignal): Promise<LeaseRecord>;
  /** Creates the Lease; KUBE_CONFLICT when it exists. */
  create(namespace: string, name: string, spec: LeaseSpec, signal: AbortSignal): Promise<LeaseRecord>;
  /** Replaces the spec if the Lease is still at `resourceVersion`; else KUBE_CONFLICT. */
  update(namespace: string, name: string, spec: LeaseSpec, resourceVersion: string, signal: AbortSignal): Promise<LeaseRecord>;
}

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' } as const;

/** Lease access over `transport`. */
export function createLeaseClient(transport: KubeTransport): LeaseClient {
  const body = (namespace: string, name: string, spec: LeaseSpec, resourceVersion?: string): unknown => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: resourceVersion === undefined ? { name, namespace } : { name, namespace, resourceVersion },
    spec,
  });
  return {
    async get(namespace, name, signal) {
      const operation = `get lease ${toObjectKey(namespace, name)}`;
      return toLeaseRecord(await transport.request({ method: 'GET', path: resourcePath(LEASES, namespace, name), operation, signal }));
    },
    async create(namespace, name, spec, signal) {
      const operation = `create lease ${toObjectKey(namespace, name)}`;
      return toLeaseRecord(await transport.request({ method: 'POST', path: resourcePath(LEASES, namespace), body: body(namespace, name, spec), operation, signal }));
    },
    async update(namespace, name, spec, resourceVersion, signal) {
      const operation = `update lease ${toObjectKey(namespace, name)}`;
      return toLeaseRecord(await transport.request({
        method: 'PUT', path: resourcePath(LEASES, namespace, name), body: body(namespace, name, spec, resourceVersion), operation, signal,
      }));
    },
  };
}

/** The spec fields of a Lease response, dropping anything of the wrong type. */
export function toLeaseRecord(value: unknown): LeaseRecord {
  const object = (typeof value === 'object' && value !== null ? value : {}) as { metadata?: { resourceVersion?: unknown }; spec?: Record<string, unknown> };
  const raw = object.spec ?? {};
  const spec: { -readonly [K in keyof LeaseSpec]: LeaseSpec[K] } = {};
  if (typeof raw['holderIdentity'] === 'string') spec.holderIdentity = raw['holderIdentity'];
  if (typeof raw['leaseDurationSeconds'] === 'number') spec.leaseDurationSeconds = raw['leaseDurationSeconds'];
  if (typeof raw['acquireTime'] === 'string') spec.acquireTime = raw['acquireTime'];
  if (typeof raw['renewTime'] === 'string') spec.renewTime = raw['renewTime'];
  if (typeof raw['leaseTransitions'] === 'number') spec.leaseTransitions = raw['leaseTransitions'];
  const resourceVersion = object.metadata?.resourceVersion;
  return { resourceVersion: typeof resourceVersion === 'string' ? resourceVersion : '', spec };
}
