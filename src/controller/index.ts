/**
 * bob's reconciler for OCIRepository: ordered steps, one summarize, one
 * status patch only when the status changed (ARCHITECTURE.md house rules 3,
 * 4, 6). reconcile() works on ports (ports.ts); kube-adapters.ts binds
 * them to the API server. operator.ts imports only from here.
 */
export { reconcile } from './reconcile.ts';
export type { ReconcileResult, StepsOutcome } from './summarize.ts';
export { RECONCILE_NOT_READY, summarizeReconcile } from './summarize.ts';
export type {
  EventSink, EventSubject, RawObject, ReconcileEvent, ReconcileLogger, ReconcilerDependencies, RegistryAccess, RegistryClientFactory,
  RepositoryObjects, SecretContent, SecretSource, VerificationMemo,
} from './ports.ts';
export { createRegistryClientCache, toClientOptions } from './registry-clients.ts';
export type { RegistryClientCache, RegistryClientCacheOptions } from './registry-clients.ts';
export {
  FIELD_MANAGER, OCI_REPOSITORY_RESOURCE, createEventSink, createReconcilerDependencies, createRepositoryObjects,
} from './kube-adapters.ts';
export type { KubeReconcilerOptions } from './kube-adapters.ts';
export { loadTrustFloor } from './trust-floor.ts';
export type { TrustFloorOptions } from './trust-floor.ts';
export { toQueueResult } from './work-result.ts';
export type { QueueResult } from './work-result.ts';
export { EVENT_ANNOTATION, toArtifactMessage, toEventAnnotations, toOutcomeEvents } from './outcome-events.ts';
export { RECONCILE_STEP_FAILED, StepFailure, isStepFailure } from './step-failure.ts';
export { CONTROLLER_DEFAULT_IGNORE, toIgnoreOptions } from './ignore-rules.ts';
export { selectSemverTag } from './resolve-revision.ts';
export { isSameJson, toMergePatch } from './status-patch.ts';
