/**
 * Artifact files on disk (research/reliability.md §4.5, §6 rows 38 and 40):
 * `<root>/ocirepository/<namespace>/<name>/<sha256-hex>.tar.gz` plus a
 * `latest.tar.gz` symlink per object.
 *
 * A new artifact is written by the caller into a temporary file in the
 * object's own directory, then sealed and published (publish.ts). Until the
 * rename nothing carries a final name; any failure removes the temporary
 * file and leaves the previous artifact and `latest.tar.gz` as they were,
 * so a failed reconcile keeps serving the last good artifact. One operation
 * per object at a time (KeyedMutex); different objects run in parallel.
 */
import { constants } from 'node:fs';
import { open, opendir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BobError } from '../shared/index.ts';
import type { Clock } from '../shared/index.ts';
import { LATEST_FILE_NAME, toArtifactFileName, toArtifactFileNameOf, toFileNameInObject, toRfc3339 } from './artifact.ts';
import type { ArtifactRef, StoredArtifact } from './artifact.ts';
import { toArtifactUrl, toBaseUrl } from './artifact-url.ts';
import { checkArtifactFile } from './check-artifact.ts';
import type { ArtifactCheck } from './check-artifact.ts';
import { copyInto } from './copy-stream.ts';
import { removeQuietly, syncDirectory } from './durable-fs.ts';
import { assertNotAborted, storageError, toStorageError } from './errors.ts';
import { collectGarbage } from './garbage-collect.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { readLatestTarget } from './latest-link.ts';
import { ensureObjectDir, resolveObjectDir } from './object-dir.ts';
import { toObjectDirPath, toObjectId } from './object-key.ts';
import type { ObjectKey } from './object-key.ts';
import { FILE_MODE, publishArtifact, sealTempFile } from './publish.ts';
import { assertRetentionPolicy } from './retention.ts';
import type { RetentionPolicy } from './retention.ts';
import { sweepObjectDirs } from './sweep.ts';
import { isTempName, randomToken, toTempName } from './temp-name.ts';
import type { RandomToken } from './temp-name.ts';

export interface ArtifactStoreOptions {
  /** Storage root (Flux --storage-path). Created on first write. */
  readonly root: string;
  /** Prefix of artifact URLs (Flux http://<--storage-adv-addr>). */
  readonly baseUrl: string;
  /** lastUpdateTime, file mtimes and GC ages come from this clock. */
  readonly clock: Clock;
  /** Tokens for temporary names; default 16 random hex characters. */
  readonly random?: RandomToken;
}

/**
 * Writes the artifact to `tempPath` (a file that exists, empty, in the
 * object's directory; write it in place, truncating). Must stop when
 * `signal` aborts. Its BobErrors pass through store() unchanged.
 */
export type ArtifactWriter = (tempPath: string, signal: AbortSignal) => Promise<void>;

export interface StoreOptions {
  readonly signal?: AbortSignal;
  /** When set, the written file must hash to it, else STORAGE_DIGEST_MISMATCH and nothing is published. */
  readonly expectedDigest?: string;
}

export interface StoreFromFileOptions extends StoreOptions {
  /**
   * Rename `source` in instead of copying when it is on the same filesystem
   * (falls back to copy + unlink on EXDEV). `source` is consumed either way,
   * even when the store then fails.
   */
  readonly move?: boolean;
}

export interface GarbageCollectOptions extends RetentionPolicy {
  /**
   * Path of the artifact in status, kept whatever its age (`latest.tar.gz`'s
   * target is kept too). A path that names no file of this object (another
   * layout) protects nothing, since it cannot match a file GC would remove.
   */
  readonly current?: string;
  readonly signal?: AbortSignal;
}

export interface SignalOptions {
  readonly signal?: AbortSignal;
}

/** The artifact files of every object under one root. */
export class ArtifactStore {
  /** Absolute storage root. */
  readonly root: string;
  /** Base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly #clock: Clock;
  readonly #random: RandomToken;
  readonly #locks = new KeyedMutex();

  /** Throws STORAGE_OPTIONS_INVALID for a bad baseUrl or an empty root. No I/O. */
  constructor(options: ArtifactStoreOptions) {
    if (typeof options.root !== 'string' || options.root === '') {
      throw storageError('STORAGE_OPTIONS_INVALID', 'root must be a directory path', { details: { field: 'root' } });
    }
    this.root = resolve(options.root);
    this.baseUrl = toBaseUrl(options.baseUrl);
    this.#clock = options.clock;
    this.#random = options.random ?? randomToken;
  }

