/**
 * The one summarize of a reconcile (house rule 3; research/flux.md §2.2,
 * §4.5): the failing step's condition, Reconciling or Stalled, Ready from
 * api's Flux summary, observedGeneration on success or stall only,
 * lastHandledReconcileAt from the request annotations, and what the work
 * queue does next (house rule 4).
 */
import {
  CONDITION, REASON, findCondition, markStalled, setReadySummary, toReconcileRequest, type OCIRepository,
} from '../api/index.ts';
import { BobError } from '../shared/index.ts';
import { removeDraftConditions, setDraftCondition, type StatusDraft } from './status-draft.ts';
import type { StepFailure } from './step-failure.ts';

/** What the work queue does with the key next. */
export type ReconcileResult =
  /** Reconciled: run again after `requeueAfterMs` (spec.interval; the queue adds jitter). */
  | { readonly kind: 'success'; readonly requeueAfterMs: number }
  /** Failed in a way time can fix: back off and retry. */
  | { readonly kind: 'retry'; readonly error: unknown }
  /** Only a spec change helps: nothing is scheduled (the watch brings the next generation). */
  | { readonly kind: 'stalled'; readonly error: unknown }
  /** Deleted, gone or suspended: nothing to do. */
  | { readonly kind: 'done' };

export const RECONCILE_NOT_READY = 'RECONCILE_NOT_READY';

/** How the steps ended. */
export type StepsOutcome = { readonly kind: 'success' } | { readonly kind: 'failure'; readonly failure: StepFailure };

/** Sets the failing step's condition: SourceVerified=False, or the negative condition =True. */
function setFailureCondition(draft: StatusDraft, failure: StepFailure, generation: number, now: Date): void {
  if (failure.condition === CONDITION.stalled) return;
  const status = failure.condition === CONDITION.sourceVerified ? 'False' : 'True';
  setDraftCondition(draft, {
    type: failure.condition, status, reason: failure.reason, message: failure.message, observedGeneration: generation,
  }, now);
}

/** Summarizes `draft` after the steps and returns the result for the queue. */
export function summarizeReconcile(draft: StatusDraft, object: OCIRepository, outcome: StepsOutcome, now: Date): ReconcileResult {
  const generation = object.metadata.generation;
  const request = toReconcileRequest(object.metadata.annotations);
  if (request !== undefined) draft.lastHandledReconcileAt = request;
  let result: ReconcileResult;
  if (outcome.kind === 'success') {
    removeDraftConditions(draft, CONDITION.reconciling, CONDITION.stalled);
    draft.observedGeneration = generation;
    result = { kind: 'success', requeueAfterMs: object.spec.interval.milliseconds };
  } else if (outcome.failure.stall) {
    setFailureCondition(draft, outcome.failure, generation, now);
    draft.conditions = markStalled(draft.conditions, outcome.failure.reason, outcome.failure.message, generation, now);
    draft.observedGeneration = generation;
    result = { kind: 'stalled', error: outcome.failure };
  } else {
    setFailureCondition(draft, outcome.failure, generation, now);
    removeDraftConditions(draft, CONDITION.stalled);
    // Flux ComputeReconcileResult: a Reconciling left in place means "being retried".
    const reconciling = findCondition(draft.conditions, CONDITION.reconciling);
    if (reconciling !== undefined) {
      setDraftCondition(draft, { ...reconciling, reason: REASON.progressingWithRetry }, now);
    }
    result = { kind: 'retry', error: outcome.failure };
  }
  draft.conditions = setReadySummary(draft.conditions, generation, now);
  const ready = findCondition(draft.conditions, CONDITION.ready);
  if (result.kind === 'success' && ready?.status !== 'True') {
    // Flux isNonStalledSuccess: success that is not Ready is retried with Ready's message.
    result = { kind: 'retry', error: new BobError(RECONCILE_NOT_READY, ready?.message ?? 'not ready') };
  }
  return result;
}
