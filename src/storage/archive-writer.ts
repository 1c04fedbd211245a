/**
 * The writer for `operation: extract`: packs a directory into the
 * deterministic tar.gz of archive/ (Flux's archive format, research/flux.md
 * §4.2), so the same content always gives the same artifact digest and path.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { packArchive } from '../archive/index.ts';
import type { PackOptions } from '../archive/index.ts';
import type { ArtifactWriter } from './artifact-store.ts';

/** An ArtifactWriter packing `source` with `options` (its signal is the store's). Errors are archive's ARCHIVE_* BobErrors or fs errors. */
export function toArchiveWriter(source: string, options: Omit<PackOptions, 'signal'> = {}): ArtifactWriter {
  return async (tempPath, signal) => {
    const { stream, summary } = packArchive(source, { ...options, signal });
    await pipeline(stream, createWriteStream(tempPath, { flags: 'w' }), { signal });
    await summary;
  };
}
