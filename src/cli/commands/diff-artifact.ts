/**
 * bobctl diff artifact oci://repo:tag --path ./deploy: does the local
 * content equal the artifact's? First the cheap way (the local tarball's
 * digest against the layer's: equal for content pushed by bob or
 * reproducibly), else file by file after extracting the layer into a temp
 * dir, listing what was added, removed or changed. Exit 5 when different.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { diffTrees, digestArchive, extractArchive, listTree } from '../../archive/index.ts';
import { selectContentLayer } from '../../oci/index.ts';
import { stringFlag, type Command, type FlagValues } from '../command.ts';
import { CONTENT_HELP, CONTENT_OPTIONS, requirePath, walkOptions } from '../artifact-content.ts';
import { parsePlatformFlag, resolveArtifact } from '../artifact-manifests.ts';
import { ContentCache } from '../content-cache.ts';
import type { CliContext } from '../context.ts';
import { EXIT_DIFFERENT, EXIT_OK, type ExitCode } from '../exit-codes.ts';
import { parseOutputFormat, writeStructured } from '../output.ts';
import { REGISTRY_HELP, REGISTRY_OPTIONS, createRegistryClient, parseArtifactReference } from '../registry-flags.ts';
import { usageError } from '../usage-error.ts';

async function run(parsed: { positionals: readonly string[]; flags: FlagValues }, context: CliContext): Promise<ExitCode> {
  const { flags } = parsed;
  const format = parseOutputFormat(stringFlag(flags, 'output'));
  const reference = parseArtifactReference(parsed.positionals[0]);
  const pathFlag = requirePath(stringFlag(flags, 'path'));
  if (pathFlag === '-') throw usageError('diff artifact compares a directory or file, not stdin');
  const local = isAbsolute(pathFlag) ? pathFlag : resolve(context.cwd, pathFlag);
  const walk = walkOptions(flags, context.signal);
  const cache = ContentCache.fromEnvironment(context.env);
  const client = await createRegistryClient(flags, [reference], context);
  const work = await mkdtemp(join(tmpdir(), 'bobctl-diff-'));
  try {
    const artifact = await resolveArtifact(client, cache, reference, parsePlatformFlag(stringFlag(flags, 'platform')), context.signal);
    const layer = selectContentLayer(artifact.manifest);
    const packed = await digestArchive(local, walk);
    let added: string[] = [];
    let removed: string[] = [];
    let changed: string[] = [];
    const sameTarball = packed.digest === layer.digest;
    if (!sameTarball) {
      const extracted = join(work, 'remote');
      await extractArchive(await client.openBlobReadable(reference, layer, { signal: context.signal }), extracted, {
        expected: { digest: layer.digest, size: layer.size }, signal: context.signal,
      });
      // before = the artifact, after = local: `added` is what only the local path has.
      const diff = diffTrees(await listTree(extracted, { ignore: { defaults: [], sourceIgnore: false } }), await listTree(local, walk));
      added = [...diff.added];
      removed = [...diff.removed];
      changed = [...diff.changed];
    }
    const identical = sameTarball || added.length + removed.length + changed.length === 0;
    const result = { identical, localDigest: packed.digest, remoteDigest: layer.digest, added, removed, changed };
    await writeStructured(context.stdout, format, result, () => {
      if (identical) {
        context.stdout.write('no changes detected\n');
        return;
      }
      const lines = [
        ...added.map((p) => `+ ${p}    (only local)`),
        ...removed.map((p) => `- ${p}    (only in the artifact)`),
        ...changed.map((p) => `~ ${p}`),
      ];
      context.stdout.write(`the local content differs from ${parsed.positionals[0] ?? ''}:\n${lines.join('\n')}\n`);
    });
    return identical ? EXIT_OK : EXIT_DIFFERENT;
  } finally {
    await rm(work, { recursive: true, force: true });
    await client.close();
  }
}

export const diffArtifact: Command = {
  name: 'diff artifact',
  summary: 'Compare a local directory or file with an artifact',
  usage: 'diff artifact oci://<registry>/<repository>[:<tag>|@<digest>] --path <dir|file> [flags]',
  help: [
    ...CONTENT_HELP.filter((line) => !line.startsWith('--reproducible')),
    '--platform os/arch     which manifest of a multi-platform artifact',
    '-o, --output json|yaml print the result for scripts',
    ...REGISTRY_HELP,
  ],
  options: {
    ...CONTENT_OPTIONS,
    ...REGISTRY_OPTIONS,
    platform: { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  run,
};
