/**
 * `bobctl tag artifact oci://repo:tag --tag stable[,...]`: puts the manifest
 * the reference names under more tags. The manifest is fetched once and the
 * same bytes are PUT under each tag (distribution-spec §"Pushing Manifests"),
 * so the digest cannot change and no blob moves.
 */
import { formatReference, isTag, type Reference } from '../../oci/index.ts';
import { stringFlag, stringsFlag, type Command } from '../command.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { parseOutputFormat, writeStructured } from '../output.ts';
import { createRegistryClient, parseArtifactReference, REGISTRY_HELP, REGISTRY_OPTIONS } from '../registry-flags.ts';
import { usageError } from '../usage-error.ts';

export interface TaggedArtifact {
  /** `oci://registry/repository:tag@digest` */
  readonly url: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

/** The tags of `--tag` (repeatable, comma-separated), validated and deduplicated. */
export function toNewTags(values: readonly string[]): string[] {
  if (values.length === 0) throw usageError('at least one --tag is required');
  // isTag is a type guard; wrapped so the negation does not narrow every tag to never.
  const isValid = (tag: string): boolean => isTag(tag);
  const invalid = values.find((tag) => !isValid(tag));
  if (invalid !== undefined) throw usageError(`invalid tag "${invalid.slice(0, 140)}": tags match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  return [...new Set(values)];
}

export const tagArtifact: Command = {
  name: 'tag artifact',
  summary: 'Add tags to an artifact in a registry (no content is re-uploaded)',
  usage: 'tag artifact oci://<registry>/<repository>[:tag|@digest] --tag <tag>[,<tag>...] [flags]',
  help: [
    '--tag tag[,tag]         new tag(s) for the artifact; repeatable (required)',
    '-o, --output format     json or yaml instead of one reference per line',
    ...REGISTRY_HELP,
  ],
  options: {
    ...REGISTRY_OPTIONS,
    tag: { type: 'string', multiple: true },
    output: { type: 'string', short: 'o' },
  },
  async run(parsed, context) {
    const [text, ...extra] = parsed.positionals;
    if (extra.length > 0) throw usageError('tag artifact takes one artifact reference');
    const source = parseArtifactReference(text);
    const tags = toNewTags(stringsFlag(parsed.flags, 'tag', true));
    const format = parseOutputFormat(stringFlag(parsed.flags, 'output'));
    const client = await createRegistryClient(parsed.flags, [source], context);
    const tagged: TaggedArtifact[] = [];
    try {
      const fetched = await client.fetchManifest(source, { signal: context.signal });
      const { digest, mediaType } = fetched.descriptor;
      for (const tag of tags) {
        await client.pushManifest(source, fetched.bytes, { signal: context.signal, mediaType, reference: tag });
        const target: Reference = { registry: source.registry, repository: source.repository, tag, digest };
        const entry = { url: `oci://${formatReference(target)}`, repository: `${source.registry}/${source.repository}`, tag, digest };
        tagged.push(entry);
        // Line by line, so a failure on a later tag still shows which tags were made.
        if (format === 'table') context.stdout.write(`${entry.url}\n`);
      }
    } finally {
      await client.close();
    }
    await writeStructured(context.stdout, format, tagged, () => undefined);
    return EXIT_OK;
  },
};
