/**
 * `bobctl discover oci://repo:tag`: the artifacts that refer to an image
 * (signatures, SBOMs, linked bob artifacts), and what refers to those, as a
 * tree like `oras discover`. The referrers come from the API or the tag
 * schema, whichever the registry has (the client decides).
 *
 * Descriptors in a referrers list are only as good as whoever wrote them:
 * older cosign fallback indexes carry no artifactType or the empty media
 * type, and pre-release registries (zot 1.4) report the config media type.
 * Where the descriptor has no useful type, the manifest itself is asked
 * (signatures.md §7), and the `--artifact-type` filter is applied to that.
 */
import {
  formatReference, OCI_EMPTY, toArtifactType, type Descriptor, type Reference, type RegistryClient,
} from '../../oci/index.ts';
import { isBobError } from '../../shared/index.ts';
import { assertArtifactType } from '../artifact-type-flag.ts';
import { stringFlag, type Command } from '../command.ts';
import { createLimiter, type Limiter } from '../concurrency.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { parseOutputFormat, writeStructured, type OutputFormat } from '../output.ts';
import { renderReferrerTree, type ReferrerNode, type ReferrerTree } from '../referrer-tree.ts';
import { createRegistryClient, parseArtifactReference, REGISTRY_HELP, REGISTRY_OPTIONS } from '../registry-flags.ts';
import { usageError } from '../usage-error.ts';

const DEFAULT_DEPTH = 3;
const MAX_DEPTH = 10;
const REQUEST_CONCURRENCY = 8;

/** `-o tree` is the default and the same as the table format of the other verbs. */
export function toDiscoverFormat(value: string | undefined): OutputFormat {
  return value === 'tree' ? 'table' : parseOutputFormat(value);
}

export function toDepth(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DEPTH;
  const depth = Number(value);
  if (!/^\d+$/.test(value) || depth < 1 || depth > MAX_DEPTH) throw usageError(`--depth must be a whole number from 1 to ${MAX_DEPTH}`);
  return depth;
}

interface Walk {
  readonly client: RegistryClient;
  readonly repository: Reference;
  readonly limit: Limiter;
  readonly signal: AbortSignal;
}

function hasUsefulType(descriptor: Descriptor): boolean {
  return descriptor.artifactType !== undefined && descriptor.artifactType !== '' && descriptor.artifactType !== OCI_EMPTY;
}

/** The descriptor with artifactType (and annotations, if missing) taken from the manifest when the listing lacks them. */
async function withArtifactType(walk: Walk, descriptor: Descriptor): Promise<Descriptor> {
  if (hasUsefulType(descriptor)) return descriptor;
  try {
    const { manifest } = await walk.limit(() => walk.client.fetchManifestByDescriptor(walk.repository, descriptor, { signal: walk.signal }));
    const artifactType = toArtifactType(manifest);
    const annotations = descriptor.annotations ?? manifest.annotations;
    return {
      ...descriptor,
      ...(artifactType === undefined ? {} : { artifactType }),
      ...(annotations === undefined ? {} : { annotations }),
    };
  } catch (error) {
    // A referrer we cannot read is still shown, as listed.
    if (!isBobError(error) || walk.signal.aborted) throw error;
    return descriptor;
  }
}

/**
 * The referrers of `subject` down to `depth` levels. `ancestors` guards
 * against cycles, which content addressing rules out but a hand-written
 * fallback index does not.
 */
async function discoverReferrers(walk: Walk, subject: string, depth: number, artifactType: string | undefined, ancestors: ReadonlySet<string>): Promise<ReferrerNode[]> {
  const listed = await walk.limit(() => walk.client.listReferrers(walk.repository, subject, { signal: walk.signal }));
  const typed = await Promise.all(listed.filter((d) => !ancestors.has(d.digest)).map((d) => withArtifactType(walk, d)));
  const selected = artifactType === undefined ? typed : typed.filter((d) => d.artifactType === artifactType);
  const path = new Set([...ancestors, subject]);
  return Promise.all(selected.map(async (descriptor): Promise<ReferrerNode> => ({
    ...(descriptor.artifactType === undefined ? {} : { artifactType: descriptor.artifactType }),
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    ...(descriptor.annotations === undefined ? {} : { annotations: descriptor.annotations }),
    // The filter applies to the first level only, like oras: a signature's own signatures are always shown.
    referrers: depth > 1 ? await discoverReferrers(walk, descriptor.digest, depth - 1, undefined, path) : [],
  })));
}

export const discover: Command = {
  name: 'discover',
  summary: 'Show the referrers of an artifact or image (signatures, SBOMs, linked artifacts) as a tree',
  usage: 'discover oci://<registry>/<repository>[:tag|@digest] [flags]',
  help: [
    '--artifact-type type    only referrers of this artifactType (first level only)',
    `--depth n               levels of referrers to follow (default ${DEFAULT_DEPTH}, at most ${MAX_DEPTH})`,
    '-o, --output format     tree (default), json or yaml',
    ...REGISTRY_HELP,
  ],
  options: {
    ...REGISTRY_OPTIONS,
    'artifact-type': { type: 'string' },
    depth: { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  async run(parsed, context) {
    const [text, ...extra] = parsed.positionals;
    if (extra.length > 0) throw usageError('discover takes one reference');
    const reference = parseArtifactReference(text);
    const artifactType = stringFlag(parsed.flags, 'artifact-type');
    if (artifactType !== undefined) assertArtifactType(artifactType);
    const depth = toDepth(stringFlag(parsed.flags, 'depth'));
    const format = toDiscoverFormat(stringFlag(parsed.flags, 'output'));
    const client = await createRegistryClient(parsed.flags, [reference], context);
    let tree: ReferrerTree;
    try {
      const subject = await client.resolve(reference, { signal: context.signal });
      const walk: Walk = { client, repository: reference, limit: createLimiter(REQUEST_CONCURRENCY), signal: context.signal };
      tree = {
        subject: `oci://${formatReference({ ...reference, digest: subject.digest })}`,
        digest: subject.digest,
        mediaType: subject.mediaType,
        referrers: await discoverReferrers(walk, subject.digest, depth, artifactType, new Set()),
      };
    } finally {
      await client.close();
    }
    const width = context.stdout.isTTY === true ? context.stdout.columns : undefined;
    await writeStructured(context.stdout, format, tree, () => context.stdout.write(renderReferrerTree(tree, width)));
    return EXIT_OK;
  },
};
