import assert from 'node:assert/strict';
import { mkdir, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GC_ENTRY_LIMIT } from '../../../src/storage/index.ts';
import type { StoredArtifact } from '../../../src/storage/index.ts';
import { hexOf, KEY, OBJECT_DIR, rejectsWithCode, storeAt, testClock, useScratch, writerOf } from './helpers.ts';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const S = 1000;
const M = 60 * S;

interface GcCase {
  readonly title: string;
  /** Ages of v1..vN in ms when GC runs; stored oldest first, so latest → the last one. */
  readonly ages: readonly number[];
  readonly keep: number;
  readonly ttlMs: number;
  /** 1-based index of status.artifact, when given. */
  readonly current?: number;
  /** 1-based index latest.tar.gz is pointed at instead of the newest. */
  readonly latest?: number;
  /** 1-based indexes expected removed, oldest first. */
  readonly removed: readonly number[];
}

const CASES: readonly GcCase[] = [
  { title: 'keeps the newest 2 and removes older expired ones (Flux defaults)', ages: [5 * M, 4 * M, 3 * M, 2 * M, S], keep: 2, ttlMs: M, removed: [1, 2, 3] },
  { title: 'keeps everything younger than the TTL whatever the count', ages: [5 * M, 4 * M, 3 * M, 2 * M, S], keep: 2, ttlMs: 10 * M, removed: [] },
  { title: 'keeps the newest N whatever their age', ages: [50 * M, 40 * M, 30 * M], keep: 10, ttlMs: 0, removed: [] },
  { title: 'keep 0 and ttl 0 keeps only the latest target', ages: [3 * M, 2 * M, M], keep: 0, ttlMs: 0, removed: [1, 2] },
  { title: 'never removes the current artifact, however old', ages: [9 * M, 4 * M, 3 * M, 2 * M], keep: 1, ttlMs: M, current: 1, removed: [2, 3] },
  { title: 'never removes the latest target (rolled back to an old one)', ages: [9 * M, 4 * M, 3 * M], keep: 0, ttlMs: 0, latest: 1, removed: [2, 3] },
  { title: 'an age exactly at the TTL is not expired (strictly older only)', ages: [2 * M, M, S], keep: 1, ttlMs: M, removed: [1] },
  { title: 'single artifact: nothing to collect', ages: [99 * M], keep: 0, ttlMs: 0, removed: [] },
];

