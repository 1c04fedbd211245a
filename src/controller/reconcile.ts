/**
 * One reconcile of one OCIRepository (research/flux.md §4.1; ARCHITECTURE.md
 * house rules 3, 4 and 6): read fresh, parse, handle deletion, finalizer and
 * suspend, then the ordered steps
 *
 *   a. inputs (Secrets)          read-registry-access.ts, verification-material.ts
 *   b. storage check             check-storage.ts
 *   c. resolve revision          resolve-revision.ts
 *   d. ArtifactOutdated          here
 *   e/f. verify + trust floor    verify-revision.ts   (before anything is fetched)
 *   g. no-op check               here
 *   h/i. fetch, store, record    fetch-artifact.ts
 *
 * then one summarize (summarize.ts), one status patch only if the status
 * changed (status-patch.ts), and the outcome's events (outcome-events.ts).
 */
import {
  API_VERSION, CONDITION, FINALIZER, KIND, REASON, hasContentConfigChanged, isSpecInvalidError, markReconciling, markStalled,
  parseOCIRepository, setReadySummary, toReconcileRequest, type Condition, type OCIRepository, type SpecInvalidError,
} from '../api/index.ts';
import { parseObjectKey } from '../kube/index.ts';
import { describeError } from '../shared/index.ts';
import type { ObjectKey } from '../storage/index.ts';
import { checkStorage } from './check-storage.ts';
import { fetchArtifact, recordArtifactInStorage } from './fetch-artifact.ts';
import { toOutcomeEvents } from './outcome-events.ts';
import type { EventSubject, RawObject, ReconcileEvent, ReconcilerDependencies } from './ports.ts';
import { readRawConditions } from './raw-conditions.ts';
import { readRegistryAccess } from './read-registry-access.ts';
import { describeRevision, resolveRevision, type ResolvedRevision } from './resolve-revision.ts';
import { removeDraftConditions, setDraftCondition, toStatus, toStatusDraft, type StatusDraft } from './status-draft.ts';
import { writeStatus } from './status-patch.ts';
import { isStepFailure } from './step-failure.ts';
import { summarizeReconcile, type ReconcileResult, type StepsOutcome } from './summarize.ts';
import { readVerificationMaterial } from './verification-material.ts';
import { isVerificationCurrent, toVerificationKey, verifyRevision } from './verify-revision.ts';

function toSubject(object: RawObject): EventSubject {
  const { metadata } = object;
  return {
    apiVersion: object.apiVersion ?? API_VERSION, kind: object.kind ?? KIND, namespace: metadata.namespace ?? '', name: metadata.name,
    uid: metadata.uid ?? '', ...(metadata.resourceVersion === undefined ? {} : { resourceVersion: metadata.resourceVersion }),
  };
}

async function recordEvents(deps: ReconcilerDependencies, object: RawObject, events: readonly ReconcileEvent[], signal: AbortSignal): Promise<void> {
  for (const event of events) {
    try {
      await deps.events.record(toSubject(object), event, signal);
    } catch (error) {
      // A lost event never fails a reconcile (Flux's recorder only logs too).
      deps.logger?.error('recording event failed', { reason: event.reason, error: describeError(error) });
    }
  }
}

/** Deletion (Flux reconcileDelete): remove every stored artifact, then the finalizer; a failed removal is retried. */
async function reconcileDelete(deps: ReconcilerDependencies, object: RawObject, key: ObjectKey, signal: AbortSignal): Promise<ReconcileResult> {
  deps.memo.delete(`${key.namespace}/${key.name}`);
  if (!(object.metadata.finalizers ?? []).includes(FINALIZER)) return { kind: 'done' };
  try {
    await deps.store.remove(key, { signal });
  } catch (error) {
    return { kind: 'retry', error };
  }
  await deps.objects.removeFinalizer(object, FINALIZER, signal);
  return { kind: 'done' };
}

/** A spec only a human can fix: Stalled and Ready=False with the parser's reason, observedGeneration advanced, no retry. */
async function stallInvalid(deps: ReconcilerDependencies, object: RawObject, error: SpecInvalidError, signal: AbortSignal): Promise<ReconcileResult> {
  const now = new Date(deps.clock.now());
  const generation = object.metadata.generation ?? 0;
  let conditions: Condition[] = markStalled(readRawConditions(object), error.reason, error.message, generation, now);
  conditions = setReadySummary(conditions, generation, now);
  const request = toReconcileRequest(object.metadata.annotations ?? {});
  const status = { observedGeneration: generation, conditions, ...(request === undefined ? {} : { lastHandledReconcileAt: request }) };
  const members = ['observedGeneration', 'conditions', ...(request === undefined ? [] : ['lastHandledReconcileAt'])];
  const written = await writeStatus(deps.objects, object, status, signal, { members, attempts: deps.statusPatchAttempts ?? 3 });
  if (written !== undefined) await recordEvents(deps, object, [{ type: 'Warning', reason: error.reason, message: error.message }], signal);
  return { kind: 'stalled', error };
}

interface StepsState {
  resolved?: ResolvedRevision;
}

