/**
 * bobctl push artifact oci://repo:tag --path ./deploy [--source URL --revision REV]
 *   [--annotation k=v]... [--platform os/arch=path]... [--format bob|flux]
 *
 * Packs the path deterministically, uploads the layer (skipped when the
 * registry has it) and the config, then the manifest under the tag. With
 * --platform, one manifest per platform and an index under the tag.
 */
import {
  ANNOTATION_CREATED, ANNOTATION_REVISION, ANNOTATION_SOURCE, ANNOTATION_TITLE, BOB_CONTENT_FILE_NAME, OCI_INDEX, OCI_MANIFEST, buildArtifactConfig,
  buildArtifactIndex, buildArtifactManifest, digestOf, formatPlatform, formatReference, parsePlatform,
  toConfigMediaType, toContentMediaType, type ArtifactFormat, type Descriptor, type Platform, type Reference,
  type RegistryClient,
} from '../../oci/index.ts';
import { booleanFlag, stringFlag, stringsFlag, type Command, type FlagValues } from '../command.ts';
import { CONTENT_HELP, CONTENT_OPTIONS, packContent, readContent, requirePath, type PackedContent } from '../artifact-content.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK, type ExitCode } from '../exit-codes.ts';
import { parseOutputFormat, writeStructured } from '../output.ts';
import { createProgress } from '../progress.ts';
import { REGISTRY_HELP, REGISTRY_OPTIONS, createRegistryClient, parseArtifactReference } from '../registry-flags.ts';
import { parseAnnotations } from '../annotations-flag.ts';
import { usageError } from '../usage-error.ts';

const EPOCH = '1970-01-01T00:00:00Z';

function parseFormat(value: string | undefined): ArtifactFormat {
  if (value === undefined || value === 'bob') return 'bob';
  if (value === 'flux') return 'flux';
  throw usageError(`--format must be bob or flux, got "${value}"`);
}

interface PlatformPath {
  readonly platform: Platform;
  readonly path: string;
}

/** `os/arch[/variant]=path`, each platform at most once. */
export function parsePlatformPaths(values: readonly string[]): PlatformPath[] {
  const seen = new Set<string>();
  return values.map((value) => {
    const equals = value.indexOf('=');
    const platform = equals > 0 ? parsePlatform(value.slice(0, equals)) : undefined;
    const path = value.slice(equals + 1);
    if (platform === undefined || path === '') throw usageError(`--platform must be os/arch[/variant]=path, got "${value.slice(0, 100)}"`);
    const key = formatPlatform(platform);
    if (seen.has(key)) throw usageError(`--platform ${key} given twice`);
    seen.add(key);
    return { platform, path };
  });
}

/** The manifest annotations: created, source, revision, then the user's. */
export function artifactAnnotations(flags: FlagValues, created: string): Record<string, string> {
  const annotations: Record<string, string> = { [ANNOTATION_CREATED]: created };
  const source = stringFlag(flags, 'source');
  const revision = stringFlag(flags, 'revision');
  if (source !== undefined) annotations[ANNOTATION_SOURCE] = source;
  if (revision !== undefined) annotations[ANNOTATION_REVISION] = revision;
  return { ...annotations, ...parseAnnotations(stringsFlag(flags, 'annotation')) };
}

interface PushContext {
  readonly client: RegistryClient;
  readonly reference: Reference;
  readonly format: ArtifactFormat;
  readonly created: string;
  readonly annotations: Record<string, string>;
  readonly context: CliContext;
}

/** Uploads one packed artifact (layer, config, manifest) and returns the manifest's descriptor. */
async function pushOne(push: PushContext, content: PackedContent, label: string, platform?: Platform, tag?: string): Promise<Descriptor> {
  const { client, reference, context } = push;
  const { summary } = content;
  const progress = createProgress(context.stderr, label, summary.size);
  await client.pushBlob(reference, {
    size: summary.size,
    digest: summary.digest,
    open: () => readContent(content.file, (bytes) => { progress.advance(bytes); }),
  }, { signal: context.signal });
  progress.done();
  const config = buildArtifactConfig({ created: push.created, diffId: summary.diffId, ...(platform === undefined ? {} : { platform }) });
  const configDescriptor = { mediaType: toConfigMediaType(push.format), digest: digestOf(config), size: config.length };
  await client.pushBlob(reference, config, { signal: context.signal });
  const manifest = buildArtifactManifest({
    config: configDescriptor,
    layer: {
      mediaType: toContentMediaType(push.format), digest: summary.digest, size: summary.size,
      // A file name for generic clients (`oras pull` saves titled layers);
      // Flux's format is kept exactly as `flux push artifact` writes it.
      ...(push.format === 'bob' ? { annotations: { [ANNOTATION_TITLE]: BOB_CONTENT_FILE_NAME } } : {}),
    },
    annotations: push.annotations,
  });
  return client.pushManifest(reference, manifest, {
    mediaType: OCI_MANIFEST,
    signal: context.signal,
    ...(tag === undefined ? {} : { reference: tag }),
  });
}

