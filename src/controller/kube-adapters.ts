/**
 * The ports of ports.ts over kube/: OCIRepository objects through a custom
 * object client, Secrets through kube's reader, events through the
 * events.k8s.io recorder. operator.ts builds the dependencies with
 * createReconcilerDependencies.
 */
import { GROUP, PLURAL, VERSION } from '../api/index.ts';
import { isNotFound, type CustomObjectClient, type EventRecorder, type KubeClients } from '../kube/index.ts';
import type { Clock } from '../shared/index.ts';
import type { ArtifactStore, RetentionPolicy } from '../storage/index.ts';
import type { Verifier, VerifyLimits } from '../verify/index.ts';
import type {
  EventSink, RawObject, ReconcileLogger, ReconcilerDependencies, RegistryClientFactory, RepositoryObjects,
} from './ports.ts';
import { createRegistryClientCache } from './registry-clients.ts';

/** The status field manager bob writes with. */
export const FIELD_MANAGER = 'bob-controller';

/** The OCIRepository resource of bob's API. */
export const OCI_REPOSITORY_RESOURCE = { group: GROUP, version: VERSION, plural: PLURAL } as const;

/** RepositoryObjects over a custom object client; a missing object reads as undefined. */
export function createRepositoryObjects(client: CustomObjectClient<RawObject>, fieldManager = FIELD_MANAGER): RepositoryObjects {
  return {
    async get(namespace, name, signal) {
      try {
        return await client.get(namespace, name, { signal });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    patchStatus: (namespace, name, patch, resourceVersion, signal) =>
      client.patchStatus(namespace, name, patch, { resourceVersion, fieldManager, signal }),
    addFinalizer: (object, finalizer, signal) => client.addFinalizer(object, finalizer, { signal }),
    removeFinalizer: (object, finalizer, signal) => client.removeFinalizer(object, finalizer, { signal }),
  };
}

/** An EventSink writing events.k8s.io Events with action `Reconcile`. */
export function createEventSink(recorder: EventRecorder): EventSink {
  return {
    record: (subject, event, signal) => recorder.record(subject, {
      type: event.type, reason: event.reason, note: event.message, action: 'Reconcile',
      ...(event.annotations === undefined ? {} : { annotations: event.annotations }),
    }, signal),
  };
}

export interface KubeReconcilerOptions {
  readonly kube: KubeClients;
  /** The pod name (events' reportingInstance). */
  readonly reportingInstance: string;
  readonly store: ArtifactStore;
  readonly clock: Clock;
  readonly workDir: string;
  /** Default: a client cache with default options (operator.ts passes one it can close). */
  readonly registries?: RegistryClientFactory;
  readonly trustFloor?: Verifier;
  readonly verifyLimits?: VerifyLimits;
  readonly retention?: RetentionPolicy;
  readonly logger?: ReconcileLogger;
}

/** Everything reconcile() needs, over the API server of `kube`. */
export function createReconcilerDependencies(options: KubeReconcilerOptions): ReconcilerDependencies {
  return {
    objects: createRepositoryObjects(options.kube.customObjects<RawObject>(OCI_REPOSITORY_RESOURCE)),
    secrets: options.kube.secrets,
    events: createEventSink(options.kube.eventRecorder({ reportingInstance: options.reportingInstance, clock: options.clock })),
    store: options.store,
    registries: options.registries ?? createRegistryClientCache({ base: { clock: options.clock } }),
    clock: options.clock,
    workDir: options.workDir,
    memo: new Map(),
    ...(options.trustFloor === undefined ? {} : { trustFloor: options.trustFloor }),
    ...(options.verifyLimits === undefined ? {} : { verifyLimits: options.verifyLimits }),
    ...(options.retention === undefined ? {} : { retention: options.retention }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  };
}
