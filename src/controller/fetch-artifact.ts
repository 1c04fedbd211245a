/**
 * Steps h and i (research/flux.md §4.1 steps 12-14, reconcileArtifact):
 * fetch the verified manifest by digest, select the layer, extract and
 * re-pack it (or copy it unmodified), store it atomically, and record it in
 * the draft. Errors keep Flux's reasons: OCIArtifactPullFailed (reading the
 * registry), OCIArtifactLayerOperationFailed (the manifest or the layer's
 * content), StorageOperationFailed/ArchiveOperationFailed (writing storage).
 * A failure before the store leaves the previous artifact served.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_EXTRACT_LIMITS, extractArchive } from '../archive/index.ts';
import {
  CONDITION, DEFAULT_LAYER_OPERATION, REASON, toObservedLayerSelector, type OCIRepository,
} from '../api/index.ts';
import type { Descriptor, ImageManifest, RegistryClient } from '../oci/index.ts';
import { toArchiveWriter, type ArtifactStore, type ObjectKey, type StoredArtifact } from '../storage/index.ts';
import { toIgnoreOptions } from './ignore-rules.ts';
import type { ResolvedRevision } from './resolve-revision.ts';
import { removeDraftConditions, setDraftCondition, type StatusDraft } from './status-draft.ts';
import { StepFailure, wrapMessage } from './step-failure.ts';

export interface FetchStepInput {
  readonly object: OCIRepository;
  readonly key: ObjectKey;
  readonly resolved: ResolvedRevision;
  readonly client: RegistryClient;
  readonly store: ArtifactStore;
  /** Where this reconcile's scratch directory is made (and removed again). */
  readonly workDir: string;
  readonly now: Date;
  readonly signal: AbortSignal;
}

/** The stored artifact and the manifest annotations (its metadata). */
export interface FetchedArtifact {
  readonly stored: StoredArtifact;
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

function layerFailure(message: string, cause?: unknown): StepFailure {
  return new StepFailure({ condition: CONDITION.fetchFailed, reason: REASON.ociArtifactLayerOperationFailed, message, cause });
}

function pullFailure(url: string, error: unknown): StepFailure {
  return new StepFailure({
    condition: CONDITION.fetchFailed, reason: REASON.ociArtifactPullFailed,
    message: wrapMessage(`failed to pull artifact from '${url}'`, error), cause: error,
  });
}

function storageFailure(message: string, error: unknown): StepFailure {
  return new StepFailure({
    condition: CONDITION.storageOperationFailed, reason: REASON.archiveOperationFailed, message: wrapMessage(message, error), cause: error,
  });
}

/** The layer by spec.layerSelector.mediaType, else the first (Flux), with Flux's messages. */
export function selectLayer(manifest: ImageManifest, mediaType: string | undefined): Descriptor {
  const layer = mediaType === undefined ? manifest.layers[0] : manifest.layers.find((candidate) => candidate.mediaType === mediaType);
  if (manifest.layers.length === 0) throw layerFailure('no layers found in artifact');
  if (layer === undefined) throw layerFailure(`failed to find layer with media type '${mediaType ?? ''}' in artifact`);
  return layer;
}

async function fetchManifest(input: FetchStepInput): Promise<ImageManifest> {
  const { registry, repository, url } = input.object.spec;
  let fetched;
  try {
    fetched = await input.client.fetchManifest({ registry, repository, digest: input.resolved.digest }, { signal: input.signal });
  } catch (error) {
    throw pullFailure(url, error);
  }
  if (fetched.manifest.kind !== 'manifest') throw layerFailure('the artifact is an image index, not an image manifest');
  return fetched.manifest;
}

async function storeLayer(input: FetchStepInput, layer: Descriptor, scratch: string): Promise<StoredArtifact> {
  const { registry, repository, url } = input.object.spec;
  const operation = input.object.spec.layerSelector?.operation ?? DEFAULT_LAYER_OPERATION;
  const blobPath = join(scratch, 'layer.blob');
  try {
    await input.client.fetchBlobToFile({ registry, repository }, layer, blobPath, {
      signal: input.signal, maxBytes: DEFAULT_EXTRACT_LIMITS.maxCompressedBytes,
    });
  } catch (error) {
    throw pullFailure(url, error);
  }
  if (operation === 'copy') {
    try {
      return await input.store.storeFromFile(input.key, blobPath, { move: true, expectedDigest: layer.digest, signal: input.signal });
    } catch (error) {
      throw storageFailure('unable to copy artifact to storage', error);
    }
  }
  const contentDir = join(scratch, 'content');
  try {
    await extractArchive(blobPath, contentDir, { expected: { digest: layer.digest, size: layer.size }, signal: input.signal });
  } catch (error) {
    throw layerFailure(wrapMessage('failed to extract layer contents from artifact', error), error);
  }
  let ignore;
  try {
    ignore = await toIgnoreOptions(contentDir, input.object.spec.ignore);
  } catch (error) {
    throw layerFailure(wrapMessage('failed to read ignore rules', error), error);
  }
  try {
    return await input.store.store(input.key, toArchiveWriter(contentDir, { ignore }), { signal: input.signal });
  } catch (error) {
    throw storageFailure('unable to archive artifact to storage', error);
  }
}

/** Runs h and i: stores the artifact of `resolved` and records it in `draft`. */
export async function fetchArtifact(input: FetchStepInput, draft: StatusDraft): Promise<FetchedArtifact> {
  const manifest = await fetchManifest(input);
  const layer = selectLayer(manifest, input.object.spec.layerSelector?.mediaType);
  let scratch: string;
  try {
    scratch = await mkdtemp(join(input.workDir, 'fetch-'));
  } catch (error) {
    throw new StepFailure({
      condition: CONDITION.storageOperationFailed, reason: REASON.directoryCreationFailed,
      message: wrapMessage('failed to create temporary working directory', error), cause: error,
    });
  }
  let stored: StoredArtifact;
  try {
    stored = await storeLayer(input, layer, scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const metadata = manifest.annotations;
  draft.artifact = {
    revision: input.resolved.revision, digest: stored.digest, path: stored.path, url: stored.url, size: stored.size,
    lastUpdateTime: stored.lastUpdateTime, ...(metadata === undefined || Object.keys(metadata).length === 0 ? {} : { metadata: { ...metadata } }),
  };
  draft.url = input.store.urlFor(input.store.latestPath(input.key));
  draft.observedIgnore = input.object.spec.ignore;
  draft.observedLayerSelector = toObservedLayerSelector(input.object.spec);
  recordArtifactInStorage(draft, input.resolved.revision, input.object.metadata.generation, input.now);
  return { stored, metadata };
}

/** ArtifactInStorage=True for `revision` (observed at `generation`, as Flux marks every condition it sets), and the conditions a stored artifact settles removed. */
export function recordArtifactInStorage(draft: StatusDraft, revision: string, generation: number, now: Date): void {
  setDraftCondition(draft, {
    type: CONDITION.artifactInStorage, status: 'True', reason: REASON.succeeded, message: `stored artifact for digest '${revision}'`,
    observedGeneration: generation,
  }, now);
  removeDraftConditions(draft, CONDITION.artifactOutdated, CONDITION.fetchFailed, CONDITION.storageOperationFailed);
}
