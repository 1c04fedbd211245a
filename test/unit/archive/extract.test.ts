import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { diffTrees, extractArchive, listTree, packArchive, removeStaleStaging } from '../../../src/archive/index.ts';
import { isBobError } from '../../../src/shared/index.ts';
import { assertExtractionFails, collect, END, expectedOf, rawFile, scratch, tarOf, writeTree, useScratch } from './helpers.ts';
import type { TreeSpec } from './helpers.ts';

const EVERYTHING = { ignore: { defaults: [], sourceIgnore: false } } as const;

const TREE: TreeSpec = {
  'kustomization.yaml': 'resources: [app.yaml]\n',
  'app.yaml': 'kind: ConfigMap\n'.repeat(1000),
  'scripts/run.sh': { content: '#!/bin/sh\n', mode: 0o755 },
  'scripts/data.bin': 'x'.repeat(200 * 1024),
  'a/b/c/d/e/f.yaml': 'deep: 1\n',
  'empty-dir': null,
  'empty-file': '',
  'caf\u00e9/\u65e5\u672c.yaml': 'unicode: true\n',
  [`long/${'n'.repeat(150)}/${'m'.repeat(200)}.yaml`]: 'long\n',
};

async function packTo(source: string, file: string): Promise<{ digest: string; size: number }> {
  const { stream, summary } = packArchive(source, EVERYTHING);
  await writeFile(file, await collect(stream));
  const { digest, size } = await summary;
  return { digest, size };
}

