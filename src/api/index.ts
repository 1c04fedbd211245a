/**
 * bob's OCIRepository API: names, defaults, types, the parser at the edge,
 * the condition vocabulary and Flux's Ready summary. Plain data: no
 * Kubernetes client, no registry, no verification.
 */
export {
  API_VERSION, DEFAULT_LAYER_OPERATION, DEFAULT_PROVIDER, DEFAULT_TAG, DEFAULT_TIMEOUT, DEFAULT_VERIFICATION_PROVIDER,
  DURATION_BOUNDS, FINALIZER, FLUX_REQUESTED_AT_ANNOTATION, GROUP, KIND, LAYER_OPERATIONS, LIST_KIND, OCI_PROVIDERS,
  OCI_URL_PREFIX, PLURAL, REQUESTED_AT_ANNOTATION, REQUESTED_AT_ANNOTATIONS, SHORT_NAME, SINGULAR, SPEC_LIMITS,
  VERIFICATION_PROVIDERS, VERSION,
} from './constants.ts';
export type { LayerOperation, OCIProvider, VerificationProvider } from './constants.ts';
export { CONDITION, EVENT_REASON, READY_SUMMARY, REASON } from './vocabulary.ts';
export type { ConditionReason, ConditionType, EventReason } from './vocabulary.ts';
export type {
  Artifact, AttestationRequirement, Condition, ConditionStatus, CosignKeylessVerification, CosignKeyVerification, Duration,
  LayerSelector, LocalObjectReference, NotationVerification, ObjectMeta, ObservedLayerSelector, OCIRepository,
  OCIRepositoryRef, OCIRepositorySpec, OCIRepositoryStatus, OIDCIdentityMatch, Pattern, PolicyVerification, VerificationSpec,
} from './types.ts';
export { parseOCIRepository } from './parse-oci-repository.ts';
export type { ParsedOCIRepository } from './parse-oci-repository.ts';
export { isSpecInvalidError, SPEC_INVALID, SpecInvalidError } from './spec-error.ts';
export type { FieldError, SpecInvalidReason } from './spec-error.ts';
export { parseGoDuration, parseGoDurationNanoseconds } from './go-duration.ts';
export { compileGoRegexp } from './go-regexp.ts';
export type { GoRegexpResult } from './go-regexp.ts';
export { parseOciUrl } from './oci-url.ts';
export type { OciUrlResult } from './oci-url.ts';
export { toSemverRange } from './semver-range.ts';
export type { SemverRangeResult } from './semver-range.ts';
export { toArtifactRef, toRevision, toRevisionDigest } from './revision.ts';
export type { ArtifactRef } from './revision.ts';
export { hasContentConfigChanged, toObservedLayerSelector } from './content-config.ts';
export { isReconcileRequested, toReconcileRequest } from './reconcile-request.ts';
export {
  CONDITION_MESSAGE_MAX, findCondition, hasConditionStatus, markReconciling, markStalled, removeCondition, setCondition,
  toKubeTime,
} from './conditions.ts';
export type { ConditionInput } from './conditions.ts';
export { setReadySummary, summarizeReady } from './summarize.ts';
export type { SummaryOptions } from './summarize.ts';
