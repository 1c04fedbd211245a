/**
 * Conditions of an object whose spec did not parse: the parser threw, so
 * its status is read here, leniently, just enough to keep the conditions
 * (and their transition times) while Stalled is written. Entries that are
 * not well-formed metav1.Conditions are dropped.
 */
import type { Condition, ConditionStatus } from '../api/index.ts';
import type { RawObject } from './ports.ts';

const STATUSES: ReadonlySet<string> = new Set<ConditionStatus>(['True', 'False', 'Unknown']);

function toCondition(item: unknown): Condition | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { type, status, reason, message, lastTransitionTime, observedGeneration } = item as Record<string, unknown>;
  if (typeof type !== 'string' || type === '' || typeof status !== 'string' || !STATUSES.has(status)) return undefined;
  if (typeof reason !== 'string' || reason === '' || typeof lastTransitionTime !== 'string') return undefined;
  return {
    type, status: status as ConditionStatus, reason, lastTransitionTime, message: typeof message === 'string' ? message : '',
    ...(typeof observedGeneration === 'number' && Number.isSafeInteger(observedGeneration) ? { observedGeneration } : {}),
  };
}

/** The well-formed conditions in `object.status.conditions`, first of each type kept. */
export function readRawConditions(object: RawObject): Condition[] {
  const status = object['status'];
  const list = typeof status === 'object' && status !== null ? (status as Record<string, unknown>)['conditions'] : undefined;
  if (!Array.isArray(list)) return [];
  const conditions: Condition[] = [];
  for (const item of list as unknown[]) {
    const condition = toCondition(item);
    if (condition !== undefined && !conditions.some((c) => c.type === condition.type)) conditions.push(condition);
  }
  return conditions;
}
