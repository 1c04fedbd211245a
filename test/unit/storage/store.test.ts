import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestArchive } from '../../../src/archive/index.ts';
import { ArtifactStore, toArchiveWriter } from '../../../src/storage/index.ts';
import type { ArtifactCheck } from '../../../src/storage/index.ts';
import { BASE_URL, deferred, hexOf, KEY, OBJECT_DIR, rejectsWithCode, storeAt, testClock, useScratch, writerOf } from './helpers.ts';

function assertCheckFails(check: ArtifactCheck, code: string, reason?: string): void {
  assert.equal(check.ok, false);
  assert.equal(check.error.code, code, check.error.message);
  if (reason !== undefined) assert.equal(check.error.details['reason'], reason);
}

describe('storage/store', () => {
  let root = '';
  useScratch((dir) => { root = join(dir, 'data'); });

  describe('store', () => {
    it('publishes <hex>.tar.gz with owner-only mode, clock mtime, and a relative latest link', async () => {
      const clock = testClock(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
      const store = storeAt(root, clock);
      const content = 'artifact bytes v1';
      const hex = hexOf(content);
      const artifact = await store.store(KEY, writerOf(content));
      assert.deepEqual(artifact, {
        path: `${OBJECT_DIR}/${hex}.tar.gz`,
        url: `${BASE_URL}/${OBJECT_DIR}/${hex}.tar.gz`,
        digest: `sha256:${hex}`,
        size: content.length,
        lastUpdateTime: '2025-01-02T03:04:05Z',
      });
      const file = join(root, artifact.path);
      assert.equal(await readFile(file, 'utf8'), content);
      const stats = await stat(file);
      assert.equal(stats.mode & 0o777, 0o600);
      assert.equal(stats.mtimeMs, Date.UTC(2025, 0, 2, 3, 4, 5, 678));
      assert.equal(await readlink(join(root, OBJECT_DIR, 'latest.tar.gz')), `${hex}.tar.gz`);
      assert.deepEqual((await readdir(join(root, OBJECT_DIR))).sort(), [`${hex}.tar.gz`, 'latest.tar.gz']);
      assert.equal(await store.latest(KEY), artifact.path);
      assert.equal(store.urlFor(store.latestPath(KEY)), `${BASE_URL}/${OBJECT_DIR}/latest.tar.gz`);
      assert.equal(store.localPath(KEY, artifact), file);
    });

    it('hands the writer an empty file in the object directory itself (same filesystem, never /tmp)', async () => {
      const store = storeAt(root);
      let seen = '';
      await store.store(KEY, async (tempPath, signal) => {
        seen = tempPath;
        assert.equal((await stat(tempPath)).size, 0);
        assert.equal(signal.aborted, false);
        await writeFile(tempPath, 'x');
      });
      assert.match(seen, new RegExp(`^${join(root, OBJECT_DIR)}/\\.tmp-[0-9a-f]{16}$`));
    });

    it('swaps latest to the newest artifact and keeps the previous one', async () => {
      const store = storeAt(root);
      const first = await store.store(KEY, writerOf('v1'));
      const second = await store.store(KEY, writerOf('v2'));
      assert.notEqual(first.path, second.path);
      assert.equal(await store.latest(KEY), second.path);
      assert.equal(await readFile(join(root, OBJECT_DIR, 'latest.tar.gz'), 'utf8'), 'v2');
      assert.equal(await readFile(join(root, first.path), 'utf8'), 'v1');
      const back = await store.store(KEY, writerOf('v1'));
      assert.equal(back.path, first.path, 'same content, same path');
      assert.equal(await store.latest(KEY), first.path);
    });

    it('stores the same bytes at the same path for different objects, each under its own directory', async () => {
      const store = storeAt(root);
      const a = await store.store(KEY, writerOf('same'));
      const b = await store.store({ namespace: 'other', name: 'podinfo' }, writerOf('same'));
      assert.equal(a.digest, b.digest);
      assert.equal(b.path, `ocirepository/other/podinfo/${hexOf('same')}.tar.gz`);
    });

    it('packs a directory deterministically with toArchiveWriter (same tree, same digest and path)', async () => {
      const source = join(root, '..', 'src');
      await mkdir(join(source, 'deploy'), { recursive: true });
      await writeFile(join(source, 'deploy', 'app.yaml'), 'kind: ConfigMap\n');
      await writeFile(join(source, 'kustomization.yaml'), 'resources: [deploy/app.yaml]\n');
      const store = storeAt(root);
      const first = await store.store(KEY, toArchiveWriter(source));
      const second = await store.store(KEY, toArchiveWriter(source));
      assert.equal(second.path, first.path);
      assert.equal(first.digest, (await digestArchive(source)).digest);
      assert.equal((await readFile(join(root, first.path))).subarray(0, 2).toString('hex'), '1f8b');
    });

    it('lets different objects store in parallel and serializes stores of one object', async () => {
      const store = storeAt(root);
      const gate = deferred();
      const order: string[] = [];
      const slow = store.store(KEY, async (tempPath) => {
        order.push('first:start');
        await gate.promise;
        await writeFile(tempPath, 'first');
        order.push('first:end');
      });
      const queued = store.store(KEY, async (tempPath) => {
        order.push('second:start');
        await writeFile(tempPath, 'second');
      });
      // Another object is not blocked by the first one's lock.
      const other = await store.store({ namespace: 'apps', name: 'other' }, writerOf('other'));
      assert.equal(other.path, `ocirepository/apps/other/${hexOf('other')}.tar.gz`);
      assert.deepEqual(order, ['first:start']);
      gate.resolve();
      await Promise.all([slow, queued]);
      assert.deepEqual(order, ['first:start', 'first:end', 'second:start']);
      assert.equal(await store.latest(KEY), `${OBJECT_DIR}/${hexOf('second')}.tar.gz`);
    });
  });

  describe('storeFromFile', () => {
    it('copies a file in and leaves the source', async () => {
      const source = join(root, '..', 'blob');
      await writeFile(source, 'blob bytes');
      const store = storeAt(root);
      const artifact = await store.storeFromFile(KEY, source, { expectedDigest: `sha256:${hexOf('blob bytes')}` });
      assert.equal(await readFile(join(root, artifact.path), 'utf8'), 'blob bytes');
      assert.equal(await readFile(source, 'utf8'), 'blob bytes');
    });

    it('moves a file in when asked', async () => {
      const source = join(root, '..', 'blob');
      await writeFile(source, 'moved bytes');
      const store = storeAt(root);
      const artifact = await store.storeFromFile(KEY, source, { move: true });
      assert.equal(artifact.digest, `sha256:${hexOf('moved bytes')}`);
      await assert.rejects(lstat(source), { code: 'ENOENT' });
    });

    it('refuses a symlinked source and a digest that does not match, publishing nothing', async () => {
      const store = storeAt(root);
      const previous = await store.store(KEY, writerOf('previous'));
      const source = join(root, '..', 'blob');
      await writeFile(source, 'blob');
      await symlink(source, join(root, '..', 'link'));
      const refused = await rejectsWithCode(store.storeFromFile(KEY, join(root, '..', 'link')), 'STORAGE_WRITE_FAILED');
      assert.equal(refused.errorClass, 'transient');
      const mismatch = await rejectsWithCode(store.storeFromFile(KEY, source, { expectedDigest: `sha256:${hexOf('other')}` }), 'STORAGE_DIGEST_MISMATCH');
      assert.equal(mismatch.details['actual'], `sha256:${hexOf('blob')}`);
      assert.equal(await store.latest(KEY), previous.path);
      assert.deepEqual((await readdir(join(root, OBJECT_DIR))).sort(), [`${hexOf('previous')}.tar.gz`, 'latest.tar.gz']);
    });

    it('refuses a malformed expected digest before touching the disk', async () => {
      const store = storeAt(root);
      await rejectsWithCode(store.storeFromFile(KEY, '/nonexistent', { expectedDigest: 'sha256:../../x' }), 'STORAGE_PATH_INVALID');
      await assert.rejects(lstat(root), { code: 'ENOENT' });
    });
  });

  describe('verify', () => {
    it('accepts an intact artifact, with or without its size', async () => {
      const store = storeAt(root);
      const artifact = await store.store(KEY, writerOf('intact'));
      assert.deepEqual(await store.verify(KEY, artifact), { ok: true, size: 6 });
      assert.deepEqual(await store.verify(KEY, { path: artifact.path, digest: artifact.digest }), { ok: true, size: 6 });
    });

    it('reports a corrupt file (same size, other bytes) so the caller rebuilds, and a rebuild repairs it', async () => {
      const store = storeAt(root);
      const artifact = await store.store(KEY, writerOf('good bytes'));
      await writeFile(join(root, artifact.path), 'evil bytes');
      const check = await store.verify(KEY, artifact);
      assertCheckFails(check, 'STORAGE_CORRUPT', 'digest mismatch');
      if (!check.ok) assert.doesNotMatch(check.error.message, /evil|good/);
      const rebuilt = await store.store(KEY, writerOf('good bytes'));
      assert.equal(rebuilt.path, artifact.path);
      assert.deepEqual(await store.verify(KEY, artifact), { ok: true, size: 10 });
    });

    it('reports a size mismatch without hashing, a missing file, and a symlink in place of the file', async () => {
      const store = storeAt(root);
      const artifact = await store.store(KEY, writerOf('sized'));
      assertCheckFails(await store.verify(KEY, { ...artifact, size: 4 }), 'STORAGE_CORRUPT', 'size mismatch');
      const file = join(root, artifact.path);
      const outside = join(root, '..', 'outside');
      await writeFile(outside, 'sized');
      await rm(file);
      assertCheckFails(await store.verify(KEY, artifact), 'STORAGE_ARTIFACT_MISSING');
      await symlink(outside, file);
      assertCheckFails(await store.verify(KEY, artifact), 'STORAGE_CORRUPT', 'not a regular file');
      await rm(join(root, 'ocirepository'), { recursive: true });
      assertCheckFails(await store.verify(KEY, artifact), 'STORAGE_ARTIFACT_MISSING');
    });

    it('reports a FIFO in place of the file as corrupt without blocking', async () => {
      const store = storeAt(root);
      const artifact = await store.store(KEY, writerOf('fifo'));
      await rm(join(root, artifact.path));
      execFileSync('mkfifo', [join(root, artifact.path)]);
      assertCheckFails(await store.verify(KEY, artifact), 'STORAGE_CORRUPT', 'not a regular file');
    });

    it('reports a status path that names no file of this object (other object, traversal, digest mismatch)', async () => {
      const store = storeAt(root);
      const artifact = await store.store(KEY, writerOf('mine'));
      const theirs = await store.store({ namespace: 'apps', name: 'theirs' }, writerOf('theirs'));
      const hex = hexOf('mine');
      for (const ref of [
        theirs,
        { path: `${OBJECT_DIR}/../theirs/${hexOf('theirs')}.tar.gz`, digest: theirs.digest },
        { path: `${OBJECT_DIR}/sha256:${hex}.tar.gz`, digest: artifact.digest },
        { path: `${OBJECT_DIR}/latest.tar.gz`, digest: artifact.digest },
        { path: artifact.path, digest: theirs.digest },
        { path: artifact.path, digest: `sha512:${'a'.repeat(128)}` },
      ]) {
        assertCheckFails(await store.verify(KEY, ref), 'STORAGE_PATH_INVALID');
      }
      assert.throws(() => store.localPath(KEY, theirs), { code: 'STORAGE_PATH_INVALID' });
    });
  });

  describe('options', () => {
    it('normalizes the base URL and refuses credentials, queries, fragments and other schemes', () => {
      const clock = testClock();
      assert.equal(new ArtifactStore({ root, baseUrl: 'http://host:9090/', clock }).baseUrl, 'http://host:9090');
      assert.equal(new ArtifactStore({ root, baseUrl: 'https://host/prefix/', clock }).urlFor('a/b'), 'https://host/prefix/a/b');
      for (const baseUrl of ['ftp://host', 'http://user:pass@host', 'http://host/?token=x', 'http://host/#x', 'host:9090', '']) {
        assert.throws(() => new ArtifactStore({ root, baseUrl, clock }), { code: 'STORAGE_OPTIONS_INVALID' }, baseUrl);
      }
      assert.throws(() => new ArtifactStore({ root: '', baseUrl: BASE_URL, clock }), { code: 'STORAGE_OPTIONS_INVALID' });
    });

    it('refuses random tokens that are not safe file-name material', async () => {
      const store = new ArtifactStore({ root, baseUrl: BASE_URL, clock: testClock(), random: () => '../../x' });
      await rejectsWithCode(store.store(KEY, writerOf('x')), 'STORAGE_OPTIONS_INVALID');
    });
  });
});
