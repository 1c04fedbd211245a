/** metadata: the fields the controller uses; name and namespace are required (the kind is namespaced). */
import { readArray, readInteger, readString, readStringMap, type JsonObject } from './read-json.ts';
import type { FieldErrors } from './spec-error.ts';
import type { ObjectMeta } from './types.ts';

/** Parses `metadata` (the object at `path`). Unknown fields (managedFields, ownerReferences...) are ignored. */
export function parseMetadata(metadata: JsonObject, path: string, errors: FieldErrors): ObjectMeta | undefined {
  const before = errors.list.length;
  const name = readString(metadata, 'name', path, errors);
  const namespace = readString(metadata, 'namespace', path, errors);
  if (name === undefined || name === '') errors.add(`${path}.name`, 'is required');
  if (namespace === undefined || namespace === '') errors.add(`${path}.namespace`, 'is required');
  const uid = readString(metadata, 'uid', path, errors);
  const generation = readInteger(metadata, 'generation', path, errors) ?? 0;
  const resourceVersion = readString(metadata, 'resourceVersion', path, errors);
  const annotations = readStringMap(metadata, 'annotations', path, errors) ?? {};
  const labels = readStringMap(metadata, 'labels', path, errors) ?? {};
  const finalizerItems = readArray(metadata, 'finalizers', path, errors) ?? [];
  const finalizers: string[] = [];
  finalizerItems.forEach((item, index) => {
    if (typeof item === 'string') finalizers.push(item);
    else errors.add(`${path}.finalizers[${index}]`, 'must be a string');
  });
  const deletionTimestamp = readString(metadata, 'deletionTimestamp', path, errors);
  const creationTimestamp = readString(metadata, 'creationTimestamp', path, errors);
  if (errors.list.length !== before || name === undefined || namespace === undefined) return undefined;
  return {
    name,
    namespace,
    ...(uid === undefined ? {} : { uid }),
    generation,
    ...(resourceVersion === undefined ? {} : { resourceVersion }),
    annotations,
    labels,
    finalizers,
    ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }),
    ...(creationTimestamp === undefined ? {} : { creationTimestamp }),
  };
}
