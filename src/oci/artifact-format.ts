/**
 * The artifact formats bob writes and reads: bob's own (BoB) and Flux's
 * (RFC-0003, what `flux push artifact` writes), both an OCI image manifest
 * with one config blob and one tar+gzip content layer, annotated with
 * org.opencontainers.image.{created,source,revision} (image-spec
 * annotations.md). Multi-platform artifacts are an OCI index of such
 * manifests with `platform` set on each descriptor (image-spec image-index.md).
 */
import type { Descriptor, Platform } from './descriptor.ts';
import { ociError } from './errors.ts';
import type { ImageManifest } from './manifest.ts';
import { OCI_INDEX, OCI_MANIFEST } from './media-types.ts';

export const BOB_CONFIG_MEDIA_TYPE = 'application/vnd.k8sstormcenter.bob.config.v1+json';
export const BOB_CONTENT_MEDIA_TYPE = 'application/vnd.k8sstormcenter.bob.content.v1.tar+gzip';
export const FLUX_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.flux.config.v1+json';
export const FLUX_CONTENT_MEDIA_TYPE = 'application/vnd.cncf.flux.content.v1.tar+gzip';
/** The artifact type `bobctl link artifact` gives referrers unless told otherwise. */
export const BOB_LINK_ARTIFACT_TYPE = 'application/vnd.bob.artifact+yaml';

export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const ANNOTATION_SOURCE = 'org.opencontainers.image.source';
export const ANNOTATION_REVISION = 'org.opencontainers.image.revision';
export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
/** The title of a bob content layer: what `oras pull` names the file. */
export const BOB_CONTENT_FILE_NAME = 'content.tar.gz';

export type ArtifactFormat = 'bob' | 'flux';

const MEDIA_TYPES: Readonly<Record<ArtifactFormat, { config: string; content: string }>> = {
  bob: { config: BOB_CONFIG_MEDIA_TYPE, content: BOB_CONTENT_MEDIA_TYPE },
  flux: { config: FLUX_CONFIG_MEDIA_TYPE, content: FLUX_CONTENT_MEDIA_TYPE },
};

/** Content layer media types bob extracts, in preference order. */
export const CONTENT_MEDIA_TYPES: readonly string[] = [BOB_CONTENT_MEDIA_TYPE, FLUX_CONTENT_MEDIA_TYPE];

export function toConfigMediaType(format: ArtifactFormat): string {
  return MEDIA_TYPES[format].config;
}

export function toContentMediaType(format: ArtifactFormat): string {
  return MEDIA_TYPES[format].content;
}

/** Which format a manifest is in, by its config media type; undefined for anything else. */
export function toArtifactFormat(manifest: ImageManifest): ArtifactFormat | undefined {
  if (manifest.config.mediaType === BOB_CONFIG_MEDIA_TYPE) return 'bob';
  if (manifest.config.mediaType === FLUX_CONFIG_MEDIA_TYPE) return 'flux';
  return undefined;
}

export interface ArtifactConfigInput {
  /** RFC 3339, UTC. */
  readonly created: string;
  /** sha256 of the uncompressed tar (image-spec config.md `rootfs.diff_ids`). */
  readonly diffId: string;
  readonly platform?: Platform;
}

/**
 * The config blob: `created` and `rootfs.diff_ids` like an image config
 * (image-spec config.md), plus `os`/`architecture` for a platform variant.
 * Keys are written in a fixed order so the same input gives the same digest.
 */
export function buildArtifactConfig(input: ArtifactConfigInput): Uint8Array {
  const config: Record<string, unknown> = { created: input.created };
  if (input.platform !== undefined) {
    config['architecture'] = input.platform.architecture;
    config['os'] = input.platform.os;
    if (input.platform.variant !== undefined) config['variant'] = input.platform.variant;
  }
  config['rootfs'] = { type: 'layers', diff_ids: [input.diffId] };
  return new TextEncoder().encode(JSON.stringify(config));
}

export interface ArtifactManifestInput {
  readonly config: Descriptor;
  readonly layer: Descriptor;
  readonly annotations: Readonly<Record<string, string>>;
  /** Set for `bobctl link artifact`: the artifact refers to this manifest (image-spec manifest.md `subject`). */
  readonly subject?: Descriptor;
  readonly artifactType?: string;
}

function plainDescriptor(descriptor: Descriptor): Record<string, unknown> {
  const plain: Record<string, unknown> = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
  if (descriptor.artifactType !== undefined) plain['artifactType'] = descriptor.artifactType;
  if (descriptor.platform !== undefined) plain['platform'] = descriptor.platform;
  if (descriptor.annotations !== undefined && Object.keys(descriptor.annotations).length > 0) plain['annotations'] = descriptor.annotations;
  return plain;
}

function sortedAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The image manifest bytes for one artifact. */
export function buildArtifactManifest(input: ArtifactManifestInput): Uint8Array {
  const manifest: Record<string, unknown> = { schemaVersion: 2, mediaType: OCI_MANIFEST };
  if (input.artifactType !== undefined) manifest['artifactType'] = input.artifactType;
  manifest['config'] = plainDescriptor(input.config);
  manifest['layers'] = [plainDescriptor(input.layer)];
  if (input.subject !== undefined) {
    manifest['subject'] = { mediaType: input.subject.mediaType, digest: input.subject.digest, size: input.subject.size };
  }
  if (Object.keys(input.annotations).length > 0) manifest['annotations'] = sortedAnnotations(input.annotations);
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** The index bytes for a multi-platform artifact: one manifest descriptor per platform. */
export function buildArtifactIndex(manifests: readonly Descriptor[], annotations: Readonly<Record<string, string>>): Uint8Array {
  const index: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: manifests.map(plainDescriptor),
  };
  if (Object.keys(annotations).length > 0) index['annotations'] = sortedAnnotations(annotations);
  return new TextEncoder().encode(JSON.stringify(index));
}

/**
 * The layer to extract: the one with `mediaType` when given (Flux
 * `layerSelector.mediaType`), else the first bob or Flux content layer, else
 * the first layer. An artifact without layers is an error, not an empty tree.
 */
export function selectContentLayer(manifest: ImageManifest, mediaType?: string): Descriptor {
  if (manifest.layers.length === 0) {
    throw ociError('MANIFEST_INVALID', 'the artifact has no layers');
  }
  if (mediaType !== undefined) {
    const selected = manifest.layers.find((layer) => layer.mediaType === mediaType);
    if (selected === undefined) {
      throw ociError('MANIFEST_INVALID', `the artifact has no layer of media type ${mediaType}`);
    }
    return selected;
  }
  for (const type of CONTENT_MEDIA_TYPES) {
    const layer = manifest.layers.find((l) => l.mediaType === type);
    if (layer !== undefined) return layer;
  }
  const [first] = manifest.layers;
  if (first === undefined) throw ociError('MANIFEST_INVALID', 'the artifact has no layers');
  return first;
}

/** `os/arch[/variant]` → Platform, or undefined when malformed. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) return undefined;
  const [os = '', architecture = '', variant] = parts;
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** `os/arch[/variant]` for display. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, ...(platform.variant === undefined ? [] : [platform.variant])].join('/');
}