describe('storage/garbage collection', () => {
  let root = '';
  useScratch((dir) => { root = join(dir, 'data'); });

  async function storeAged(ages: readonly number[]): Promise<{ artifacts: StoredArtifact[]; clock: ReturnType<typeof testClock> }> {
    const clock = testClock();
    const store = storeAt(root, clock);
    const artifacts: StoredArtifact[] = [];
    for (const [index, age] of ages.entries()) {
      clock.set(NOW - age);
      artifacts.push(await store.store(KEY, writerOf(`v${index + 1}`)));
    }
    clock.set(NOW);
    return { artifacts, clock };
  }

  for (const testCase of CASES) {
    it(testCase.title, async () => {
      const { artifacts, clock } = await storeAged(testCase.ages);
      const at = (index: number): StoredArtifact => {
        const artifact = artifacts[index - 1];
        assert.ok(artifact !== undefined);
        return artifact;
      };
      if (testCase.latest !== undefined) {
        await rm(join(root, OBJECT_DIR, 'latest.tar.gz'));
        await symlink(`${hexOf(`v${testCase.latest}`)}.tar.gz`, join(root, OBJECT_DIR, 'latest.tar.gz'));
      }
      const store = storeAt(root, clock);
      const options = {
        keep: testCase.keep,
        ttlMs: testCase.ttlMs,
        ...(testCase.current === undefined ? {} : { current: at(testCase.current).path }),
      };
      const removed = await store.garbageCollect(KEY, options);
      assert.deepEqual(removed, testCase.removed.map((index) => at(index).path));
      const left = (await readdir(join(root, OBJECT_DIR))).sort();
      const expected = artifacts.filter((_artifact, index) => !testCase.removed.includes(index + 1)).map((artifact) => artifact.path.split('/').pop());
      assert.deepEqual(left, [...expected, 'latest.tar.gz'].sort());
      assert.deepEqual(await store.garbageCollect(KEY, options), [], 'a second run finds nothing');
    });
  }

  it('ignores everything that is not a regular <hex>.tar.gz file', async () => {
    const { clock } = await storeAged([M]);
    const dir = join(root, OBJECT_DIR);
    const old = new Date(NOW - 99 * M);
    const outside = join(root, '..', 'outside.tar.gz');
    await writeFile(outside, 'outside');
    const others = ['.tmp-0123456789abcdef', 'notes.txt', `${'A'.repeat(64)}.tar.gz`, `sha256:${'a'.repeat(64)}.tar.gz`, `${'b'.repeat(64)}.tar.gz.lock`];
    for (const name of others) {
      await writeFile(join(dir, name), 'x');
      await utimes(join(dir, name), old, old);
    }
    await symlink(outside, join(dir, `${'c'.repeat(64)}.tar.gz`));
    await mkdir(join(dir, `${'d'.repeat(64)}.tar.gz`));
    assert.deepEqual(await storeAt(root, clock).garbageCollect(KEY, { keep: 0, ttlMs: 0 }), []);
    assert.equal((await readdir(dir)).length, others.length + 4);
  });

  it(`looks at no more than ${GC_ENTRY_LIMIT} entries per run and finishes the rest on the next`, async () => {
    const dir = join(root, OBJECT_DIR);
    await mkdir(dir, { recursive: true });
    const old = new Date(NOW - 99 * M);
    const total = GC_ENTRY_LIMIT + 5;
    await Promise.all(Array.from({ length: total }, async (_unused, index) => {
      const name = join(dir, `${hexOf(String(index))}.tar.gz`);
      await writeFile(name, String(index));
      await utimes(name, old, old);
    }));
    const store = storeAt(root, testClock(NOW));
    const first = await store.garbageCollect(KEY, { keep: 0, ttlMs: 0 });
    assert.equal(first.length, GC_ENTRY_LIMIT);
    const second = await store.garbageCollect(KEY, { keep: 0, ttlMs: 0 });
    assert.equal(second.length, 5);
    assert.deepEqual(await readdir(dir), []);
  });

  it('returns nothing for an object without a directory', async () => {
    assert.deepEqual(await storeAt(root).garbageCollect(KEY, { keep: 2, ttlMs: M }), []);
  });

  it('protects nothing extra for a current path of another layout, and does not fail on it', async () => {
    const { artifacts, clock } = await storeAged([5 * M, 4 * M, S]);
    const removed = await storeAt(root, clock).garbageCollect(KEY, { keep: 1, ttlMs: M, current: `${OBJECT_DIR}/sha256:${'e'.repeat(64)}.tar.gz` });
    assert.deepEqual(removed, [artifacts[0]?.path, artifacts[1]?.path]);
  });

  it('refuses invalid retention options with STORAGE_OPTIONS_INVALID', async () => {
    const store = storeAt(root);
    for (const [keep, ttlMs] of [[-1, 0], [1.5, 0], [Number.NaN, 0], [0, -1], [0, Number.NaN], [0, Number.POSITIVE_INFINITY]] as const) {
      const error = await rejectsWithCode(store.garbageCollect(KEY, { keep, ttlMs }), 'STORAGE_OPTIONS_INVALID');
      assert.equal(error.errorClass, 'stalling');
    }
  });

  describe('remove', () => {
    it("deletes the object's directory only, and reports whether it existed", async () => {
      const store = storeAt(root);
      await store.store(KEY, writerOf('a'));
      const other = await store.store({ namespace: 'apps', name: 'other' }, writerOf('b'));
      assert.equal(await store.remove(KEY), true);
      assert.deepEqual(await readdir(join(root, 'ocirepository', 'apps')), ['other']);
      assert.deepEqual(await store.verify({ namespace: 'apps', name: 'other' }, other), { ok: true, size: 1 });
      assert.equal(await store.remove(KEY), false);
    });
  });

  describe('sweepStaging', () => {
    it('removes leftover temporary files and links of every object, nothing else', async () => {
      const store = storeAt(root);
      const kept = await store.store(KEY, writerOf('kept'));
      await store.store({ namespace: 'other', name: 'x' }, writerOf('x'));
      const leftovers = [`${OBJECT_DIR}/.tmp-0123456789abcdef`, 'ocirepository/other/x/.tmp-fedcba9876543210'];
      for (const path of leftovers) await writeFile(join(root, path), 'half written');
      await symlink('gone.tar.gz', join(root, OBJECT_DIR, '.tmp-aaaaaaaaaaaaaaaa'));
      // Not an object directory storage could have created: left alone.
      await mkdir(join(root, 'ocirepository', 'Bad', 'x'), { recursive: true });
      await writeFile(join(root, 'ocirepository', 'Bad', 'x', '.tmp-bbbbbbbbbbbbbbbb'), 'x');
      const removed = await store.sweepStaging();
      assert.deepEqual(removed.sort(), [...leftovers, `${OBJECT_DIR}/.tmp-aaaaaaaaaaaaaaaa`].sort());
      assert.deepEqual((await readdir(join(root, OBJECT_DIR))).sort(), [kept.path.split('/').pop(), 'latest.tar.gz']);
      assert.deepEqual(await readdir(join(root, 'ocirepository', 'Bad', 'x')), ['.tmp-bbbbbbbbbbbbbbbb']);
      assert.deepEqual(await store.sweepStaging(), []);
    });

    it('returns nothing for an empty or missing root', async () => {
      assert.deepEqual(await storeAt(root).sweepStaging(), []);
    });
  });
});
