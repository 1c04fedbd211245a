/**
 * `bobctl link artifact <artifact> <image>`: attaches an artifact to an
 * image as a referrer (image-spec manifest.md `subject`), so that whoever
 * discovers the image's referrers finds the artifact, e.g. the manifests
 * that deploy it. The new manifest keeps the artifact's config and layers
 * (copied into the image's repository if needed: mounted within a
 * registry, streamed across registries), sets `artifactType`, and is pushed
 * by digest; on a registry without the referrers API the client updates the
 * subject's tag-schema index (distribution-spec §"Pushing Manifests with
 * Subject"). The same inputs give the same digest, so linking twice is a no-op.
 */
import {
  BOB_LINK_ARTIFACT_TYPE, formatReference, OCI_MANIFEST, type Descriptor, type ImageManifest, type Reference,
  type RegistryClient, type Repository,
} from '../../oci/index.ts';
import { BobError } from '../../shared/index.ts';
import { assertArtifactType } from '../artifact-type-flag.ts';
import { stringFlag, stringsFlag, type Command } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { parseOutputFormat, writeStructured } from '../output.ts';
import { createRegistryClient, parseArtifactReference, REGISTRY_HELP, REGISTRY_OPTIONS } from '../registry-flags.ts';
import { parseAnnotations } from '../annotations-flag.ts';
import { usageError } from '../usage-error.ts';

export interface ReferrerManifestInput {
  readonly artifact: ImageManifest;
  readonly subject: Descriptor;
  readonly artifactType: string;
  /** Added to (and overriding) the artifact's own annotations. */
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * The referrer manifest's bytes. Config and layer descriptors are kept whole
 * (titles and other annotations included); keys are written in a fixed
 * order and annotations sorted, so the digest depends only on the inputs.
 */
export function buildReferrerManifest(input: ReferrerManifestInput): Uint8Array {
  const annotations = Object.entries({ ...input.artifact.annotations, ...input.annotations })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const { mediaType, digest, size } = input.subject;
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: input.artifactType,
    config: input.artifact.config,
    layers: input.artifact.layers,
    subject: { mediaType, digest, size },
    ...(annotations.length === 0 ? {} : { annotations: Object.fromEntries(annotations) }),
  };
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** Makes `descriptor`'s blob present in `to`: nothing to do in the same repository, a mount in the same registry, else a verified stream. */
async function copyBlob(client: RegistryClient, from: Repository, to: Repository, descriptor: Descriptor, signal: AbortSignal): Promise<void> {
  if (from.registry === to.registry && from.repository === to.repository) return;
  const stream = async function* (): AsyncGenerator<Uint8Array, void, undefined> {
    yield* await client.openBlob(from, descriptor, { signal });
  };
  await client.pushBlob(to, { size: descriptor.size, digest: descriptor.digest, open: stream }, {
    signal, ...(from.registry === to.registry ? { mountFrom: from.repository } : {}),
  });
}

export interface LinkedArtifact {
  /** `oci://registry/repository@digest` of the referrer. */
  readonly url: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly artifactType: string;
  readonly subject: { readonly url: string; readonly digest: string; readonly mediaType: string; readonly size: number };
  /**
   * `api` when the registry answered the push with OCI-Subject (it indexes
   * referrers itself); `tag` when bobctl updated the subject's
   * `<alg>-<hex>` tag-schema index instead.
   */
  readonly referrers: 'api' | 'tag';
}

async function link(client: RegistryClient, artifactRef: Reference, imageRef: Reference, input: Omit<ReferrerManifestInput, 'artifact' | 'subject'>, signal: AbortSignal): Promise<LinkedArtifact> {
  const fetched = await client.fetchManifest(artifactRef, { signal });
  if (fetched.manifest.kind !== 'manifest') {
    throw new BobError('MANIFEST_UNSUPPORTED', `${formatReference(artifactRef)} is an index: link one platform's artifact (by digest)`, { errorClass: 'stalling' });
  }
  const artifact = fetched.manifest;
  const subject = await client.resolve(imageRef, { signal });
  for (const blob of [artifact.config, ...artifact.layers]) await copyBlob(client, artifactRef, imageRef, blob, signal);
  const bytes = buildReferrerManifest({ ...input, artifact, subject });
  const pushed = await client.pushManifest(imageRef, bytes, { signal, mediaType: OCI_MANIFEST });
  const repository: Repository = { registry: imageRef.registry, repository: imageRef.repository };
  // The client records 'api' exactly when the push was answered with OCI-Subject; otherwise it wrote the tag index.
  const referrers = client.referrersSupport(imageRef.registry) === 'api' ? 'api' : 'tag';
  return {
    url: `oci://${formatReference({ ...repository, digest: pushed.digest })}`,
    digest: pushed.digest,
    mediaType: pushed.mediaType,
    size: pushed.size,
    artifactType: input.artifactType,
    subject: {
      url: `oci://${formatReference({ ...repository, digest: subject.digest })}`,
      digest: subject.digest, mediaType: subject.mediaType, size: subject.size,
    },
    referrers,
  };
}

export const linkArtifact: Command = {
  name: 'link artifact',
  summary: 'Attach an artifact to an image as an OCI referrer',
  usage: 'link artifact oci://<artifact>[:tag|@digest] oci://<image>[:tag|@digest] [flags]',
  help: [
    `--artifact-type type    artifactType of the referrer (default ${BOB_LINK_ARTIFACT_TYPE})`,
    '--annotation key=value  annotation on the referrer, added to the artifact\'s own; repeatable',
    '-o, --output format     json or yaml instead of the referrer\'s digest',
    ...REGISTRY_HELP,
  ],
  options: {
    ...REGISTRY_OPTIONS,
    'artifact-type': { type: 'string' },
    annotation: { type: 'string', multiple: true },
    output: { type: 'string', short: 'o' },
  },
  async run(parsed, context) {
    const [artifactText, imageText, ...extra] = parsed.positionals;
    if (extra.length > 0) throw usageError('link artifact takes an artifact reference and an image reference');
    const artifactRef = parseArtifactReference(artifactText);
    const imageRef = parseArtifactReference(imageText, 'image reference');
    const artifactType = stringFlag(parsed.flags, 'artifact-type') ?? BOB_LINK_ARTIFACT_TYPE;
    assertArtifactType(artifactType);
    const annotations = parseAnnotations(stringsFlag(parsed.flags, 'annotation'));
    const format = parseOutputFormat(stringFlag(parsed.flags, 'output'));
    const client = await createRegistryClient(parsed.flags, [artifactRef, imageRef], context);
    let linked: LinkedArtifact;
    try {
      linked = await link(client, artifactRef, imageRef, { artifactType, annotations }, context.signal);
    } finally {
      await client.close();
    }
    await writeStructured(context.stdout, format, linked, () => {
      context.stdout.write(`${linked.digest}\n`);
      context.stderr.write(`linked ${formatReference(artifactRef)} to ${linked.subject.url.slice('oci://'.length)} as ${linked.url}\n`);
    });
    return EXIT_OK;
  },
};