  /** `<baseUrl>/<path>` for a relative artifact path (Flux rewrites these when the address changes). */
  urlFor(path: string): string {
    return toArtifactUrl(this.baseUrl, path);
  }

  /** Relative path of the object's `latest.tar.gz` (status.url is its URL). Throws STORAGE_PATH_INVALID. */
  latestPath(key: ObjectKey): string {
    return `${toObjectDirPath(key)}/${LATEST_FILE_NAME}`;
  }

  /** Absolute path of a stored artifact of `key`. Throws STORAGE_PATH_INVALID unless `ref` names one. */
  localPath(key: ObjectKey, ref: ArtifactRef): string {
    return join(this.root, toObjectDirPath(key), toArtifactFileNameOf(key, ref));
  }

  /**
   * Publishes what `write` puts into a temporary file as the object's new
   * artifact and points `latest.tar.gz` at it. Errors: STORAGE_PATH_INVALID
   * (key or expectedDigest), STORAGE_WRITE_FAILED (details.errno: ENOSPC...),
   * STORAGE_DIGEST_MISMATCH, STORAGE_ABORTED, or the writer's own BobError.
   * On any error the previous artifact and link are untouched.
   */
  async store(key: ObjectKey, write: ArtifactWriter, options: StoreOptions = {}): Promise<StoredArtifact> {
    const relDir = toObjectDirPath(key);
    if (options.expectedDigest !== undefined) toArtifactFileName(options.expectedDigest);
    const signal = options.signal ?? new AbortController().signal;
    const id = toObjectId(key);
    return this.#locks.run(id, signal, async () => {
      let tempPath: string | undefined;
      try {
        const dir = await ensureObjectDir(this.root, relDir);
        tempPath = join(dir, toTempName(this.#random));
        // O_EXCL: never adopt a file or link someone else left under this name.
        await (await open(tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, FILE_MODE)).close();
        await write(tempPath, signal);
        assertNotAborted(signal, `storing artifact for ${id}`);
        const nowMs = this.#clock.now();
        const { digest, size } = await sealTempFile(tempPath, nowMs, signal);
        if (options.expectedDigest !== undefined && options.expectedDigest !== digest) {
          throw storageError('STORAGE_DIGEST_MISMATCH', `artifact for ${id} does not match the expected digest`, {
            details: { expected: options.expectedDigest, actual: digest },
          });
        }
        const fileName = toArtifactFileName(digest);
        await publishArtifact(dir, tempPath, fileName, this.#random);
        tempPath = undefined;
        const path = `${relDir}/${fileName}`;
        return { path, url: this.urlFor(path), digest, size, lastUpdateTime: toRfc3339(nowMs) };
      } catch (error) {
        if (tempPath !== undefined) await removeQuietly(tempPath);
        if (signal.aborted && !(error instanceof BobError)) {
          throw storageError('STORAGE_ABORTED', `storing artifact for ${id}: aborted`, { cause: error });
        }
        throw toStorageError(error, 'STORAGE_WRITE_FAILED', `storing artifact for ${id}`);
      }
    });
  }

  /**
   * store() with `source` (e.g. a verified blob for `operation: copy`) as
   * the content, copied or moved into the temporary file. Same errors and
   * guarantees as store().
   */
  async storeFromFile(key: ObjectKey, source: string, options: StoreFromFileOptions = {}): Promise<StoredArtifact> {
    return this.store(key, (tempPath, signal) => copyInto(source, tempPath, options.move === true, signal), options);
  }

  /**
   * Re-checks a stored artifact before it is reused: a regular file (not a
   * symlink) at `ref.path` whose size and sha256 still match. Returns the
   * reason to rebuild rather than throwing it (STORAGE_ARTIFACT_MISSING,
   * STORAGE_CORRUPT, or STORAGE_PATH_INVALID when `ref` does not name a file
   * of this object); throws STORAGE_PATH_INVALID for a bad key or a
   * directory redirected by a symlink, STORAGE_READ_FAILED for I/O errors,
   * STORAGE_ABORTED.
   */
  async verify(key: ObjectKey, ref: ArtifactRef, options: SignalOptions = {}): Promise<ArtifactCheck> {
    const relDir = toObjectDirPath(key);
    let fileName: string;
    try {
      fileName = toArtifactFileNameOf(key, ref);
    } catch (error) {
      // A status from another layout (or edited by hand) names no file here: rebuild.
      if (error instanceof BobError) return { ok: false, error };
      throw error;
    }
    return this.#locks.run(toObjectId(key), options.signal, async () => {
      try {
        return await checkArtifactFile(await resolveObjectDir(this.root, relDir), fileName, ref, options.signal);
      } catch (error) {
        throw toStorageError(error, 'STORAGE_READ_FAILED', `verifying artifact ${ref.path}`);
      }
    });
  }

  /** The relative path `latest.tar.gz` points at, or undefined. Throws STORAGE_PATH_INVALID, STORAGE_READ_FAILED. */
  async latest(key: ObjectKey): Promise<string | undefined> {
    const relDir = toObjectDirPath(key);
    try {
      const dir = await resolveObjectDir(this.root, relDir);
      const target = dir === undefined ? undefined : await readLatestTarget(dir);
      return target === undefined ? undefined : `${relDir}/${target}`;
    } catch (error) {
      throw toStorageError(error, 'STORAGE_READ_FAILED', `reading latest artifact of ${toObjectId(key)}`);
    }
  }

  /**
   * Removes the object's artifacts that are beyond the newest `keep` AND
   * older than `ttlMs` (retention.ts), never `current` nor the target of
   * `latest.tar.gz`; looks at no more than GC_ENTRY_LIMIT directory entries.
   * Returns the relative paths removed, oldest first. Errors:
   * STORAGE_OPTIONS_INVALID, STORAGE_PATH_INVALID (key), STORAGE_REMOVE_FAILED.
   */
  async garbageCollect(key: ObjectKey, options: GarbageCollectOptions): Promise<string[]> {
    assertRetentionPolicy(options);
    const relDir = toObjectDirPath(key);
    const current = options.current === undefined ? undefined : toCurrentFileName(key, options.current);
    const id = toObjectId(key);
    return this.#locks.run(id, options.signal, async () => {
      try {
        const dir = await resolveObjectDir(this.root, relDir);
        if (dir === undefined) return [];
        const protectedNames = new Set<string>();
        if (current !== undefined) protectedNames.add(current);
        const latest = await readLatestTarget(dir);
        if (latest !== undefined) protectedNames.add(latest);
        const removed = await collectGarbage(dir, protectedNames, options, this.#clock.now(), options.signal);
        return removed.map((name) => `${relDir}/${name}`);
      } catch (error) {
        throw toStorageError(error, 'STORAGE_REMOVE_FAILED', `collecting garbage of ${id}`);
      }
    });
  }

  /**
   * Deletes the object's directory with every artifact and its link (object
   * deletion, before the finalizer goes). Returns whether it existed.
   * Errors: STORAGE_PATH_INVALID, STORAGE_REMOVE_FAILED.
   */
  async remove(key: ObjectKey, options: SignalOptions = {}): Promise<boolean> {
    const relDir = toObjectDirPath(key);
    const id = toObjectId(key);
    return this.#locks.run(id, options.signal, async () => {
      try {
        const dir = await resolveObjectDir(this.root, relDir);
        if (dir === undefined) return false;
        await rm(dir, { recursive: true, force: true });
        return true;
      } catch (error) {
        throw toStorageError(error, 'STORAGE_REMOVE_FAILED', `removing artifacts of ${id}`);
      }
    });
  }

  /**
   * Removes the temporary files and links a crashed run left in every
   * object's directory (reliability.md §6 row 38: "staging swept at
   * start"). Takes each object's lock, so it is safe next to running
   * stores. Returns the relative paths removed. Errors: STORAGE_REMOVE_FAILED.
   */
  async sweepStaging(options: SignalOptions = {}): Promise<string[]> {
    const sweepOne = async (key: ObjectKey, relDir: string): Promise<string[]> => this.#locks.run(toObjectId(key), options.signal, async () => {
      const dir = await resolveObjectDir(this.root, relDir);
      if (dir === undefined) return [];
      const removed: string[] = [];
      for await (const entry of await opendir(dir)) {
        if (!isTempName(entry.name)) continue;
        await rm(join(dir, entry.name), { recursive: true, force: true });
        removed.push(`${relDir}/${entry.name}`);
      }
      if (removed.length > 0) await syncDirectory(dir);
      return removed;
    });
    try {
      return await sweepObjectDirs(this.root, sweepOne, options.signal);
    } catch (error) {
      throw toStorageError(error, 'STORAGE_REMOVE_FAILED', 'sweeping temporary files');
    }
  }
}

function toCurrentFileName(key: ObjectKey, path: string): string | undefined {
  try {
    return toFileNameInObject(key, path);
  } catch {
    return undefined;
  }
}
