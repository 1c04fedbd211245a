/**
 * storage/: artifact files on disk and the HTTP server that serves them
 * (research/reliability.md §4.5, §6 rows 38 and 40). Atomic publication
 * (temp file in the object's directory, fsync, rename, fsync, `latest.tar.gz`
 * swap), re-verification before reuse, per-object locks, garbage
 * collection, and a GET/HEAD-only file server confined to the root. Knows
 * nothing of Kubernetes or OCI. Every failure is a BobError with a
 * STORAGE_* code (see StorageErrorCode).
 */
export { ArtifactStore } from './artifact-store.ts';
export type { ArtifactCheck } from './check-artifact.ts';
export type {
  ArtifactStoreOptions,
  ArtifactWriter,
  GarbageCollectOptions,
  SignalOptions,
  StoreFromFileOptions,
  StoreOptions,
} from './artifact-store.ts';
export { ARTIFACT_FILE_PATTERN, LATEST_FILE_NAME, toRfc3339 } from './artifact.ts';
export type { ArtifactRef, StoredArtifact } from './artifact.ts';
export { toArchiveWriter } from './archive-writer.ts';
export { ARTIFACT_KIND_DIR, assertObjectKey, isDns1123Label, isDns1123Subdomain } from './object-key.ts';
export type { ObjectKey } from './object-key.ts';
export { DEFAULT_RETENTION, GC_ENTRY_LIMIT } from './retention.ts';
export type { RetentionPolicy } from './retention.ts';
export { TEMP_PREFIX } from './temp-name.ts';
export type { RandomToken } from './temp-name.ts';
export { KeyedMutex } from './keyed-mutex.ts';
export type { Release } from './keyed-mutex.ts';
export { createArtifactServer } from './artifact-server.ts';
export type { ArtifactServer, ArtifactServerOptions, ListenAddress } from './artifact-server.ts';
export type { StorageErrorCode } from './errors.ts';
