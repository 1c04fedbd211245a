/**
 * Extraction caps. Figures follow research/reliability.md §2 ("proposed
 * defaults"): Flux caps nothing for OCI layers and has no entry or depth
 * limit, which leaves inode exhaustion (§6 row 10) and deep-path memory
 * exhaustion (CVE-2024-28863) open. Every cap is enforced on bytes actually
 * read; declared sizes only allow an earlier failure.
 */
import { archiveError } from './errors.ts';
import { GIB, KIB } from '../shared/index.ts';

export interface ExtractLimits {
  /** Bytes of tar stream after gunzip, headers and padding included. */
  readonly maxUncompressedBytes: number;
  /** Bytes of the gzip blob as read. */
  readonly maxCompressedBytes: number;
  /** Entries plus directories implied by entry paths (each costs an inode). */
  readonly maxEntries: number;
  /** UTF-8 bytes of a normalized entry path (Linux PATH_MAX). */
  readonly maxPathBytes: number;
  /** UTF-8 bytes of one path segment (Linux NAME_MAX). */
  readonly maxSegmentBytes: number;
  /** Segments in an entry path. */
  readonly maxDepth: number;
  /** Bytes of one PAX extended header record block (tar-stream alone allows 4 MiB). */
  readonly maxPaxHeaderBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxUncompressedBytes: GIB,
  maxCompressedBytes: GIB,
  maxEntries: 100_000,
  maxPathBytes: 4096,
  maxSegmentBytes: 255,
  maxDepth: 64,
  maxPaxHeaderBytes: 64 * KIB,
};

/** Defaults overlaid with `overrides`; every value must be a positive safe integer. */
export function resolveLimits(overrides: Partial<ExtractLimits> = {}): ExtractLimits {
  const limits = { ...DEFAULT_EXTRACT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw archiveError('ARCHIVE_OPTIONS_INVALID', `archive limit ${name} must be a positive integer`);
    }
  }
  return limits;
}
