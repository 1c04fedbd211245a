/**
 * Files named by flags: relative paths are the user's working directory's
 * (the command's context, not the process's), and a file that cannot be
 * read is a usage error naming the flag.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { CliContext } from './context.ts';
import { usageError } from './usage-error.ts';

/** `path` as given on the command line, resolved against the command's working directory. */
export function resolveFlagPath(context: CliContext, path: string): string {
  return isAbsolute(path) ? path : join(context.cwd, path);
}

/** The bytes of the file `--flag path` names; a usage error when it cannot be read. */
export async function readFlagFile(context: CliContext, flag: string, path: string): Promise<Buffer> {
  if (path === '') throw usageError(`--${flag} must name a file`);
  try {
    return await readFile(resolveFlagPath(context, path));
  } catch (error) {
    throw usageError(`cannot read --${flag} ${path}`, error);
  }
}
