/**
 * The events of a reconcile's outcome (research/flux.md §3, house rule 3:
 * only on a new artifact, a failure, or a recovery):
 * - NewArtifact (Normal) when status.artifact.digest (the stored file's)
 *   changed: `stored artifact with revision '<rev>' from '<url>'`, plus
 *   `, origin source '<s>', origin revision '<r>'` when the manifest says.
 * - Succeeded (Normal), same message, when the digest is unchanged but a
 *   FetchFailed or StorageOperationFailed of the object read is gone.
 * - a Warning with the failure's reason and message.
 * Annotations carry the revision, the digest and the origin revision under
 * bob's API group (Flux's `source.toolkit.fluxcd.io/…` keys).
 */
import { CONDITION, EVENT_REASON, GROUP, hasConditionStatus, type Artifact, type OCIRepositoryStatus } from '../api/index.ts';
import { ANNOTATION_REVISION, ANNOTATION_SOURCE } from '../oci/index.ts';
import type { ReconcileEvent } from './ports.ts';
import type { StepsOutcome } from './summarize.ts';

export const EVENT_ANNOTATION = {
  revision: `${GROUP}/revision`,
  digest: `${GROUP}/digest`,
  originRevision: `${GROUP}/originRevision`,
} as const;

/** The annotations of an event about `artifact` (or just a revision). */
export function toEventAnnotations(revision: string | undefined, artifact?: Artifact): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (revision !== undefined) annotations[EVENT_ANNOTATION.revision] = revision;
  if (artifact !== undefined) annotations[EVENT_ANNOTATION.digest] = artifact.digest;
  const origin = artifact?.metadata?.[ANNOTATION_REVISION];
  if (origin !== undefined) annotations[EVENT_ANNOTATION.originRevision] = origin;
  return annotations;
}

/** Flux's NewArtifact / Succeeded message. */
export function toArtifactMessage(artifact: Artifact, url: string): string {
  const base = `stored artifact with revision '${artifact.revision}' from '${url}'`;
  const source = artifact.metadata?.[ANNOTATION_SOURCE];
  const revision = artifact.metadata?.[ANNOTATION_REVISION];
  return source !== undefined && revision !== undefined ? `${base}, origin source '${source}', origin revision '${revision}'` : base;
}

export interface OutcomeEventInput {
  readonly before: OCIRepositoryStatus;
  readonly after: OCIRepositoryStatus;
  readonly outcome: StepsOutcome;
  readonly url: string;
  /** The revision resolved in this reconcile, if it got that far. */
  readonly revision?: string;
}

/** The events for one reconcile's outcome. */
export function toOutcomeEvents(input: OutcomeEventInput): ReconcileEvent[] {
  if (input.outcome.kind === 'failure') {
    const { failure } = input.outcome;
    return [{ type: 'Warning', reason: failure.reason, message: failure.message, annotations: toEventAnnotations(input.revision) }];
  }
  const artifact = input.after.artifact;
  if (artifact === undefined) return [];
  const annotations = toEventAnnotations(artifact.revision, artifact);
  const message = toArtifactMessage(artifact, input.url);
  if (input.before.artifact?.digest !== artifact.digest) return [{ type: 'Normal', reason: EVENT_REASON.newArtifact, message, annotations }];
  const failedBefore = hasConditionStatus(input.before.conditions, CONDITION.fetchFailed, 'True')
    || hasConditionStatus(input.before.conditions, CONDITION.storageOperationFailed, 'True');
  const failedAfter = hasConditionStatus(input.after.conditions, CONDITION.fetchFailed, 'True')
    || hasConditionStatus(input.after.conditions, CONDITION.storageOperationFailed, 'True');
  if (failedBefore && !failedAfter) return [{ type: 'Normal', reason: EVENT_REASON.succeeded, message, annotations }];
  return [];
}
