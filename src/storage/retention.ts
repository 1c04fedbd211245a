/**
 * Which old artifacts garbage collection removes. A file goes only when it
 * is BOTH beyond the newest `keep` (by mtime) AND older than `ttlMs`, and it
 * is never the current artifact or the target of `latest.tar.gz`.
 *
 * Flux (research/flux.md §4.3, gc.go) removes a file when it is expired OR
 * beyond the newest N. bob keeps a file while either rule still wants it:
 * the TTL protects a consumer still downloading an artifact that was just
 * replaced, the count keeps rollback targets. Defaults match Flux's flags
 * (--artifact-retention-records=2, --artifact-retention-ttl=1m).
 */
import { storageError } from './errors.ts';

/** How many artifacts to keep and for how long. */
export interface RetentionPolicy {
  /** Newest artifacts always kept, the current one included if it is among them. Integer ≥ 0. */
  readonly keep: number;
  /** Artifacts younger than this (by mtime) are always kept. Milliseconds ≥ 0. */
  readonly ttlMs: number;
}

/** Flux's defaults: 2 records, 1 minute. */
export const DEFAULT_RETENTION: RetentionPolicy = { keep: 2, ttlMs: 60_000 };

/** Directory entries one garbage collection looks at, like Flux's GarbageCountLimit. */
export const GC_ENTRY_LIMIT = 1000;

/** An artifact file seen by the collector. */
export interface RetentionCandidate {
  readonly name: string;
  readonly mtimeMs: number;
}

/** Throws STORAGE_OPTIONS_INVALID unless keep is an integer ≥ 0 and ttlMs a finite number ≥ 0. */
export function assertRetentionPolicy(policy: RetentionPolicy): void {
  if (!Number.isSafeInteger(policy.keep) || policy.keep < 0) {
    throw storageError('STORAGE_OPTIONS_INVALID', 'keep must be an integer of at least 0', { details: { field: 'keep' } });
  }
  if (!Number.isFinite(policy.ttlMs) || policy.ttlMs < 0) {
    throw storageError('STORAGE_OPTIONS_INVALID', 'ttlMs must be a finite number of at least 0', { details: { field: 'ttlMs' } });
  }
}

/**
 * Names to remove, oldest first. Ties in mtime are broken by name so the
 * choice is deterministic. Working on a subset of the directory (the entry
 * limit) is safe: a file beyond the newest `keep` of a subset is also beyond
 * the newest `keep` of the whole.
 */
export function selectGarbage(
  candidates: readonly RetentionCandidate[],
  protectedNames: ReadonlySet<string>,
  policy: RetentionPolicy,
  nowMs: number,
): string[] {
  const newestFirst = [...candidates].sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  return newestFirst
    .slice(policy.keep)
    .filter((candidate) => !protectedNames.has(candidate.name) && nowMs - candidate.mtimeMs > policy.ttlMs)
    .map((candidate) => candidate.name)
    .reverse();
}