async function run(parsed: { positionals: readonly string[]; flags: FlagValues }, context: CliContext): Promise<ExitCode> {
  const { flags } = parsed;
  const output = parseOutputFormat(stringFlag(flags, 'output'));
  const reference = parseArtifactReference(parsed.positionals[0]);
  if (parsed.positionals.length > 1) throw usageError('push artifact takes one reference');
  if (reference.digest !== undefined) throw usageError('push to a tag, not a digest: the digest is computed from the content');
  const tag = reference.tag ?? 'latest';
  const platforms = parsePlatformPaths(stringsFlag(flags, 'platform'));
  const path = stringFlag(flags, 'path');
  if (platforms.length > 0 && path !== undefined) throw usageError('use either --path or --platform os/arch=path, not both');
  if (platforms.length === 0) requirePath(path);
  const created = booleanFlag(flags, 'reproducible') ? EPOCH : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const client = await createRegistryClient(flags, [reference], context);
  const push: PushContext = { client, reference, format: parseFormat(stringFlag(flags, 'format')), created, annotations: artifactAnnotations(flags, created), context };
  const packed: PackedContent[] = [];
  try {
    let descriptor: Descriptor;
    if (platforms.length === 0) {
      const content = await packContent({ path: path ?? '', flags, context });
      packed.push(content);
      descriptor = await pushOne(push, content, 'uploading', undefined, tag);
    } else {
      const manifests: Descriptor[] = [];
      for (const { platform, path: platformPath } of platforms) {
        const content = await packContent({ path: platformPath, flags, context });
        packed.push(content);
        const pushed = await pushOne(push, content, formatPlatform(platform), platform);
        manifests.push({ mediaType: pushed.mediaType, digest: pushed.digest, size: pushed.size, platform });
      }
      const index = buildArtifactIndex(manifests, push.annotations);
      descriptor = await client.pushManifest(reference, index, { mediaType: OCI_INDEX, reference: tag, signal: context.signal });
    }
    const repository = `${reference.registry}/${reference.repository}`;
    const result = {
      url: `oci://${repository}:${tag}@${descriptor.digest}`,
      repository,
      tag,
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
      size: descriptor.size,
    };
    await writeStructured(context.stdout, output, result, () => {
      context.stdout.write(`pushed ${formatReference({ ...reference, tag })}@${descriptor.digest}\n`);
    });
    return EXIT_OK;
  } finally {
    await Promise.all(packed.map((p) => p.dispose()));
    await client.close();
  }
}

export const pushArtifact: Command = {
  name: 'push artifact',
  summary: 'Pack a directory or file and push it as an OCI artifact',
  usage: 'push artifact oci://<registry>/<repository>[:<tag>] --path <dir|file|-> [flags]',
  help: [
    ...CONTENT_HELP,
    '--source url           origin of the content (annotation org.opencontainers.image.source)',
    '--revision rev         revision of the content, e.g. main@sha1:<commit> (org.opencontainers.image.revision)',
    '--annotation, -a k=v   extra manifest annotation (repeatable)',
    '--platform os/arch=path  one manifest per platform under an image index (repeatable; replaces --path)',
    '--format bob|flux      media types: bob (default) or Flux\'s, for Flux consumers',
    '-o, --output json|yaml print the result for scripts',
    ...REGISTRY_HELP,
  ],
  options: {
    ...CONTENT_OPTIONS,
    ...REGISTRY_OPTIONS,
    source: { type: 'string' },
    revision: { type: 'string' },
    annotation: { type: 'string', short: 'a', multiple: true },
    platform: { type: 'string', multiple: true },
    format: { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  run,
};
