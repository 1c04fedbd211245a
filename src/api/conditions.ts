/**
 * metav1.Condition lists, kept the way Flux keeps them
 * (fluxcd/pkg/runtime/conditions setter): one entry per type, sorted
 * Stalled, Reconciling, Ready first and the rest by type, so an unchanged
 * state serializes to the same bytes and costs no status write.
 *
 * lastTransitionTime changes only when the status changes (Kubernetes API
 * conventions, apimachinery `SetStatusCondition`); Flux also moves it on a
 * reason or message change, which makes `kubectl wait` histories noisier
 * without telling more.
 */
import { CONDITION } from './vocabulary.ts';
import type { Condition, ConditionStatus } from './types.ts';

/** What a step sets; lastTransitionTime is derived. */
export interface ConditionInput {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
}

/** metav1.Condition's message limit. */
export const CONDITION_MESSAGE_MAX = 32_768;

const ORDER_FIRST: ReadonlyMap<string, number> = new Map([
  [CONDITION.stalled, 0],
  [CONDITION.reconciling, 1],
  [CONDITION.ready, 2],
]);

/** Flux `lexicographicLess` as a comparator. */
function compareConditions(a: Condition, b: Condition): number {
  const wa = ORDER_FIRST.get(a.type);
  const wb = ORDER_FIRST.get(b.type);
  if (wa !== undefined && wb !== undefined) return wa - wb;
  if (wa !== undefined) return -1;
  if (wb !== undefined) return 1;
  if (a.type === b.type) return 0;
  return a.type < b.type ? -1 : 1;
}

/** A metav1.Time: RFC 3339 in UTC with second precision, as the API server writes it. */
export function toKubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toMessage(message: string): string {
  if (message.length <= CONDITION_MESSAGE_MAX) return message;
  let cut = message.slice(0, CONDITION_MESSAGE_MAX);
  // Never leave half of a surrogate pair behind.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

/** The condition of `type`, if present. */
export function findCondition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

/** True when the condition of `type` is present with `status`. */
export function hasConditionStatus(conditions: readonly Condition[], type: string, status: ConditionStatus): boolean {
  return findCondition(conditions, type)?.status === status;
}

/**
 * A new list with `input` set: lastTransitionTime kept when the status is
 * unchanged, `now` otherwise; the message capped at metav1's limit.
 */
export function setCondition(conditions: readonly Condition[], input: ConditionInput, now: Date): Condition[] {
  const existing = findCondition(conditions, input.type);
  const condition: Condition = {
    type: input.type,
    status: input.status,
    ...(input.observedGeneration === undefined ? {} : { observedGeneration: input.observedGeneration }),
    lastTransitionTime: existing?.status === input.status ? existing.lastTransitionTime : toKubeTime(now),
    reason: input.reason,
    message: toMessage(input.message),
  };
  return [...conditions.filter((c) => c.type !== input.type), condition].sort(compareConditions);
}

/** A new list without the condition of `type`. */
export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

/** Reconciling=True, and no Stalled (kstatus: the two exclude each other). */
export function markReconciling(
  conditions: readonly Condition[], reason: string, message: string, observedGeneration: number, now: Date,
): Condition[] {
  return setCondition(removeCondition(conditions, CONDITION.stalled),
    { type: CONDITION.reconciling, status: 'True', reason, message, observedGeneration }, now);
}

/** Stalled=True, and no Reconciling. */
export function markStalled(
  conditions: readonly Condition[], reason: string, message: string, observedGeneration: number, now: Date,
): Condition[] {
  return setCondition(removeCondition(conditions, CONDITION.reconciling),
    { type: CONDITION.stalled, status: 'True', reason, message, observedGeneration }, now);
}
