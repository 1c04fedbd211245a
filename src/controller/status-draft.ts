/**
 * The status a reconcile is building: a copy of what was read, changed by
 * the steps in order (each sets its own conditions), summarized once and
 * written once (house rule 3).
 */
import {
  removeCondition, setCondition, type Artifact, type Condition, type ConditionInput, type ObservedLayerSelector, type OCIRepositoryStatus,
} from '../api/index.ts';

/** A mutable working copy of OCIRepositoryStatus. */
export interface StatusDraft {
  observedGeneration: number;
  conditions: Condition[];
  url: string | undefined;
  artifact: Artifact | undefined;
  observedIgnore: string | undefined;
  observedLayerSelector: ObservedLayerSelector | undefined;
  lastHandledReconcileAt: string | undefined;
}

/** A draft equal to `status`. */
export function toStatusDraft(status: OCIRepositoryStatus): StatusDraft {
  return {
    observedGeneration: status.observedGeneration,
    conditions: [...status.conditions],
    url: status.url,
    artifact: status.artifact,
    observedIgnore: status.observedIgnore,
    observedLayerSelector: status.observedLayerSelector,
    lastHandledReconcileAt: status.lastHandledReconcileAt,
  };
}

/** The status the draft describes, with absent fields left out (the API server's JSON shape). */
export function toStatus(draft: StatusDraft): OCIRepositoryStatus {
  return {
    observedGeneration: draft.observedGeneration,
    conditions: draft.conditions,
    ...(draft.url === undefined ? {} : { url: draft.url }),
    ...(draft.artifact === undefined ? {} : { artifact: draft.artifact }),
    ...(draft.observedIgnore === undefined ? {} : { observedIgnore: draft.observedIgnore }),
    ...(draft.observedLayerSelector === undefined ? {} : { observedLayerSelector: draft.observedLayerSelector }),
    ...(draft.lastHandledReconcileAt === undefined ? {} : { lastHandledReconcileAt: draft.lastHandledReconcileAt }),
  };
}

/** Sets one condition on the draft (lastTransitionTime kept when the status is unchanged). */
export function setDraftCondition(draft: StatusDraft, input: ConditionInput, now: Date): void {
  draft.conditions = setCondition(draft.conditions, input, now);
}

/** Removes conditions of the given types from the draft. */
export function removeDraftConditions(draft: StatusDraft, ...types: readonly string[]): void {
  for (const type of types) draft.conditions = removeCondition(draft.conditions, type);
}