describe('archive/extract', () => {
  let root = '';
  useScratch((dir) => { root = dir; });

  describe('round trips', () => {
    it('pack then extract reproduces the source tree (contents, modes, empty dirs)', async () => {
      await writeTree(join(root, 'src'), TREE);
      const expected = await packTo(join(root, 'src'), join(root, 'blob.tgz'));
      const summary = await extractArchive(join(root, 'blob.tgz'), join(root, 'out'), { expected });
      assert.equal(summary.digest, expected.digest);
      assert.equal(summary.files, 8);
      const diff = diffTrees(await listTree(join(root, 'src'), EVERYTHING), await listTree(join(root, 'out'), EVERYTHING));
      assert.deepEqual(diff, { added: [], removed: [], changed: [] });
      assert.equal((await stat(join(root, 'out', 'scripts/run.sh'))).mode & 0o777, 0o755);
      assert.equal((await stat(join(root, 'out', 'app.yaml'))).mode & 0o777, 0o644);
      assert.deepEqual(await readdir(join(root, 'out', 'empty-dir')), []);
    });

    it('extracts from a Readable as well as from a path', async () => {
      await writeTree(join(root, 'src'), TREE);
      const expected = await packTo(join(root, 'src'), join(root, 'blob.tgz'));
      const bytes = await readFile(join(root, 'blob.tgz'));
      const chunks = Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.subarray(i * 1000, (i + 1) * 1000));
      await extractArchive(Readable.from(chunks), join(root, 'out'), { expected });
      assert.equal((await listTree(join(root, 'out'), EVERYTHING)).digest, (await listTree(join(root, 'src'), EVERYTHING)).digest);
    });

    it('replaces a previous tree atomically and leaves nothing beside it', async () => {
      await writeTree(join(root, 'out'), { 'old.yaml': 'old', 'old-dir/x': 'x' });
      await writeTree(join(root, 'src'), { 'new.yaml': 'new' });
      const expected = await packTo(join(root, 'src'), join(root, 'blob.tgz'));
      await extractArchive(join(root, 'blob.tgz'), join(root, 'out'), { expected });
      assert.deepEqual(await readdir(join(root, 'out')), ['new.yaml']);
      assert.deepEqual((await readdir(root)).sort(), ['blob.tgz', 'out', 'src']);
    });

    it('creates missing parents of the target, and accepts an empty target directory', async () => {
      await writeTree(join(root, 'src'), { 'a.yaml': 'a' });
      const expected = await packTo(join(root, 'src'), join(root, 'blob.tgz'));
      await extractArchive(join(root, 'blob.tgz'), join(root, 'x', 'y', 'out'), { expected });
      assert.deepEqual(await readdir(join(root, 'x', 'y', 'out')), ['a.yaml']);
      await mkdir(join(root, 'empty'));
      await extractArchive(join(root, 'blob.tgz'), join(root, 'empty'), { expected });
      assert.deepEqual(await readdir(join(root, 'empty')), ['a.yaml']);
    });

    it('accepts ./-prefixed names, implied parents and a root entry (tar -C dir .)', async () => {
      const blob = gzipSync(await tarOf([
        { header: { name: './', type: 'directory' } },
        { header: { name: './a/b/c.yaml', type: 'file' }, content: 'c' },
        { header: { name: './a/', type: 'directory' } },
      ]));
      await writeFile(join(root, 'blob.tgz'), blob);
      const summary = await extractArchive(join(root, 'blob.tgz'), join(root, 'out'), { expected: expectedOf(blob) });
      assert.equal(await readFile(join(root, 'out', 'a/b/c.yaml'), 'utf8'), 'c');
      assert.deepEqual({ files: summary.files, directories: summary.directories }, { files: 1, directories: 2 });
    });

    // GNU tar and mkfifo come with every Debian machine: a failure here is a real one.
    it('extracts archives written by GNU tar', async () => {
      await writeTree(join(root, 'src'), TREE);
      execFileSync('tar', ['-czf', join(root, 'gnu.tgz'), '-C', join(root, 'src'), '.'], { stdio: 'ignore' });
      const blob = await readFile(join(root, 'gnu.tgz'));
      await extractArchive(join(root, 'gnu.tgz'), join(root, 'out'), { expected: expectedOf(blob) });
      const diff = diffTrees(await listTree(join(root, 'src'), EVERYTHING), await listTree(join(root, 'out'), EVERYTHING));
      assert.deepEqual(diff, { added: [], removed: [], changed: [] });
    });

    it('writes archives GNU tar can list', async () => {
      await writeTree(join(root, 'src'), TREE);
      await packTo(join(root, 'src'), join(root, 'blob.tgz'));
      const listing = execFileSync('tar', ['-tzf', join(root, 'blob.tgz')], { encoding: 'utf8' });
      assert.ok(listing.split('\n').includes('scripts/run.sh'));
      assert.ok(listing.includes(`${'m'.repeat(200)}.yaml`));
    });
  });

  describe('digest and size', () => {
    const good = gzipSync(Buffer.concat([rawFile('a.yaml', 'a: 1\n'), END]));

    it('rejects a blob whose digest differs (transient: re-download may help)', async () => {
      const expected = { ...expectedOf(good), digest: `sha256:${'0'.repeat(64)}` };
      await assertExtractionFails(root, { blob: good, code: 'ARCHIVE_DIGEST_MISMATCH', expected, errorClass: 'transient' });
    });

    it('rejects a blob longer or shorter than the descriptor size', async () => {
      for (const size of [good.length - 1, good.length + 1]) {
        const { dir, cleanup: done } = await scratch();
        await assertExtractionFails(dir, { blob: good, code: 'ARCHIVE_DIGEST_MISMATCH', expected: { ...expectedOf(good), size }, errorClass: 'transient' });
        await done();
      }
    });

    it('reports a damaged download as a digest mismatch, not as hostile content', async () => {
      // Incompressible and larger than one read, so the content error comes first.
      const { createHash } = await import('node:crypto');
      const noise = Buffer.concat(Array.from({ length: 16_000 }, (_, i) => createHash('sha256').update(String(i)).digest()));
      const big = gzipSync(Buffer.concat([rawFile('noise.bin', noise), END]));
      const damaged = Buffer.from(big);
      damaged[0] = 0;
      const error = await assertExtractionFails(root, { blob: damaged, code: 'ARCHIVE_DIGEST_MISMATCH', expected: expectedOf(big), errorClass: 'transient' });
      assert.ok(isBobError(error.cause, 'ARCHIVE_CORRUPT'));
    });

    it('rejects a stream source with the wrong digest', async () => {
      const expected = { ...expectedOf(good), digest: `sha256:${'1'.repeat(64)}` };
      await assert.rejects(extractArchive(Readable.from([good]), join(root, 'out'), { expected }), { code: 'ARCHIVE_DIGEST_MISMATCH' });
      assert.deepEqual(await readdir(root), []);
    });

    it('with sourceVerified, trusts the source to check the digest but still commits nothing when it fails at its end', async () => {
      // A source that delivers every byte and then reports a digest mismatch, like RegistryClient.openBlob.
      async function* failingAtEnd(): AsyncGenerator<Buffer> {
        yield await Promise.resolve(good);
        throw Object.assign(new Error('blob digest mismatch'), { code: 'BLOB_DIGEST_MISMATCH' });
      }
      await assert.rejects(extractArchive(Readable.from(failingAtEnd()), join(root, 'out'), { expected: expectedOf(good), sourceVerified: true }));
      assert.deepEqual(await readdir(root), []);
      const summary = await extractArchive(Readable.from([good]), join(root, 'out'), { expected: expectedOf(good), sourceVerified: true });
      assert.equal(summary.digest, expectedOf(good).digest);
    });

    it('with sourceVerified, still enforces the size', async () => {
      const expected = { ...expectedOf(good), size: good.length - 1 };
      await assert.rejects(extractArchive(Readable.from([good]), join(root, 'out'), { expected, sourceVerified: true }), { code: 'ARCHIVE_DIGEST_MISMATCH' });
      assert.deepEqual(await readdir(root), []);
    });

    it('validates the expected descriptor and the limits', async () => {
      const cases = [
        { expected: { digest: 'sha256:abc', size: 1 } },
        { expected: { digest: `SHA256:${'a'.repeat(64)}`, size: 1 } },
        { expected: { digest: `sha256:${'a'.repeat(64)}`, size: -1 } },
        { expected: expectedOf(good), limits: { maxEntries: 0 } },
      ];
      for (const options of cases) {
        await assert.rejects(extractArchive(Readable.from([good]), join(root, 'out'), options), { code: 'ARCHIVE_OPTIONS_INVALID' });
      }
      assert.deepEqual(await readdir(root), []);
    });

    it('accepts sha512 digests', async () => {
      const { createHash } = await import('node:crypto');
      const expected = { digest: `sha512:${createHash('sha512').update(good).digest('hex')}`, size: good.length };
      await extractArchive(Readable.from([good]), join(root, 'out'), { expected });
      assert.deepEqual(await readdir(join(root, 'out')), ['a.yaml']);
    });
  });

  describe('target handling', () => {
    const blob = gzipSync(Buffer.concat([rawFile('a.yaml', 'a'), END]));

    it('refuses a target that is a file or a symlink', async () => {
      await writeFile(join(root, 'file'), 'x');
      await symlink(root, join(root, 'link'));
      for (const target of ['file', 'link']) {
        await assert.rejects(extractArchive(Readable.from([blob]), join(root, target), { expected: expectedOf(blob) }), {
          code: 'ARCHIVE_TARGET_INVALID',
        });
      }
      assert.deepEqual((await readdir(root)).sort(), ['file', 'link']);
    });

    it('removes staging and backup directories a crash left behind', async () => {
      await mkdir(join(root, '.out.staging-abc123'));
      await writeFile(join(root, '.out.staging-abc123', 'partial'), 'x');
      await mkdir(join(root, '.out.old-1234'));
      await mkdir(join(root, '.other.staging-keep'));
      assert.equal(await removeStaleStaging(join(root, 'out')), 2);
      assert.deepEqual(await readdir(root), ['.other.staging-keep']);
      assert.equal(await removeStaleStaging(join(root, 'missing', 'out')), 0);
    });

    it('aborts with ARCHIVE_ABORTED and cleans up', async () => {
      await assertExtractionAborts(root, blob);
    });
  });

  describe('robustness', () => {
    it('terminates with a coded error or a clean result for 200 random corruptions', async function () {
      this.timeout(60_000);
      const good = gzipSync(await tarOf([
        { header: { name: 'dir', type: 'directory' } },
        { header: { name: 'dir/a.yaml', type: 'file' }, content: 'kind: ConfigMap\n'.repeat(50) },
        { header: { name: `${'p'.repeat(120)}.yaml`, type: 'file' }, content: 'pax' },
      ]));
      let seed = 42;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      let rejected = 0;
      for (let i = 0; i < 200; i++) {
        const blob = Buffer.from(good);
        const mutation = random(3);
        if (mutation === 0) blob[random(blob.length)] = random(256);
        const mutated = mutation === 1 ? blob.subarray(0, random(blob.length)) : mutation === 2 ? Buffer.concat([blob, Buffer.from([random(256)])]) : blob;
        const target = join(root, `t${i}`);
        try {
          await extractArchive(Readable.from([mutated]), target, { expected: expectedOf(mutated) });
        } catch (error) {
          assert.ok(isBobError(error) && error.code.startsWith('ARCHIVE_'), `${i}: ${String(error)}`);
          rejected++;
        }
      }
      assert.ok(rejected > 150, `only ${rejected} rejected`);
      const left = (await readdir(root)).filter((name) => name.includes('.staging-'));
      assert.deepEqual(left, []);
    });
  });
});

async function assertExtractionAborts(root: string, blob: Buffer): Promise<void> {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(extractArchive(Readable.from([blob]), join(root, 'out'), { expected: expectedOf(blob), signal: controller.signal }), {
    code: 'ARCHIVE_ABORTED',
  });
  const slow = new Readable({ read: () => undefined });
  slow.push(blob.subarray(0, 10));
  const late = new AbortController();
  const pending = extractArchive(slow, join(root, 'out'), { expected: expectedOf(blob), signal: late.signal });
  setTimeout(() => {
    late.abort();
  }, 20);
  await assert.rejects(pending, { code: 'ARCHIVE_ABORTED' });
  assert.deepEqual(await readdir(root), []);
}
