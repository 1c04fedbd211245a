/**
 * Step b (Flux reconcileStorage, research/flux.md §4.1, reliability.md
 * §4.5): collect old artifacts, then re-check the artifact in status. A
 * missing or corrupt file clears status.artifact and status.url so the
 * steps after rebuild it; a corrupt one is also a Warning event
 * (ArtifactVerificationFailed). URLs are rewritten to the current storage
 * address, as Flux does on every reconcile.
 */
import { CONDITION, EVENT_REASON, REASON } from '../api/index.ts';
import { DEFAULT_RETENTION, type ArtifactStore, type ObjectKey, type RetentionPolicy } from '../storage/index.ts';
import { describeError } from '../shared/index.ts';
import type { ReconcileEvent } from './ports.ts';
import { removeDraftConditions, type StatusDraft } from './status-draft.ts';
import { StepFailure, wrapMessage } from './step-failure.ts';

export interface StorageCheck {
  /** Events to record whatever the outcome (ArtifactVerificationFailed, GarbageCollectionFailed). */
  readonly events: readonly ReconcileEvent[];
  /** The Reconciling message when the artifact has to be (re)built, else undefined. */
  readonly building?: string;
}

/** Runs step b on `draft`. Throws a StepFailure (StorageOperationFailed) when the stored artifact cannot be read. */
export async function checkStorage(
  store: ArtifactStore, key: ObjectKey, draft: StatusDraft, signal: AbortSignal, retention: RetentionPolicy = DEFAULT_RETENTION,
): Promise<StorageCheck> {
  const events: ReconcileEvent[] = [];
  try {
    await store.garbageCollect(key, { ...retention, ...(draft.artifact === undefined ? {} : { current: draft.artifact.path }), signal });
  } catch (error) {
    // Flux logs GC failures and carries on: old files cost disk, not correctness.
    events.push({ type: 'Warning', reason: EVENT_REASON.garbageCollectionFailed, message: wrapMessage('garbage collection failed', error) });
  }
  const artifact = draft.artifact;
  if (artifact === undefined) {
    removeDraftConditions(draft, CONDITION.artifactInStorage);
    return { events, building: 'building artifact' };
  }
  let check;
  try {
    check = await store.verify(key, { path: artifact.path, digest: artifact.digest, ...(artifact.size === undefined ? {} : { size: artifact.size }) }, { signal });
  } catch (error) {
    throw new StepFailure({
      condition: CONDITION.storageOperationFailed, reason: REASON.statOperationFailed,
      message: wrapMessage('failed to verify the stored artifact', error), cause: error,
    });
  }
  if (!check.ok) {
    draft.artifact = undefined;
    draft.url = undefined;
    removeDraftConditions(draft, CONDITION.artifactInStorage);
    if (check.error.code === 'STORAGE_ARTIFACT_MISSING') return { events, building: 'building artifact: disappeared from storage' };
    events.push({ type: 'Warning', reason: EVENT_REASON.artifactVerificationFailed, message: describeError(check.error) });
    return { events, building: 'building artifact' };
  }
  draft.artifact = { ...artifact, url: store.urlFor(artifact.path) };
  draft.url = store.urlFor(store.latestPath(key));
  return { events };
}
