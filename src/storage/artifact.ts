/**
 * A stored artifact, as the controller copies it into `status.artifact`
 * (Flux meta.Artifact, research/flux.md §2.1), and the file names in an
 * object's directory.
 *
 * Naming: `<hex>.tar.gz`, where hex is the sha256 of the stored file itself
 * (not of the OCI manifest, unlike Flux's `sha256:<manifest-hex>.tar.gz`).
 * The name is therefore deterministic per content: storing the same bytes
 * twice lands on the same path, a name can never point at other content
 * without verify() noticing, and no `:` reaches URLs or file systems that
 * dislike it. `latest.tar.gz` is a relative symlink to the current one.
 */
import { parseDigest } from '../shared/index.ts';
import { storageError } from './errors.ts';
import { toObjectDirPath } from './object-key.ts';
import type { ObjectKey } from './object-key.ts';

/** What store() returns: the fields of Flux's meta.Artifact that storage owns. */
export interface StoredArtifact {
  /** `ocirepository/<namespace>/<name>/<hex>.tar.gz`, relative to the root, posix separators. */
  readonly path: string;
  /** `<baseUrl>/<path>`. */
  readonly url: string;
  /** `sha256:<hex>` of the stored file. */
  readonly digest: string;
  /** Bytes of the stored file. */
  readonly size: number;
  /** RFC 3339, seconds precision (metav1.Time's wire format); also the file's mtime. */
  readonly lastUpdateTime: string;
}

/** What verify() needs to re-check a stored artifact (a subset of status.artifact). */
export interface ArtifactRef {
  readonly path: string;
  readonly digest: string;
  readonly size?: number;
}

/** The symlink naming the current artifact of an object. */
export const LATEST_FILE_NAME = 'latest.tar.gz';

/** File names of stored artifacts: lowercase sha256 hex plus `.tar.gz`. */
export const ARTIFACT_FILE_PATTERN = /^([0-9a-f]{64})\.tar\.gz$/;

/** `<hex>.tar.gz` for a `sha256:<hex>` digest. */
export function toArtifactFileName(digest: string): string {
  const parsed = parseDigest(digest);
  if (parsed?.algorithm !== 'sha256') {
    throw storageError('STORAGE_PATH_INVALID', 'artifact digest is not a sha256 digest');
  }
  return `${parsed.hex}.tar.gz`;
}

/** The `sha256:<hex>` a stored file name encodes, or undefined for other names. */
export function toDigestFromFileName(fileName: string): string | undefined {
  const hex = ARTIFACT_FILE_PATTERN.exec(fileName)?.[1];
  return hex === undefined ? undefined : `sha256:${hex}`;
}

/**
 * The file name of `path` after checking that it is exactly
 * `<object dir of key>/<hex>.tar.gz`. Throws STORAGE_PATH_INVALID otherwise:
 * a status edited by hand must never make storage read or delete another
 * object's files.
 */
export function toFileNameInObject(key: ObjectKey, path: string): string {
  const prefix = `${toObjectDirPath(key)}/`;
  const fileName = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  if (!ARTIFACT_FILE_PATTERN.test(fileName)) {
    throw storageError('STORAGE_PATH_INVALID', `artifact path is not a file of ${key.namespace}/${key.name}`);
  }
  return fileName;
}

/** toFileNameInObject(key, ref.path), also checking that the name is `ref.digest`'s. */
export function toArtifactFileNameOf(key: ObjectKey, ref: ArtifactRef): string {
  const fileName = toFileNameInObject(key, ref.path);
  if (toArtifactFileName(ref.digest) !== fileName) {
    throw storageError('STORAGE_PATH_INVALID', 'artifact path does not match its digest');
  }
  return fileName;
}

/** `2025-01-02T03:04:05Z` for epoch milliseconds: RFC 3339 as Kubernetes writes metav1.Time. */
export function toRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
