/**
 * `bobctl describe artifact oci://repo:tag`: everything a registry says
 * about one artifact, like `kubectl describe`: the manifest, its config
 * (with `created` when the config is a format bob knows), its layers, the
 * platform manifests of an index, and its referrers (signatures, SBOMs,
 * linked artifacts). `-o json|yaml` prints the same data.
 */
import {
  BOB_CONFIG_MEDIA_TYPE, FLUX_CONFIG_MEDIA_TYPE, formatPlatform, formatReference, type Descriptor, type ImageManifest,
  type Manifest, type Reference, type RegistryClient, type Repository,
} from '../../oci/index.ts';
import { describeError, isBobError, MIB } from '../../shared/index.ts';
import { stringFlag, type Command } from '../command.ts';
import { mapLimited } from '../concurrency.ts';
import type { CliContext } from '../context.ts';
import {
  formatDescription, type ArtifactDescription, type BlobDescription, type ConfigDescription, type LayerDescription,
  type ManifestDescription, type PlatformDescription,
} from '../describe-format.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { parseOutputFormat, writeStructured } from '../output.ts';
import { createRegistryClient, parseArtifactReference, REGISTRY_HELP, REGISTRY_OPTIONS } from '../registry-flags.ts';
import { usageError } from '../usage-error.ts';

/** Configs whose `created` we read: bob's, Flux's and image configs (image-spec config.md). */
const CONFIGS_WITH_CREATED = new Set([
  BOB_CONFIG_MEDIA_TYPE, FLUX_CONFIG_MEDIA_TYPE,
  'application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json',
]);
/** A config is metadata; anything larger is not worth reading to show a date. */
const CONFIG_READ_LIMIT = 4 * MIB;
const TITLE_ANNOTATION = 'org.opencontainers.image.title';
const ENTRY_CONCURRENCY = 8;

function toBlob(descriptor: Descriptor): BlobDescription {
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}

function toLayer(descriptor: Descriptor): LayerDescription {
  const title = descriptor.annotations?.[TITLE_ANNOTATION];
  return { ...toBlob(descriptor), ...(title === undefined ? {} : { title }) };
}

function toCreated(bytes: Uint8Array): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined; // a config that is not JSON has no date to show; its digest was verified all the same
  }
  const created = typeof parsed === 'object' && parsed !== null && 'created' in parsed ? parsed.created : undefined;
  return typeof created === 'string' ? created.slice(0, 100) : undefined;
}

async function describeConfig(client: RegistryClient, repository: Repository, config: Descriptor, signal: AbortSignal): Promise<ConfigDescription> {
  const blob = toBlob(config);
  if (!CONFIGS_WITH_CREATED.has(config.mediaType) || config.size > CONFIG_READ_LIMIT) return blob;
  try {
    const created = toCreated(await client.fetchBlobBytes(repository, config, { signal, maxBytes: CONFIG_READ_LIMIT }));
    return created === undefined ? blob : { ...blob, created };
  } catch (error) {
    // A missing or corrupt config is worth showing, not worth hiding the rest of the description for.
    if (!isBobError(error) || signal.aborted) throw error;
    return { ...blob, error: describeError(error) };
  }
}

async function describeImage(client: RegistryClient, repository: Repository, manifest: ImageManifest, signal: AbortSignal): Promise<Pick<ManifestDescription, 'config' | 'layers'>> {
  return {
    config: await describeConfig(client, repository, manifest.config, signal),
    layers: manifest.layers.map(toLayer),
  };
}

function describeCommon(descriptor: Descriptor, manifest: Manifest): ManifestDescription {
  return {
    digest: descriptor.digest,
    mediaType: manifest.mediaType,
    ...(manifest.artifactType === undefined ? {} : { artifactType: manifest.artifactType }),
    size: descriptor.size,
    ...(manifest.annotations === undefined ? {} : { annotations: manifest.annotations }),
    ...(manifest.subject === undefined ? {} : { subject: toBlob(manifest.subject) }),
  };
}

/** One index entry; a child bob cannot read is reported in place rather than failing the whole description. */
async function describeEntry(client: RegistryClient, repository: Repository, entry: Descriptor, signal: AbortSignal): Promise<PlatformDescription> {
  const platform = entry.platform === undefined ? {} : { platform: formatPlatform(entry.platform) };
  try {
    const fetched = await client.fetchManifestByDescriptor(repository, entry, { signal });
    const common = describeCommon(fetched.descriptor, fetched.manifest);
    const details = fetched.manifest.kind === 'manifest' ? await describeImage(client, repository, fetched.manifest, signal) : {};
    return { ...platform, manifest: { ...common, ...details } };
  } catch (error) {
    if (!isBobError(error) || signal.aborted) throw error;
    return { ...platform, manifest: toBlob(entry), error: describeError(error) };
  }
}

async function describeReferrers(client: RegistryClient, repository: Repository, digest: string, context: CliContext): Promise<Pick<ArtifactDescription, 'referrers' | 'referrersError'>> {
  try {
    const descriptors = await client.listReferrers(repository, digest, { signal: context.signal });
    return {
      referrers: descriptors.map((d) => ({
        ...(d.artifactType === undefined ? {} : { artifactType: d.artifactType }),
        ...toBlob(d),
        ...(d.annotations === undefined ? {} : { annotations: d.annotations }),
      })),
    };
  } catch (error) {
    // Referrers are an extra: a registry that fails to list them still describes the artifact.
    if (!isBobError(error) || context.signal.aborted) throw error;
    return { referrersError: describeError(error) };
  }
}

/** Gathers the description; one manifest fetch, one config read per image manifest, one referrers listing. */
export async function describeArtifactAt(client: RegistryClient, reference: Reference, context: CliContext): Promise<ArtifactDescription> {
  const { signal } = context;
  const fetched = await client.fetchManifest(reference, { signal });
  const { manifest } = fetched;
  const body = manifest.kind === 'manifest'
    ? await describeImage(client, reference, manifest, signal)
    : { manifests: await mapLimited(manifest.manifests, ENTRY_CONCURRENCY, (entry) => describeEntry(client, reference, entry, signal)) };
  return {
    reference: `oci://${formatReference(reference)}`,
    ...describeCommon(fetched.descriptor, manifest),
    ...body,
    ...(await describeReferrers(client, reference, fetched.descriptor.digest, context)),
  };
}

export const describeArtifact: Command = {
  name: 'describe artifact',
  summary: 'Show an artifact\'s manifest, config, layers, platforms and referrers',
  usage: 'describe artifact oci://<registry>/<repository>[:tag|@digest] [flags]',
  help: [
    '-o, --output format     json or yaml instead of the readable description',
    ...REGISTRY_HELP,
  ],
  options: {
    ...REGISTRY_OPTIONS,
    output: { type: 'string', short: 'o' },
  },
  async run(parsed, context) {
    const [text, ...extra] = parsed.positionals;
    if (extra.length > 0) throw usageError('describe artifact takes one artifact reference');
    const reference = parseArtifactReference(text);
    const format = parseOutputFormat(stringFlag(parsed.flags, 'output'));
    const client = await createRegistryClient(parsed.flags, [reference], context);
    let description: ArtifactDescription;
    try {
      description = await describeArtifactAt(client, reference, context);
    } finally {
      await client.close();
    }
    await writeStructured(context.stdout, format, description, () => context.stdout.write(formatDescription(description)));
    return EXIT_OK;
  },
};
