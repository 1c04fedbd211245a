/**
 * Finalizer changes as JSON patches (RFC 6902) guarded by a `test` op, so a
 * concurrent change makes the server refuse the patch instead of our list
 * overwriting theirs. The test is on the finalizer list itself when it exists
 * (a status update in between does not matter), else on the resource version
 * (the list may have appeared since we read). A failed `test` comes back as
 * 422 and is reported as KUBE_CONFLICT by custom-objects.ts.
 */
import { kubeError } from './errors.ts';
import type { KubeObject } from './objects.ts';

export interface JsonPatchOperation {
  readonly op: 'test' | 'add' | 'remove' | 'replace';
  readonly path: string;
  readonly value?: unknown;
}

const FINALIZERS = '/metadata/finalizers';

/** The patch adding `finalizer`, or undefined when the object already has it. */
export function toFinalizerAddPatch(object: KubeObject, finalizer: string): JsonPatchOperation[] | undefined {
  const current = object.metadata.finalizers ?? [];
  if (current.includes(finalizer)) return undefined;
  return [guard(object), { op: current.length === 0 ? 'add' : 'replace', path: FINALIZERS, value: [...current, finalizer] }];
}

/** The patch removing every occurrence of `finalizer`, or undefined when the object does not have it. */
export function toFinalizerRemovePatch(object: KubeObject, finalizer: string): JsonPatchOperation[] | undefined {
  const current = object.metadata.finalizers ?? [];
  if (!current.includes(finalizer)) return undefined;
  const remaining = current.filter((entry) => entry !== finalizer);
  return [guard(object), remaining.length === 0 ? { op: 'remove', path: FINALIZERS } : { op: 'replace', path: FINALIZERS, value: remaining }];
}

function guard(object: KubeObject): JsonPatchOperation {
  const current = object.metadata.finalizers ?? [];
  if (current.length > 0) return { op: 'test', path: FINALIZERS, value: [...current] };
  const resourceVersion = object.metadata.resourceVersion;
  if (resourceVersion === undefined || resourceVersion === '') {
    throw kubeError('KUBE_RESPONSE_INVALID', `finalizer patch of ${object.metadata.name}: object has no resourceVersion`);
  }
  return { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion };
}
