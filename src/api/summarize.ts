/**
 * Ready from the other conditions, exactly as Flux summarizes an
 * OCIRepository (research/flux.md §2.2; fluxcd/pkg/runtime/conditions
 * merge, source-controller summarize.SummarizeAndPatch):
 *
 * 1. Conditions of the `summarize` types are grouped by status and polarity,
 *    and the group of highest priority wins: P0 True+negative, P1
 *    False+positive, P2 True+positive, P3 False+negative, P4 Unknown.
 * 2. The winner's reason and message come from the first condition of the
 *    group in `summarize` order.
 * 3. Ready (positive) is False when the group's status and polarity
 *    disagree, True when they agree, Unknown for Unknown.
 * 4. Then, a bipolar type (SourceVerified) that is False forces Ready=False
 *    with its reason and message, whatever step 3 said.
 *
 * So any True negative condition makes Ready False with that condition's
 * reason; with none, Ready is True with ArtifactInStorage's reason and message.
 */
import { setCondition } from './conditions.ts';
import type { ConditionInput } from './conditions.ts';
import { CONDITION, READY_SUMMARY } from './vocabulary.ts';
import type { Condition, ConditionStatus } from './types.ts';

/** Which conditions feed Ready and how; READY_SUMMARY is the OCIRepository's. */
export interface SummaryOptions {
  readonly summarize: readonly string[];
  readonly negativePolarity: readonly string[];
  readonly biPolarity: readonly string[];
}

function priorityOf(status: ConditionStatus, negative: boolean): number {
  if (status === 'True') return negative ? 0 : 2;
  if (status === 'False') return negative ? 3 : 1;
  return 4;
}

/**
 * The Ready condition's status, reason and message, or undefined when no
 * condition feeds it (Flux then leaves Ready as it is).
 */
export function summarizeReady(
  conditions: readonly Condition[], options: SummaryOptions = READY_SUMMARY,
): Omit<ConditionInput, 'observedGeneration'> | undefined {
  for (const type of options.biPolarity) {
    const failed = conditions.find((c) => c.type === type && c.status === 'False');
    if (failed !== undefined) return { type: CONDITION.ready, status: 'False', reason: failed.reason, message: failed.message };
  }
  const inScope = conditions.filter((c) => options.summarize.includes(c.type));
  if (inScope.length === 0) return undefined;
  const isNegative = (c: Condition): boolean => options.negativePolarity.includes(c.type);
  const top = Math.min(...inScope.map((c) => priorityOf(c.status, isNegative(c))));
  const group = inScope.filter((c) => priorityOf(c.status, isNegative(c)) === top);
  const first = options.summarize.map((type) => group.find((c) => c.type === type)).find((c) => c !== undefined);
  // `first` always exists: every in-scope condition's type is in `summarize`.
  const winner = first ?? group[0];
  if (winner === undefined) return undefined;
  const negative = isNegative(winner);
  let status: ConditionStatus = 'Unknown';
  if (winner.status === 'True') status = negative ? 'False' : 'True';
  else if (winner.status === 'False') status = negative ? 'True' : 'False';
  return { type: CONDITION.ready, status, reason: winner.reason, message: winner.message };
}

/** `conditions` with Ready set from summarizeReady (unchanged when nothing feeds it). */
export function setReadySummary(
  conditions: readonly Condition[], observedGeneration: number, now: Date, options: SummaryOptions = READY_SUMMARY,
): Condition[] {
  const ready = summarizeReady(conditions, options);
  return ready === undefined ? [...conditions] : setCondition(conditions, { ...ready, observedGeneration }, now);
}
