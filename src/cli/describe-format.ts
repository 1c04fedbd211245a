/**
 * What `bobctl describe artifact` reports, and its readable rendering in the
 * manner of `kubectl describe`: `Label:  value` blocks, nested by two
 * spaces, lists as `- ` items. Pure, so the layout is unit-tested.
 */
import { formatBytes, formatTable } from './output.ts';
import { toPrintable } from './printable.ts';

export interface BlobDescription {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface ConfigDescription extends BlobDescription {
  readonly created?: string;
  /** Why the config could not be read. */
  readonly error?: string;
}

export interface LayerDescription extends BlobDescription {
  readonly title?: string;
}

export interface ManifestDescription {
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType?: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly subject?: BlobDescription;
  readonly config?: ConfigDescription;
  readonly layers?: readonly LayerDescription[];
  /** An index's entries, one per platform manifest. */
  readonly manifests?: readonly PlatformDescription[];
}

export interface PlatformDescription {
  /** `os/arch[/variant]`; absent for an entry without a platform. */
  readonly platform?: string;
  /** Only digest, media type and size when the entry could not be read. */
  readonly manifest: ManifestDescription;
  /** Why this entry could not be read; the rest of the description stands. */
  readonly error?: string;
}

export interface ReferrerDescription extends BlobDescription {
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ArtifactDescription extends ManifestDescription {
  /** `oci://registry/repository[:tag][@digest]` as asked. */
  readonly reference: string;
  readonly referrers?: readonly ReferrerDescription[];
  /** Why the referrers could not be listed. */
  readonly referrersError?: string;
}

type Field = readonly [label: string, value: string | undefined];

/** `Label:  value` lines with the values aligned; undefined values are left out. Labels may be annotation keys, so both are made printable. */
function fields(indent: string, entries: readonly Field[]): string[] {
  const present = entries.flatMap(([label, value]) => (value === undefined ? [] : [[toPrintable(label, 200), toPrintable(value)] as const]));
  const width = Math.max(0, ...present.map(([label]) => label.length + 1));
  return present.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}  ${value}`);
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${formatBytes(bytes)} (${bytes} bytes)`;
}

function blobFields(blob: BlobDescription): Field[] {
  return [['Media Type', blob.mediaType], ['Digest', blob.digest], ['Size', size(blob.size)]];
}

function annotationLines(indent: string, annotations: Readonly<Record<string, string>> | undefined): string[] {
  const entries = Object.entries(annotations ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return [`${indent}Annotations:  <none>`];
  return [`${indent}Annotations:`, ...fields(`${indent}  `, entries)];
}

/** Lines drawn as one `- ` list item at `indent`. */
function asItem(lines: readonly string[], indent: string): string[] {
  return lines.map((line, i) => `${indent}${i === 0 ? '- ' : '  '}${line.slice(indent.length)}`);
}

function manifestLines(indent: string, manifest: ManifestDescription, leading: readonly Field[] = []): string[] {
  const lines = fields(indent, [
    ...leading,
    ['Digest', manifest.digest],
    ['Media Type', manifest.mediaType],
    ['Artifact Type', manifest.artifactType],
    ['Size', size(manifest.size)],
    ['Subject', manifest.subject === undefined ? undefined : `${manifest.subject.digest} (${manifest.subject.mediaType})`],
  ]);
  lines.push(...annotationLines(indent, manifest.annotations));
  const { config, layers, manifests } = manifest;
  if (config !== undefined) {
    lines.push(`${indent}Config:`, ...fields(`${indent}  `, [
      ...blobFields(config), ['Created', config.created], ['Error', config.error],
    ]));
  }
  if (layers !== undefined) {
    lines.push(layers.length === 0 ? `${indent}Layers:  <none>` : `${indent}Layers:`);
    for (const layer of layers) {
      lines.push(...asItem(fields(`${indent}  `, [['Title', layer.title], ...blobFields(layer)]), `${indent}  `));
    }
  }
  if (manifests !== undefined) {
    lines.push(manifests.length === 0 ? `${indent}Platforms:  <none>` : `${indent}Platforms:`);
    for (const entry of manifests) {
      lines.push(`${indent}  ${entry.platform ?? '(no platform)'}:`);
      lines.push(...(entry.error === undefined
        ? manifestLines(`${indent}    `, entry.manifest)
        : fields(`${indent}    `, [...blobFields(entry.manifest), ['Error', entry.error]])));
    }
  }
  return lines;
}

function referrerLines(description: ArtifactDescription): string[] {
  if (description.referrersError !== undefined) return [`Referrers:  <unavailable: ${description.referrersError}>`];
  const referrers = description.referrers ?? [];
  if (referrers.length === 0) return ['Referrers:  <none>'];
  const table = formatTable(['Artifact Type', 'Digest'], referrers.map((r) => [toPrintable(r.artifactType ?? '<none>', 200), r.digest]));
  return ['Referrers:', ...table.trimEnd().split('\n').map((line) => `  ${line}`)];
}

/** The readable description, ending in a newline. */
export function formatDescription(description: ArtifactDescription): string {
  return [...manifestLines('', description, [['Reference', description.reference]]), ...referrerLines(description)].join('\n') + '\n';
}
