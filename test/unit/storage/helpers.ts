// Shared by the storage tests: a scratch root per test, a settable clock,
// writers for known bytes, and the assertions on "nothing changed".
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../../src/storage/index.ts';
import type { ArtifactWriter, ObjectKey } from '../../../src/storage/index.ts';
import { isBobError } from '../../../src/shared/index.ts';
import type { Clock } from '../../../src/shared/index.ts';

export const BASE_URL = 'http://storage.bob-system.svc.cluster.local.';
export const KEY: ObjectKey = { namespace: 'apps', name: 'podinfo' };
export const OBJECT_DIR = 'ocirepository/apps/podinfo';

/** A clock whose time the test sets; sleep resolves at once. */
export interface TestClock extends Clock {
  set(ms: number): void;
}

export function testClock(startMs = Date.UTC(2025, 0, 2, 3, 4, 5)): TestClock {
  let now = startMs;
  return {
    now: () => now,
    sleep: async () => { await Promise.resolve(); },
    set: (ms) => { now = ms; },
  };
}

/** Creates a scratch directory before each test and removes it after; `use` receives its path. */
export function useScratch(use: (dir: string) => void): void {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bob-storage-'));
    use(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
}

export function storeAt(root: string, clock: Clock = testClock()): ArtifactStore {
  return new ArtifactStore({ root, baseUrl: BASE_URL, clock });
}

export function hexOf(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A writer putting `content` into the temporary file. */
export function writerOf(content: string | Uint8Array): ArtifactWriter {
  return async (tempPath) => { await writeFile(tempPath, content); };
}

/** Entries of the object directory, sorted, with `latest.tar.gz`'s target. */
export async function snapshot(root: string, relDir = OBJECT_DIR): Promise<{ names: string[]; latest: string | undefined; files: Record<string, string> }> {
  const dir = join(root, relDir);
  const names = (await readdir(dir)).sort();
  const latest = names.includes('latest.tar.gz') ? await readlink(join(dir, 'latest.tar.gz')) : undefined;
  const files: Record<string, string> = {};
  for (const name of names) {
    if (name !== 'latest.tar.gz') files[name] = await readFile(join(dir, name), 'utf8').catch(() => '<unreadable>');
  }
  return { names, latest, files };
}

/** Asserts `promise` rejects with a BobError of `code`; returns it. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<Error & { code: string; details: Readonly<Record<string, unknown>>; errorClass: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isBobError(error), `expected a BobError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected rejection with ${code}`);
}

/** A promise resolved from outside. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => { resolve = done; });
  return { promise, resolve };
}
