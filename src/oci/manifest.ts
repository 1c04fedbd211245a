/**
 * Manifests and indexes from untrusted bytes (image-spec manifest.md,
 * image-index.md; Docker Image Manifest V2 Schema 2). What the body says it
 * is (`mediaType`), what the server says it is (Content-Type) and what the
 * caller expects must agree, and documents that could be read as both an
 * image and an index are refused (CVE-2021-41190, image-spec
 * §"Guidelines for Artifact Usage" / distribution-spec "media type confusion").
 */
import { ociError } from './errors.ts';
import {
  FieldProblems, isObject, readAnnotations, readDescriptor, readOptionalString, type Descriptor,
} from './descriptor.ts';
import {
  DOCKER_MANIFEST_SCHEMA1, DOCKER_MANIFEST_SCHEMA1_SIGNED, OCI_INDEX, OCI_MANIFEST, isIndexMediaType,
  isManifestMediaType, toMediaType,
} from './media-types.ts';

interface ManifestCommon {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An OCI image manifest or Docker schema 2 manifest. */
export interface ImageManifest extends ManifestCommon {
  readonly kind: 'manifest';
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** An OCI image index or Docker manifest list. */
export interface ImageIndex extends ManifestCommon {
  readonly kind: 'index';
  readonly manifests: readonly Descriptor[];
}

export type Manifest = ImageManifest | ImageIndex;

export interface ParseManifestOptions {
  /** The response's Content-Type header, if any. */
  readonly contentType?: string;
  /** The media type the caller expects (e.g. from a descriptor). */
  readonly expectedMediaType?: string;
}

/** Content types that say nothing about which manifest this is. */
const GENERIC_CONTENT_TYPES = new Set(['application/json', 'application/octet-stream', 'text/plain', 'binary/octet-stream']);
const SCHEMA1 = new Set([DOCKER_MANIFEST_SCHEMA1, DOCKER_MANIFEST_SCHEMA1_SIGNED]);

function parseJson(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw ociError('MANIFEST_INVALID', 'manifest is not valid UTF-8 JSON', { cause: error });
  }
  if (!isObject(value)) throw ociError('MANIFEST_INVALID', 'manifest is not a JSON object');
  return value;
}

function resolveMediaType(doc: Record<string, unknown>, options: ParseManifestOptions): string {
  const field = doc['mediaType'];
  if (field !== undefined && typeof field !== 'string') throw ociError('MANIFEST_INVALID', 'manifest mediaType must be a string');
  const header = toMediaType(options.contentType);
  const specificHeader = header !== undefined && !GENERIC_CONTENT_TYPES.has(header) ? header : undefined;
  if (SCHEMA1.has(field ?? '') || SCHEMA1.has(specificHeader ?? '') || doc['schemaVersion'] === 1) {
    throw ociError('MANIFEST_UNSUPPORTED', 'Docker schema 1 manifests are not supported');
  }
  if (doc['schemaVersion'] !== 2) {
    throw ociError('MANIFEST_UNSUPPORTED', 'manifest schemaVersion must be 2', { details: { schemaVersion: String(doc['schemaVersion']).slice(0, 20) } });
  }
  if ('manifests' in doc && ('layers' in doc || 'config' in doc)) {
    throw ociError('MANIFEST_AMBIGUOUS', 'document has both manifests and layers/config: refusing an ambiguous manifest');
  }
  const claims = [field, specificHeader, options.expectedMediaType].filter((v): v is string => v !== undefined);
  const first = claims[0];
  if (claims.some((claim) => claim !== first)) {
    throw ociError('MANIFEST_MEDIA_TYPE_MISMATCH', `manifest media types disagree: ${[
      // Server-chosen text, quoted and escaped so it cannot drive a terminal.
      `body ${field === undefined ? '(none)' : JSON.stringify(field.slice(0, 200))}`,
      `content-type ${header === undefined ? '(none)' : JSON.stringify(header.slice(0, 200))}`,
      `expected ${options.expectedMediaType ?? '(any)'}`,
    ].join(', ')}`);
  }
  // image-spec: mediaType SHOULD be present; without any claim, the structure decides.
  return first ?? ('manifests' in doc ? OCI_INDEX : OCI_MANIFEST);
}

function readCommon(doc: Record<string, unknown>, problems: FieldProblems): Omit<ManifestCommon, 'schemaVersion' | 'mediaType'> {
  const subject = doc['subject'] === undefined ? undefined : readDescriptor(doc['subject'], 'subject', problems);
  const artifactType = readOptionalString(doc['artifactType'], 'artifactType', problems);
  const annotations = readAnnotations(doc['annotations'], 'annotations', problems);
  return {
    ...(subject === undefined ? {} : { subject }),
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  };
}

function readDescriptors(value: unknown, path: string, problems: FieldProblems): Descriptor[] {
  if (!Array.isArray(value)) {
    problems.add(path, 'must be an array');
    return [];
  }
  const result: Descriptor[] = [];
  value.forEach((entry: unknown, i) => {
    const descriptor = readDescriptor(entry, `${path}[${i}]`, problems);
    if (descriptor !== undefined) result.push(descriptor);
  });
  return result;
}

/**
 * Parses and validates a manifest or index. Throws MANIFEST_INVALID (bad JSON
 * or fields, all listed), MANIFEST_UNSUPPORTED (schema 1, schemaVersion other
 * than 2, media type not on the allow-list), MANIFEST_AMBIGUOUS or
 * MANIFEST_MEDIA_TYPE_MISMATCH.
 */
export function parseManifest(bytes: Uint8Array, options: ParseManifestOptions = {}): Manifest {
  const doc = parseJson(bytes);
  const mediaType = resolveMediaType(doc, options);
  const problems = new FieldProblems();
  const common = readCommon(doc, problems);
  let manifest: Manifest;
  if (isIndexMediaType(mediaType)) {
    if (!('manifests' in doc)) problems.add('manifests', `is required for ${mediaType}`);
    const manifests = doc['manifests'] === null ? [] : readDescriptors(doc['manifests'], 'manifests', problems);
    manifest = { kind: 'index', schemaVersion: 2, mediaType, ...common, manifests };
  } else if (isManifestMediaType(mediaType)) {
    const config = readDescriptor(doc['config'], 'config', problems);
    const layers = doc['layers'] === null ? [] : readDescriptors(doc['layers'], 'layers', problems);
    if (config === undefined) {
      throw ociError('MANIFEST_INVALID', `invalid manifest: ${problems.problems.join('; ')}`);
    }
    manifest = { kind: 'manifest', schemaVersion: 2, mediaType, ...common, config, layers };
  } else {
    throw ociError('MANIFEST_UNSUPPORTED', `unsupported manifest media type ${JSON.stringify(mediaType.slice(0, 100))}`);
  }
  if (!problems.isEmpty) {
    throw ociError('MANIFEST_INVALID', `invalid ${manifest.kind}: ${problems.problems.slice(0, 20).join('; ')}`);
  }
  return manifest;
}

/**
 * The artifact type a referrers listing reports for this manifest
 * (distribution-spec §"Listing Referrers"): `artifactType`, else for image
 * manifests the config media type; indexes without one have none.
 */
export function toArtifactType(manifest: Manifest): string | undefined {
  if (manifest.artifactType !== undefined) return manifest.artifactType;
  return manifest.kind === 'manifest' ? manifest.config.mediaType : undefined;
}
