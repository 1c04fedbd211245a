/**
 * bob's Kubernetes module, the only importer of @kubernetes/client-node.
 *
 * Contract in one paragraph: createKubeClients loads a kubeconfig and gives
 * typed clients for custom objects (get, list, watch, merge patch, server-side
 * apply, status with optimistic lock, finalizers), Secrets and
 * ServiceAccounts, Events (with series aggregation) and Leases (leader
 * election). createInformer keeps a cache of one resource current through
 * list+watch and survives 410 Gone, errors and dead connections. Every
 * failure is a BobError with a KubeErrorCode; 409 is KUBE_CONFLICT (re-read
 * and retry), 404 KUBE_NOT_FOUND, 410 KUBE_GONE.
 */
export { createKubeClients } from './clients.ts';
export type { KubeClients } from './clients.ts';
export { loadKubeConfig } from './kube-config.ts';
export type { KubeConfigOptions } from './kube-config.ts';
export { createTransport, APPLY_PATCH, JSON_PATCH, MERGE_PATCH } from './transport.ts';
export type { HttpVerb, KubeRequest, KubeTransport } from './transport.ts';
export { isConflict, isGone, isNotFound, kubeError, toKubeError, toKubeErrorCode, toKubeStatus } from './errors.ts';
export type { KubeErrorCode, KubeStatus } from './errors.ts';
export { toMicroTime, parseKubeTime } from './micro-time.ts';
export { deepFreeze, isKubeObject, objectKey, parseObjectKey, resourcePath, toKubeObject, toObjectKey } from './objects.ts';
export type { KubeObject, ObjectMeta, ResourceType } from './objects.ts';
export { createCustomObjectClient, toListPage } from './custom-objects.ts';
export type { ApplyConfiguration, ApplyOptions, CustomObjectClient, ListOptions, SignalOption, StatusPatchOptions } from './custom-objects.ts';
export { toFinalizerAddPatch, toFinalizerRemovePatch } from './finalizer-patch.ts';
export type { JsonPatchOperation } from './finalizer-patch.ts';
export { readWatchEvents, toWatchEvent } from './watch-events.ts';
export type { ListFunction, ListResult, WatchEvent, WatchFunction, WatchOptions } from './watch-events.ts';
export { createSecretReader, toImagePullSecretNames, toSecretData } from './secrets.ts';
export type { SecretData, SecretReader } from './secrets.ts';
export { createInformer } from './informer.ts';
export type { Informer, InformerOptions } from './informer.ts';
export { diffRelist } from './informer-diff.ts';
export type { InformerEvent, InformerEventType } from './informer-diff.ts';
export {
  BOB_REPORTING_CONTROLLER, EVENT_NOTE_MAX_BYTES, capNote, eventNamespace, toEventBody, toEventName, toSeriesKey, toSeriesPatch,
} from './event-body.ts';
export type { EventInput, EventRegarding, EventSource, EventType } from './event-body.ts';
export { createEventRecorder } from './event-recorder.ts';
export type { EventRecorder, EventRecorderOptions } from './event-recorder.ts';
export { createLeaseClient, toLeaseRecord } from './lease-client.ts';
export type { LeaseClient, LeaseRecord, LeaseSpec } from './lease-client.ts';
export { createLeaderElector, toLeaseClaim } from './leader-election.ts';
export type { LeaderElector, LeaderElectorOptions, ObservedLease } from './leader-election.ts';
