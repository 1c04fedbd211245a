/**
 * bobctl build artifact --path ./deploy [--output artifact.tgz]: the tarball
 * push would upload, written locally (no registry). Prints its digest, which
 * equals the pushed layer digest for the same content.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { stringFlag, type Command, type FlagValues } from '../command.ts';
import { CONTENT_HELP, CONTENT_OPTIONS, packContent, requirePath } from '../artifact-content.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK, type ExitCode } from '../exit-codes.ts';
import { formatBytes, parseOutputFormat, writeStructured } from '../output.ts';
import { usageError } from '../usage-error.ts';

async function run(parsed: { positionals: readonly string[]; flags: FlagValues }, context: CliContext): Promise<ExitCode> {
  const { flags } = parsed;
  if (parsed.positionals.length > 0) throw usageError('build artifact takes no arguments; use --path');
  const format = parseOutputFormat(stringFlag(flags, 'output-format'));
  const path = requirePath(stringFlag(flags, 'path'));
  const outputFlag = stringFlag(flags, 'output') ?? 'artifact.tgz';
  const output = isAbsolute(outputFlag) ? outputFlag : resolve(context.cwd, outputFlag);
  const packed = await packContent({ path, flags, context });
  try {
    // Same filesystem is not guaranteed (tmpdir vs cwd): rename, else copy
    // beside the output and rename that, so a half-copied file never shows.
    await rename(packed.file, output).catch(async (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      const beside = join(dirname(output), `.${basename(output)}.${randomUUID()}.tmp`);
      try {
        await copyFile(packed.file, beside);
        await rename(beside, output);
      } finally {
        await rm(beside, { force: true });
      }
    });
  } finally {
    await packed.dispose();
  }
  const { summary } = packed;
  const result = { output, digest: summary.digest, size: summary.size, diffId: summary.diffId, entries: summary.entries };
  await writeStructured(context.stdout, format, result, () => {
    context.stdout.write(`built ${outputFlag}: ${summary.digest} (${formatBytes(summary.size)}, ${summary.entries} entries)\n`);
  });
  return EXIT_OK;
}

export const buildArtifact: Command = {
  name: 'build artifact',
  summary: 'Pack a directory or file into the tarball push would upload',
  usage: 'build artifact --path <dir|file|-> [--output artifact.tgz]',
  help: [
    ...CONTENT_HELP,
    '--output file          where to write the tarball (default artifact.tgz)',
    '-o, --output-format json|yaml  print the result for scripts',
  ],
  options: {
    ...CONTENT_OPTIONS,
    output: { type: 'string' },
    'output-format': { type: 'string', short: 'o' },
  },
  run,
};
