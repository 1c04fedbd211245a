/**
 * bobctl pull artifact oci://repo:tag --output ./out [--platform os/arch]
 *
 * Resolves the tag with one HEAD, reads manifest and layer from the local
 * content cache when they are there (digest re-checked), else streams the
 * layer once: into the cache and, at the same time, through the safe
 * extractor into a staging directory that replaces --output only after the
 * whole blob matched its digest.
 */
import { once } from 'node:events';
import { mkdir, readdir } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULT_EXTRACT_LIMITS, extractArchive, removeStaleStaging, type ExtractSummary } from '../../archive/index.ts';
import {
  ANNOTATION_REVISION, ANNOTATION_SOURCE, formatPlatform, formatReference, selectContentLayer, type Descriptor,
  type Reference, type RegistryClient,
} from '../../oci/index.ts';
import { BobError, isBobError } from '../../shared/index.ts';
import { booleanFlag, stringFlag, type Command, type FlagValues } from '../command.ts';
import { parsePlatformFlag, resolveArtifact } from '../artifact-manifests.ts';
import { ContentCache, type CacheWriter } from '../content-cache.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK, type ExitCode } from '../exit-codes.ts';
import { formatBytes, parseOutputFormat, writeStructured } from '../output.ts';
import { toPrintable } from '../printable.ts';
import { createProgress } from '../progress.ts';
import { REGISTRY_HELP, REGISTRY_OPTIONS, createRegistryClient, parseArtifactReference } from '../registry-flags.ts';
import { usageError } from '../usage-error.ts';

/** Layers bob unpacks; anything else is saved as one file. */
function isTarGzip(mediaType: string): boolean {
  return /(^|[.+])tar\+gzip$/.test(mediaType) || mediaType.endsWith('.tar.gzip');
}

async function assertUsableOutput(output: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(output);
  } catch (error) {
    if (isBobError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw usageError(`--output ${output} is a file, not a directory`);
    throw new BobError('OUTPUT_UNUSABLE', `cannot read --output ${output}`, { cause: error, errorClass: 'stalling' });
  }
  if (entries.length > 0 && !force) {
    throw usageError(`--output ${output} is not empty; pass --force to replace its content with the artifact`);
  }
}

/**
 * Copies each chunk into the cache file while passing it on. The cache is
 * best effort: once its file fails (a full disk), chunks only pass through.
 */
async function* teeInto(source: AsyncIterable<Uint8Array>, writer: CacheWriter | undefined, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let sink = writer?.stream;
  for await (const chunk of source) {
    onBytes(chunk.length);
    if (sink !== undefined && !sink.destroyed && !sink.write(chunk)) {
      try {
        await once(sink, 'drain');
      } catch {
        sink = undefined;
      }
    }
    yield chunk;
  }
}

interface LayerPull {
  readonly client: RegistryClient;
  readonly cache: ContentCache | undefined;
  readonly reference: Reference;
  readonly layer: Descriptor;
  readonly output: string;
  readonly context: CliContext;
}

async function extractLayer(pull: LayerPull): Promise<ExtractSummary> {
  const { client, cache, reference, layer, output, context } = pull;
  const expected = { digest: layer.digest, size: layer.size };
  const cached = await cache?.blobPath(layer.digest, layer.size);
  if (cached !== undefined) {
    try {
      return await extractArchive(cached, output, { expected, signal: context.signal });
    } catch (error) {
      // A cache entry that no longer matches is dropped and fetched again;
      // a hostile archive fails the same way from the network, so rethrow it.
      if (!isBobError(error, 'ARCHIVE_DIGEST_MISMATCH')) throw error;
      await cache?.evict(layer.digest);
    }
  }
  const progress = createProgress(context.stderr, 'downloading', layer.size);
  // Opened after the cache writer, so a cache failure never leaves a body unread.
  const writer = await cache?.openWriter(layer.digest).catch(() => undefined);
  const blob = await client.openBlob(reference, layer, { signal: context.signal, maxBytes: DEFAULT_EXTRACT_LIMITS.maxCompressedBytes });
  const source = teeInto(blob, writer, (n) => { progress.advance(n); });
  try {
    // openBlob fails at its end unless size and digest match: hash once, there.
    const summary = await extractArchive(Readable.from(source, { objectMode: false }), output, { expected, signal: context.signal, sourceVerified: true });
    progress.done();
    await writer?.commit().catch(() => undefined);
    return summary;
  } catch (error) {
    await writer?.abort();
    throw error;
  }
}

