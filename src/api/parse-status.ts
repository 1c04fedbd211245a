/**
 * status, read leniently: the controller writes it and will rewrite it, so
 * a malformed part (someone else patched the status subresource) is
 * dropped and reported as a warning instead of stalling the object. A
 * dropped artifact means "no artifact": the next reconcile rebuilds it.
 */
import { LAYER_OPERATIONS, type LayerOperation } from './constants.ts';
import {
  checkKnownKeys, isJsonObject, readInteger, readObject, readString, readStringMap, type JsonObject,
} from './read-json.ts';
import { FieldErrors } from './spec-error.ts';
import type { Artifact, Condition, ConditionStatus, ObservedLayerSelector, OCIRepositoryStatus } from './types.ts';

const STATUSES: readonly string[] = ['True', 'False', 'Unknown'] satisfies ConditionStatus[];
const ARTIFACT_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function parseCondition(item: unknown, at: string, errors: FieldErrors): Condition | undefined {
  if (!isJsonObject(item)) {
    errors.add(at, 'must be an object');
    return undefined;
  }
  const before = errors.list.length;
  const type = readString(item, 'type', at, errors);
  const status = readString(item, 'status', at, errors);
  const reason = readString(item, 'reason', at, errors);
  const message = readString(item, 'message', at, errors) ?? '';
  const lastTransitionTime = readString(item, 'lastTransitionTime', at, errors);
  const observedGeneration = readInteger(item, 'observedGeneration', at, errors);
  if (type === undefined || type === '') errors.add(`${at}.type`, 'is required');
  if (status === undefined || !STATUSES.includes(status)) errors.add(`${at}.status`, 'must be True, False or Unknown');
  if (reason === undefined || reason === '') errors.add(`${at}.reason`, 'is required');
  if (lastTransitionTime === undefined) errors.add(`${at}.lastTransitionTime`, 'is required');
  if (errors.list.length !== before || type === undefined || reason === undefined || lastTransitionTime === undefined) {
    return undefined;
  }
  return {
    type,
    status: status as ConditionStatus,
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
    lastTransitionTime,
    reason,
    message,
  };
}

function parseArtifact(artifact: JsonObject, at: string, errors: FieldErrors): Artifact | undefined {
  const before = errors.list.length;
  const required = (key: string): string | undefined => {
    const value = readString(artifact, key, at, errors);
    if (value === undefined || value === '') errors.add(`${at}.${key}`, 'is required');
    return value;
  };
  const revision = required('revision');
  const digest = required('digest');
  const path = required('path');
  const url = required('url');
  const lastUpdateTime = required('lastUpdateTime');
  const size = readInteger(artifact, 'size', at, errors);
  const metadata = readStringMap(artifact, 'metadata', at, errors);
  if (digest !== undefined && !ARTIFACT_DIGEST.test(digest)) errors.add(`${at}.digest`, 'must be <algorithm>:<encoded>');
  if (size !== undefined && size < 0) errors.add(`${at}.size`, 'must not be negative');
  if (errors.list.length !== before || revision === undefined || digest === undefined || path === undefined
    || url === undefined || lastUpdateTime === undefined) {
    return undefined;
  }
  return {
    revision, digest, path, url,
    ...(size === undefined ? {} : { size }),
    lastUpdateTime,
    ...(metadata === undefined ? {} : { metadata }),
  };
}

function parseObservedLayerSelector(selector: JsonObject, at: string, errors: FieldErrors): ObservedLayerSelector | undefined {
  const before = errors.list.length;
  checkKnownKeys(selector, ['mediaType', 'operation'], at, errors);
  const mediaType = readString(selector, 'mediaType', at, errors);
  const operation = readString(selector, 'operation', at, errors);
  if (operation !== undefined && !(LAYER_OPERATIONS as readonly string[]).includes(operation)) {
    errors.add(`${at}.operation`, 'must be extract or copy');
  }
  if (errors.list.length !== before) return undefined;
  return {
    ...(mediaType === undefined ? {} : { mediaType }),
    ...(operation === undefined ? {} : { operation: operation as LayerOperation }),
  };
}

/** Parses `status` (absent: the CRD default); `warnings` receives one line per dropped part. */
export function parseStatus(status: JsonObject | undefined, path: string, warnings: string[]): OCIRepositoryStatus {
  const errors = new FieldErrors();
  const source = status ?? {};
  const observedGeneration = readInteger(source, 'observedGeneration', path, errors) ?? -1;
  const conditions: Condition[] = [];
  const items = source['conditions'];
  if (Array.isArray(items)) {
    const seen = new Set<string>();
    (items as readonly unknown[]).forEach((item, index) => {
      const condition = parseCondition(item, `${path}.conditions[${index}]`, errors);
      if (condition === undefined) return;
      if (seen.has(condition.type)) errors.add(`${path}.conditions[${index}]`, `duplicate condition type ${condition.type}`);
      else {
        seen.add(condition.type);
        conditions.push(condition);
      }
    });
  } else if (items !== undefined && items !== null) errors.add(`${path}.conditions`, 'must be an array');
  const url = readString(source, 'url', path, errors);
  const artifactObject = readObject(source, 'artifact', path, errors);
  const artifact = artifactObject === undefined ? undefined : parseArtifact(artifactObject, `${path}.artifact`, errors);
  const observedIgnore = readString(source, 'observedIgnore', path, errors);
  const selectorObject = readObject(source, 'observedLayerSelector', path, errors);
  const observedLayerSelector = selectorObject === undefined
    ? undefined
    : parseObservedLayerSelector(selectorObject, `${path}.observedLayerSelector`, errors);
  const lastHandledReconcileAt = readString(source, 'lastHandledReconcileAt', path, errors);
  for (const error of errors.list) warnings.push(`${error.path}: ${error.message} (ignored)`);
  return {
    observedGeneration,
    conditions,
    ...(url === undefined ? {} : { url }),
    ...(artifact === undefined ? {} : { artifact }),
    ...(observedIgnore === undefined ? {} : { observedIgnore }),
    ...(observedLayerSelector === undefined ? {} : { observedLayerSelector }),
    ...(lastHandledReconcileAt === undefined ? {} : { lastHandledReconcileAt }),
  };
}

