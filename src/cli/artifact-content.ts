/**
 * What `--path` names, packed into a deterministic tar.gz in a temp file:
 * a directory, a single file, or `-` for stdin (saved as one file first).
 * The temp file gives the digest before upload (the blob PUT needs it) and
 * lets a retried upload start over from byte 0.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_IGNORE_PATTERNS, packArchive, type PackSummary, type WalkOptions } from '../archive/index.ts';
import { BobError } from '../shared/index.ts';
import { stringsFlag, booleanFlag, type FlagValues, type OptionSpecs } from './command.ts';
import type { CliContext } from './context.ts';
import { usageError } from './usage-error.ts';

export const CONTENT_OPTIONS: OptionSpecs = {
  path: { type: 'string', short: 'f' },
  'ignore-paths': { type: 'string', multiple: true },
  'add-ignore-paths': { type: 'string', multiple: true },
  'resolve-symlinks': { type: 'boolean' },
  reproducible: { type: 'boolean' },
};

export const CONTENT_HELP: readonly string[] = [
  '--path, -f path        directory or file to pack, or - for stdin',
  '--ignore-paths p,...   ignore patterns (gitignore syntax) replacing the defaults (VCS and CI files)',
  '--add-ignore-paths p   ignore patterns added to the defaults and .sourceignore',
  '--resolve-symlinks     pack the targets of symlinks that stay inside the path (default: refuse symlinks)',
  '--reproducible         fixed timestamps, so the same content always has the same digest',
];

export interface PackedContent {
  readonly file: string;
  readonly summary: PackSummary;
  /** Removes the temp directory. */
  dispose(): Promise<void>;
}

export interface PackRequest {
  /** As typed: a path relative to cwd, or `-`. */
  readonly path: string;
  readonly flags: FlagValues;
  readonly context: CliContext;
}

/** How the content flags walk a path: what push packs, and what diff compares. */
export function walkOptions(flags: FlagValues, signal: AbortSignal): WalkOptions {
  return {
    ignore: {
      // --ignore-paths replaces the defaults; --add-ignore-paths adds to them.
      defaults: flags['ignore-paths'] === undefined ? DEFAULT_IGNORE_PATTERNS : stringsFlag(flags, 'ignore-paths', true),
      patterns: stringsFlag(flags, 'add-ignore-paths', true),
    },
    resolveSymlinks: booleanFlag(flags, 'resolve-symlinks'),
    signal,
  };
}

/** Packs `request.path` into `<tmp>/artifact.tar.gz`; the caller disposes of it. */
export async function packContent(request: PackRequest): Promise<PackedContent> {
  const { context, flags } = request;
  const work = await mkdtemp(join(tmpdir(), 'bobctl-'));
  const dispose = (): Promise<void> => rm(work, { recursive: true, force: true });
  try {
    let source: string;
    if (request.path === '-') {
      source = join(work, 'stdin');
      await pipeline(context.stdin, createWriteStream(source, { mode: 0o644 }), { signal: context.signal });
    } else {
      source = isAbsolute(request.path) ? request.path : resolve(context.cwd, request.path);
      try {
        await stat(source);
      } catch (error) {
        throw new BobError('PATH_NOT_FOUND', `--path ${request.path} does not exist`, { cause: error, errorClass: 'stalling' });
      }
    }
    const file = join(work, 'artifact.tar.gz');
    // Flux's --reproducible fixes the timestamps; bob's entries always carry
    // the epoch, so the flag only fixes the `created` annotation and config.
    const packed = packArchive(source, walkOptions(flags, context.signal));
    await pipeline(packed.stream, createWriteStream(file), { signal: context.signal });
    return { file, summary: await packed.summary, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Reads a packed file again, in chunks, for (re)uploads. */
export async function* readContent(file: string, onBytes: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    const bytes = chunk as Buffer;
    onBytes(bytes.length);
    yield bytes;
  }
}

/** `--path` is required for packing verbs. */
export function requirePath(value: string | undefined): string {
  if (value === undefined || value === '') throw usageError('--path is required (a directory, a file, or - for stdin)');
  return value;
}