/** A file name for a non-archive layer: its title annotation if safe, else its digest. */
function fileNameFor(layer: Descriptor): string {
  const title = layer.annotations?.['org.opencontainers.image.title'];
  if (title !== undefined && title === basename(title) && !['', '.', '..'].includes(title) && !/[\0\\]/.test(title)) return title;
  return layer.digest.replace(':', '-');
}

async function run(parsed: { positionals: readonly string[]; flags: FlagValues }, context: CliContext): Promise<ExitCode> {
  const { flags } = parsed;
  const format = parseOutputFormat(stringFlag(flags, 'output-format'));
  const reference = parseArtifactReference(parsed.positionals[0]);
  if (parsed.positionals.length > 1) throw usageError('pull artifact takes one reference');
  const outputFlag = stringFlag(flags, 'output');
  if (outputFlag === undefined || outputFlag === '') throw usageError('--output is required: the directory to extract into');
  const output = isAbsolute(outputFlag) ? outputFlag : resolve(context.cwd, outputFlag);
  await assertUsableOutput(output, booleanFlag(flags, 'force'));
  // Staging and backup directories an interrupted pull left beside --output.
  await removeStaleStaging(output);
  const cache = booleanFlag(flags, 'no-cache') ? undefined : ContentCache.fromEnvironment(context.env);
  const client = await createRegistryClient(flags, [reference], context);
  try {
    const artifact = await resolveArtifact(client, cache, reference, parsePlatformFlag(stringFlag(flags, 'platform')), context.signal);
    const layer = selectContentLayer(artifact.manifest, stringFlag(flags, 'layer-media-type'));
    let files: number;
    if (isTarGzip(layer.mediaType)) {
      files = (await extractLayer({ client, cache, reference, layer, output, context })).files;
    } else {
      await mkdir(output, { recursive: true });
      await client.fetchBlobToFile(reference, layer, join(output, fileNameFor(layer)), { signal: context.signal });
      files = 1;
    }
    const annotations = artifact.manifest.annotations ?? {};
    const result = {
      url: `oci://${reference.registry}/${reference.repository}${reference.tag === undefined ? '' : `:${reference.tag}`}@${artifact.digest}`,
      digest: artifact.digest,
      ...(artifact.platform === undefined ? {} : { platform: formatPlatform(artifact.platform) }),
      source: annotations[ANNOTATION_SOURCE] ?? '',
      revision: annotations[ANNOTATION_REVISION] ?? '',
      layer: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
      files,
      output,
    };
    await writeStructured(context.stdout, format, result, () => {
      const lines = [`pulled ${formatReference(reference)}@${artifact.digest}`];
      if (result.platform !== undefined) lines.push(`  platform  ${result.platform}`);
      // Annotations are the registry's text: printable only.
      if (result.source !== '') lines.push(`  source    ${toPrintable(result.source)}`);
      if (result.revision !== '') lines.push(`  revision  ${toPrintable(result.revision)}`);
      lines.push(`  extracted ${files} file${files === 1 ? '' : 's'} (${formatBytes(layer.size)} compressed) to ${outputFlag}`);
      context.stdout.write(lines.join('\n') + '\n');
    });
    return EXIT_OK;
  } finally {
    await client.close();
  }
}

export const pullArtifact: Command = {
  name: 'pull artifact',
  summary: 'Pull an OCI artifact and extract its content safely',
  usage: 'pull artifact oci://<registry>/<repository>[:<tag>|@<digest>] --output <dir> [flags]',
  help: [
    '--output dir            directory to extract into; replaced as a whole once the content verified',
    '--force                 replace a non-empty --output',
    '--platform os/arch      which manifest of a multi-platform artifact (default: this machine\'s)',
    '--layer-media-type t    the layer to extract (default: the bob or Flux content layer, else the first)',
    '--no-cache              do not read or fill the local content cache (~/.cache/bob/content)',
    '--output-format json|yaml  print the result for scripts',
    ...REGISTRY_HELP,
  ],
  options: {
    ...REGISTRY_OPTIONS,
    output: { type: 'string' },
    force: { type: 'boolean' },
    platform: { type: 'string' },
    'layer-media-type': { type: 'string' },
    'no-cache': { type: 'boolean' },
    'output-format': { type: 'string', short: 'o' },
  },
  run,
};