/** Steps a to i on `draft`. Throws StepFailure (or an unexpected error). */
async function runSteps(
  deps: ReconcilerDependencies, object: OCIRepository, key: ObjectKey, draft: StatusDraft, state: StepsState, events: ReconcileEvent[], signal: AbortSignal,
): Promise<void> {
  const now = (): Date => new Date(deps.clock.now());
  const generation = object.metadata.generation;
  const { url } = object.spec;
  // a. Secrets: the only place they are read.
  const access = await readRegistryAccess(object, deps.secrets, signal);
  const material = await readVerificationMaterial(object, deps.secrets, signal);
  // b. storage.
  const storage = await checkStorage(deps.store, key, draft, signal, deps.retention);
  events.push(...storage.events);
  if (storage.building !== undefined) draft.conditions = markReconciling(draft.conditions, REASON.progressing, storage.building, generation, now());
  // c. resolve, within spec.timeout for everything remote.
  const remote = AbortSignal.any([signal, AbortSignal.timeout(object.spec.timeout.milliseconds)]);
  const client = deps.registries.clientFor(access);
  let resolved = await resolveRevision(object, client, remote);
  state.resolved = resolved;
  // d. a new revision.
  if (draft.artifact?.revision !== resolved.revision) {
    const message = `new revision '${resolved.revision}' for '${url}'`;
    if (draft.artifact !== undefined) {
      setDraftCondition(draft, { type: CONDITION.artifactOutdated, status: 'True', reason: REASON.newRevision, message, observedGeneration: generation }, now());
    }
    draft.conditions = markReconciling(draft.conditions, REASON.progressing, `building artifact: ${message}`, generation, now());
  }
  // e/f. verify the resolved descriptor before any content is read.
  const memoKey = `${key.namespace}/${key.name}`;
  if (material !== undefined || deps.trustFloor !== undefined) {
    const verificationKey = toVerificationKey(object, resolved.revision, material, deps.trustFloor !== undefined);
    if (!isVerificationCurrent(deps.memo.get(memoKey), verificationKey, draft, generation)) {
      deps.memo.delete(memoKey);
      const described = await describeRevision(resolved, client, remote);
      resolved = described;
      state.resolved = resolved;
      const outcome = await verifyRevision({
        object, resolved: described, material, trustFloor: deps.trustFloor, client, now, signal: remote,
        ...(deps.verifyLimits === undefined ? {} : { limits: deps.verifyLimits }),
      }, draft);
      deps.memo.set(memoKey, `${verificationKey}|${outcome}`);
    }
  } else {
    removeDraftConditions(draft, CONDITION.sourceVerified);
  }
  // g. nothing changed: no fetch (ArtifactUpToDate is only a trace in Flux).
  if (draft.artifact?.revision === resolved.revision && !hasContentConfigChanged(object.spec, toStatus(draft))) {
    recordArtifactInStorage(draft, resolved.revision, generation, now());
    return;
  }
  // h/i. fetch, store, record.
  await fetchArtifact({ object, key, resolved, client, store: deps.store, workDir: deps.workDir, now: now(), signal: remote }, draft);
}

async function reconcileObject(deps: ReconcilerDependencies, raw: RawObject, object: OCIRepository, signal: AbortSignal): Promise<ReconcileResult> {
  const key: ObjectKey = { namespace: object.metadata.namespace, name: object.metadata.name };
  const before = object.status;
  const draft = toStatusDraft(before);
  const generation = object.metadata.generation;
  const progress = generation === before.observedGeneration
    ? 'reconciliation in progress'
    : `processing object: new generation ${String(before.observedGeneration)} -> ${String(generation)}`;
  draft.conditions = markReconciling(draft.conditions, REASON.progressing, progress, generation, new Date(deps.clock.now()));
  const events: ReconcileEvent[] = [];
  const state: StepsState = {};
  let outcome: StepsOutcome;
  try {
    await runSteps(deps, object, key, draft, state, events, signal);
    outcome = { kind: 'success' };
  } catch (error) {
    // Shutdown, or a bug: no status claims anything about it; the queue retries.
    if (!isStepFailure(error) || signal.aborted) return { kind: 'retry', error };
    outcome = { kind: 'failure', failure: error };
  }
  const result = summarizeReconcile(draft, object, outcome, new Date(deps.clock.now()));
  const after = toStatus(draft);
  let written: RawObject | undefined;
  try {
    written = await writeStatus(deps.objects, raw, after, signal, { attempts: deps.statusPatchAttempts ?? 3 });
  } catch (error) {
    return { kind: 'retry', error };
  }
  events.push(...toOutcomeEvents({
    before, after, outcome, url: object.spec.url, ...(state.resolved === undefined ? {} : { revision: state.resolved.revision }),
  }));
  await recordEvents(deps, written ?? raw, events, signal);
  return result;
}

/**
 * Reconciles the OCIRepository `key` (`namespace/name`) once. Never throws
 * for a reconcile failure: the result says what the queue does next. Kube
 * read errors and aborts come back as `retry`.
 */
export async function reconcile(key: string, deps: ReconcilerDependencies, signal: AbortSignal): Promise<ReconcileResult> {
  const { namespace, name } = parseObjectKey(key);
  if (namespace === undefined) return { kind: 'done' };
  try {
    let raw = await deps.objects.get(namespace, name, signal);
    if (raw === undefined) {
      deps.memo.delete(key);
      return { kind: 'done' };
    }
    if (raw.metadata.deletionTimestamp !== undefined) return await reconcileDelete(deps, raw, { namespace, name }, signal);
    let object: OCIRepository;
    try {
      object = parseOCIRepository(raw).object;
    } catch (error) {
      if (isSpecInvalidError(error)) return await stallInvalid(deps, raw, error, signal);
      throw error;
    }
    if (!object.metadata.finalizers.includes(FINALIZER)) {
      // Added before anything is stored, so a deletion can never skip the storage cleanup.
      raw = await deps.objects.addFinalizer(raw, FINALIZER, signal);
      object = parseOCIRepository(raw).object;
    }
    if (object.spec.suspend) return { kind: 'done' };
    return await reconcileObject(deps, raw, object, signal);
  } catch (error) {
    return { kind: 'retry', error };
  }
}
