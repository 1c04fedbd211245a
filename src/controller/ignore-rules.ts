/**
 * Which files of an extracted layer go into the artifact (research/flux.md
 * §4.4, fluxcd/pkg/sourceignore): with no pattern from `.sourceignore` or
 * spec.ignore, Flux's full default list applies (VCS, extensions, CI,
 * extra); as soon as any pattern exists, only the VCS defaults stay and the
 * patterns follow. Deviation: archive/ reads the root `.sourceignore` only,
 * not nested ones.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CI_IGNORE_PATTERNS, EXTENSION_IGNORE_PATTERNS, EXTRA_IGNORE_PATTERNS, SOURCE_IGNORE_FILE, VCS_IGNORE_PATTERNS, parseIgnoreFile,
  type IgnoreOptions,
} from '../archive/index.ts';

/** archive/ refuses bigger ignore files itself; this only decides which defaults apply. */
const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

/** Flux's defaults when no pattern is given anywhere. */
export const CONTROLLER_DEFAULT_IGNORE: readonly string[] = [
  ...VCS_IGNORE_PATTERNS, ...EXTENSION_IGNORE_PATTERNS, ...CI_IGNORE_PATTERNS, ...EXTRA_IGNORE_PATTERNS,
];

/** Lines that are patterns (gitignore: not blank, not a comment). */
function countPatterns(lines: readonly string[]): number {
  return lines.filter((line) => line.trim() !== '' && !line.startsWith('#')).length;
}

async function sourceIgnorePatternCount(root: string): Promise<number> {
  try {
    const path = join(root, SOURCE_IGNORE_FILE);
    const stats = await lstat(path);
    // A link or oversized file is refused by archive/ when it packs; here it simply counts as "patterns given".
    if (!stats.isFile() || stats.size > MAX_IGNORE_FILE_BYTES) return 1;
    return countPatterns(parseIgnoreFile(await readFile(path, 'utf8')));
  } catch {
    return 0;
  }
}

/** The IgnoreOptions to pack `root` (an extracted layer) with, for spec.ignore. */
export async function toIgnoreOptions(root: string, specIgnore: string | undefined): Promise<IgnoreOptions> {
  const patterns = specIgnore === undefined ? [] : parseIgnoreFile(specIgnore);
  const given = countPatterns(patterns) > 0 || (await sourceIgnorePatternCount(root)) > 0;
  return { defaults: given ? VCS_IGNORE_PATTERNS : CONTROLLER_DEFAULT_IGNORE, sourceIgnore: true, patterns };
}
