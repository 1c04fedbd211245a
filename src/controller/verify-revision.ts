/**
 * Steps e and f (research/flux.md §4.1 step 10, §4.9, §4.10): verify the
 * exact resolved manifest descriptor BEFORE any content is fetched (house
 * rule 5), with the object's own spec.verify and then the cluster-wide
 * trust floor. A rejection stops the reconcile: nothing is pulled.
 *
 * Conditions: verified with at least one signature → SourceVerified=True
 * `verified signature of revision <rev>`; verified with none (notation
 * `skip`, an accept-anything policy) → no SourceVerified, as Flux's
 * "Ignored"; rejected → SourceVerified=False VerificationError with Flux's
 * message; unusable trust material → SourceVerified=False
 * VerificationConfigInvalid. The trust floor never sets SourceVerified=True
 * (it is not the object's spec), but its rejection is the object's failure.
 */
import { createHash } from 'node:crypto';
import { CONDITION, REASON, findCondition, type OCIRepository } from '../api/index.ts';
import type { Descriptor, RegistryClient } from '../oci/index.ts';
import { describeError, isBobError } from '../shared/index.ts';
import { DEFAULT_VERIFY_LIMITS, type Verdict, type Verifier, type VerifyLimits } from '../verify/index.ts';
import type { ResolvedRevision } from './resolve-revision.ts';
import { removeDraftConditions, setDraftCondition, type StatusDraft } from './status-draft.ts';
import { StepFailure } from './step-failure.ts';
import { toVerificationMessage, type VerificationMaterial } from './verification-material.ts';

export interface VerifyStepInput {
  readonly object: OCIRepository;
  readonly resolved: ResolvedRevision & { readonly descriptor: Descriptor };
  readonly material: VerificationMaterial | undefined;
  readonly trustFloor: Verifier | undefined;
  readonly client: RegistryClient;
  readonly now: () => Date;
  readonly limits?: VerifyLimits;
  readonly signal: AbortSignal;
}

/** What the memo holds for a verified object: which inputs, and whether signatures were found. */
export function toVerificationKey(object: OCIRepository, revision: string, material: VerificationMaterial | undefined, floor: boolean): string {
  const parts = [object.metadata.uid ?? '', String(object.metadata.generation), revision, material?.fingerprint ?? '', floor ? 'floor' : ''];
  return `sha256:${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}

/**
 * Whether verification can be skipped: the same inputs passed before (memo),
 * and the condition that result left is still in place.
 */
export function isVerificationCurrent(memoValue: string | undefined, key: string, draft: StatusDraft, generation: number): boolean {
  if (memoValue === `${key}|unsigned`) return findCondition(draft.conditions, CONDITION.sourceVerified) === undefined;
  if (memoValue !== `${key}|signed`) return false;
  const condition = findCondition(draft.conditions, CONDITION.sourceVerified);
  return condition?.status === 'True' && condition.observedGeneration === generation;
}

async function ask(verifier: Verifier, label: string, input: VerifyStepInput): Promise<Verdict> {
  try {
    return await verifier.verify(
      { reference: input.resolved.reference, descriptor: input.resolved.descriptor },
      { client: input.client, signal: input.signal, now: input.now, limits: input.limits ?? DEFAULT_VERIFY_LIMITS },
    );
  } catch (error) {
    const config = isBobError(error, 'CONFIG_INVALID');
    throw new StepFailure({
      condition: CONDITION.sourceVerified,
      reason: config ? REASON.verificationConfigInvalid : REASON.verificationError,
      message: toVerificationMessage(label, describeError(error)),
      cause: error,
    });
  }
}

function assertVerified(verdict: Verdict, label: string): asserts verdict is Extract<Verdict, { outcome: 'verified' }> {
  if (verdict.outcome === 'rejected') {
    throw new StepFailure({
      condition: CONDITION.sourceVerified, reason: REASON.verificationError,
      message: toVerificationMessage(label, verdict.reason),
    });
  }
}

/**
 * Runs e and f, setting SourceVerified on `draft`. Returns 'signed' or
 * 'unsigned' (verified, but no signature was involved). Throws a
 * StepFailure on SourceVerified=False.
 */
export async function verifyRevision(input: VerifyStepInput, draft: StatusDraft): Promise<'signed' | 'unsigned'> {
  // Flux drops a False SourceVerified first so it is recomputed, never kept stale.
  if (findCondition(draft.conditions, CONDITION.sourceVerified)?.status === 'False') removeDraftConditions(draft, CONDITION.sourceVerified);
  let signed = false;
  if (input.material !== undefined) {
    const verdict = await ask(input.material.verifier, input.material.label, input);
    assertVerified(verdict, input.material.label);
    signed = verdict.signatures.length > 0;
  }
  if (input.trustFloor !== undefined) {
    const verdict = await ask(input.trustFloor, input.trustFloor.provider, input);
    assertVerified(verdict, input.trustFloor.provider);
  }
  if (signed) {
    setDraftCondition(draft, {
      type: CONDITION.sourceVerified, status: 'True', reason: REASON.succeeded,
      message: `verified signature of revision ${input.resolved.revision}`, observedGeneration: input.object.metadata.generation,
    }, input.now());
    return 'signed';
  }
  removeDraftConditions(draft, CONDITION.sourceVerified);
  return 'unsigned';
}
