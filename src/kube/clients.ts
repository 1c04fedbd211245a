/**
 * The composition point of this module: one kubeconfig, one transport, and
 * the typed clients over it. The controller creates this once (operator.ts)
 * and passes the parts on; nothing here is global.
 */
import { createCustomObjectClient, type CustomObjectClient } from './custom-objects.ts';
import { createEventRecorder, type EventRecorder, type EventRecorderOptions } from './event-recorder.ts';
import { loadKubeConfig, type KubeConfigOptions } from './kube-config.ts';
import { createLeaderElector, type LeaderElector, type LeaderElectorOptions } from './leader-election.ts';
import { createLeaseClient, type LeaseClient } from './lease-client.ts';
import type { KubeObject, ResourceType } from './objects.ts';
import { createSecretReader, type SecretReader } from './secrets.ts';
import { createTransport, type KubeTransport } from './transport.ts';

/** Everything the controller needs from the API server. */
export interface KubeClients {
  /** The API server URL of the current context (for logs; carries no credentials). */
  readonly server: string;
  /** The current context's namespace (in a pod: the pod's), if any. */
  readonly namespace: string | undefined;
  readonly transport: KubeTransport;
  readonly secrets: SecretReader;
  readonly leases: LeaseClient;
  /** A client for one resource type whose objects are T (e.g. the OCIRepository CRD). */
  customObjects<T extends KubeObject>(type: ResourceType): CustomObjectClient<T>;
  /** An event recorder writing through this transport. */
  eventRecorder(options: Omit<EventRecorderOptions, 'transport'>): EventRecorder;
  /** A leader elector on a Lease through this transport. */
  leaderElector(options: Omit<LeaderElectorOptions, 'leases'>): LeaderElector;
}

/** Loads the kubeconfig (see kube-config.ts for the order) and builds the clients. */
export function createKubeClients(options: KubeConfigOptions = {}): KubeClients {
  const config = loadKubeConfig(options);
  const transport = createTransport(config);
  const leases = createLeaseClient(transport);
  const namespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return {
    server: config.getCurrentCluster()?.server ?? '',
    namespace: namespace === undefined || namespace === '' ? undefined : namespace,
    transport,
    secrets: createSecretReader(transport),
    leases,
    customObjects: <T extends KubeObject>(type: ResourceType) => createCustomObjectClient<T>(transport, type),
    eventRecorder: (recorderOptions) => createEventRecorder({ ...recorderOptions, transport }),
    leaderElector: (electorOptions) => createLeaderElector({ ...electorOptions, leases }),
  };
}
