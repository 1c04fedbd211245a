/**
 * Whether the artifact must be rebuilt although the revision is the same:
 * spec.ignore or spec.layerSelector differ from what built the stored
 * artifact (Flux `ociContentConfigChanged`, research/flux.md §4.1 step 11).
 * The operation is compared with its default applied, so writing out
 * `operation: extract` does not force a rebuild.
 */
import { DEFAULT_LAYER_OPERATION } from './constants.ts';
import type { LayerSelector, ObservedLayerSelector, OCIRepositorySpec, OCIRepositoryStatus } from './types.ts';

function sameSelector(spec: LayerSelector | undefined, observed: ObservedLayerSelector | undefined): boolean {
  if (spec === undefined || observed === undefined) return spec === undefined && observed === undefined;
  return spec.mediaType === observed.mediaType && spec.operation === (observed.operation ?? DEFAULT_LAYER_OPERATION);
}

/** True when ignore or layerSelector changed since the stored artifact was built. */
export function hasContentConfigChanged(spec: OCIRepositorySpec, status: OCIRepositoryStatus): boolean {
  return spec.ignore !== status.observedIgnore || !sameSelector(spec.layerSelector, status.observedLayerSelector);
}

/** The observedLayerSelector to record for an artifact built from `spec`. */
export function toObservedLayerSelector(spec: OCIRepositorySpec): ObservedLayerSelector | undefined {
  return spec.layerSelector === undefined ? undefined : { ...spec.layerSelector };
}
