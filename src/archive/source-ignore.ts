/**
 * Builds the ignore matcher for a source root: defaults, then the root's
 * `.sourceignore`, then extra patterns (research/flux.md §4.4). Later rules
 * win, so a `.sourceignore` can `!`-re-include something a default excludes.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { archiveError, toArchiveError } from './errors.ts';
import { compileIgnore, parseIgnoreFile } from './ignore.ts';
import { DEFAULT_IGNORE_PATTERNS } from './ignore-defaults.ts';
import { MIB } from '../shared/index.ts';
import type { IgnoreMatcher } from './ignore.ts';

export const SOURCE_IGNORE_FILE = '.sourceignore';
const MAX_IGNORE_FILE_BYTES = MIB;

export interface IgnoreOptions {
  /** Applied first; default DEFAULT_IGNORE_PATTERNS. `--ignore-paths` replaces them; `[]` keeps everything. */
  readonly defaults?: readonly string[];
  /** Read `<root>/.sourceignore` (default true). */
  readonly sourceIgnore?: boolean;
  /** Applied last, like `--add-ignore-paths`. */
  readonly patterns?: readonly string[];
}

/** The matcher for directory `root` under `options`. */
export async function loadIgnore(root: string, options: IgnoreOptions = {}): Promise<IgnoreMatcher> {
  const patterns = [...(options.defaults ?? DEFAULT_IGNORE_PATTERNS)];
  if (options.sourceIgnore ?? true) {
    const text = await readIgnoreFile(join(root, SOURCE_IGNORE_FILE));
    if (text !== undefined) patterns.push(...parseIgnoreFile(text));
  }
  patterns.push(...(options.patterns ?? []));
  return compileIgnore(patterns);
}

async function readIgnoreFile(path: string): Promise<string | undefined> {
  let handle;
  try {
    // O_NOFOLLOW: the ignore file is content of the tree; it must not pull
    // in a file from elsewhere (CVE-2022-24877 class).
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    if (isErrno(error, 'ELOOP')) {
      throw archiveError('ARCHIVE_LINK_REJECTED', `${SOURCE_IGNORE_FILE} is a symlink`, { cause: error });
    }
    throw toArchiveError(error, `reading ${SOURCE_IGNORE_FILE}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw archiveError('ARCHIVE_ENTRY_TYPE_UNSUPPORTED', `${SOURCE_IGNORE_FILE} is not a regular file`);
    }
    if (stats.size > MAX_IGNORE_FILE_BYTES) {
      throw archiveError('ARCHIVE_TOO_LARGE', `${SOURCE_IGNORE_FILE} is larger than ${MAX_IGNORE_FILE_BYTES} bytes`);
    }
    return await handle.readFile({ encoding: 'utf8' });
  } catch (error) {
    throw toArchiveError(error, `reading ${SOURCE_IGNORE_FILE}`);
  } finally {
    await handle.close();
  }
}

/** Guard: is `error` a Node errno error with `code`. */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
