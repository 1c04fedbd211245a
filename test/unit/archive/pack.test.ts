import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { digestArchive, packArchive } from '../../../src/archive/index.ts';
import { isBobError } from '../../../src/shared/index.ts';
import { collect, useScratch, writeTree } from './helpers.ts';
import type { Header } from 'tar-stream';
import type { PackOptions } from '../../../src/archive/index.ts';

const TREE = {
  'kustomization.yaml': 'resources:\n  - deploy.yaml\n',
  'deploy.yaml': 'kind: Deployment\n',
  'bin/run.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o700 },
  'config/b.yaml': 'b: 1\n',
  'config/a.yaml': 'a: 1\n',
  'config/nested/deep.yaml': 'deep: true\n',
  'empty': null,
  'unicode/\u65e5\u672c\u8a9e.yaml': 'lang: ja\n',
  [`long/${'n'.repeat(120)}/${'m'.repeat(120)}.yaml`]: 'long: name\n',
} as const;

async function pack(source: string, options: PackOptions = {}): Promise<{ bytes: Buffer; summary: Awaited<ReturnType<typeof packArchive>['summary']> }> {
  const packed = packArchive(source, options);
  const bytes = await collect(packed.stream);
  return { bytes, summary: await packed.summary };
}

async function headersOf(tgz: Buffer): Promise<Header[]> {
  const parser = extract();
  const headers: Header[] = [];
  const done = (async () => {
    for await (const entry of parser) {
      headers.push(entry.header);
      entry.resume();
      await new Promise<void>((resolve) => {
        entry.once('end', () => {
          resolve();
        });
      });
    }
  })();
  parser.end(gunzipSync(tgz));
  await done;
  return headers;
}

async function packError(source: string, options: PackOptions = {}): Promise<unknown> {
  return pack(source, options).then(
    () => assert.fail('expected packing to fail'),
    (error: unknown) => error,
  );
}

describe('archive/pack', () => {
  let root = '';
  useScratch((dir) => { root = dir; });

  describe('determinism', () => {
    it('packs the same tree twice to identical bytes, digest and size', async () => {
      await writeTree(join(root, 'src'), TREE);
      const first = await pack(join(root, 'src'));
      const second = await pack(join(root, 'src'));
      assert.ok(first.bytes.equals(second.bytes));
      assert.deepEqual(first.summary, second.summary);
      assert.equal(first.summary.digest, `sha256:${createHash('sha256').update(first.bytes).digest('hex')}`);
      assert.equal(first.summary.size, first.bytes.length);
      const tar = gunzipSync(first.bytes);
      assert.equal(first.summary.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
      assert.equal(first.summary.uncompressedSize, tar.length);
      assert.equal(first.summary.entries, 15);
    });

    it('ignores mtimes, owners, creation order and non-exec permission bits', async () => {
      const a = join(root, 'a');
      const b = join(root, 'b');
      await writeTree(a, TREE);
      const reversed = Object.fromEntries(Object.entries(TREE).reverse());
      await writeTree(b, reversed);
      await utimes(join(b, 'deploy.yaml'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
      await utimes(join(b, 'config'), 12345, 67890);
      await chmod(join(b, 'deploy.yaml'), 0o600);
      await chmod(join(b, 'bin/run.sh'), 0o751);
      await chmod(join(b, 'config'), 0o700);
      if (process.getuid?.() === 0) await chown(join(b, 'config/a.yaml'), 4242, 4343);
      const first = await pack(a);
      const second = await pack(b);
      assert.ok(first.bytes.equals(second.bytes));
    });

    it('writes a fixed gzip header and sanitized, sorted tar headers', async () => {
      await writeTree(join(root, 'src'), TREE);
      const { bytes } = await pack(join(root, 'src'));
      assert.deepEqual([...bytes.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
      const headers = await headersOf(bytes);
      assert.deepEqual(headers.map((h) => h.name), [
        'bin/', 'bin/run.sh', 'config/', 'config/a.yaml', 'config/b.yaml', 'config/nested/',
        'config/nested/deep.yaml', 'deploy.yaml', 'empty/', 'kustomization.yaml', 'long/',
        `long/${'n'.repeat(120)}/`, `long/${'n'.repeat(120)}/${'m'.repeat(120)}.yaml`,
        'unicode/', 'unicode/\u65e5\u672c\u8a9e.yaml',
      ]);
      for (const header of headers) {
        assert.equal(header.uid, 0);
        assert.equal(header.gid, 0);
        assert.equal(header.uname, '');
        assert.equal(header.gname, '');
        assert.equal(header.mtime.getTime(), 0);
        const expected = header.type === 'directory' || header.name === 'bin/run.sh' ? 0o755 : 0o644;
        assert.equal(header.mode, expected, header.name);
      }
    });

    it('uses the given mtime (non-reproducible builds) and level, keeping the diff_id', async () => {
      await writeTree(join(root, 'src'), TREE);
      const epoch = await pack(join(root, 'src'));
      const dated = await pack(join(root, 'src'), { mtime: new Date('2026-01-02T03:04:05Z') });
      assert.notEqual(dated.summary.digest, epoch.summary.digest);
      assert.ok((await headersOf(dated.bytes)).every((h) => h.mtime.toISOString() === '2026-01-02T03:04:05.000Z'));
      const fast = await pack(join(root, 'src'), { compressionLevel: 1 });
      const stored = await pack(join(root, 'src'), { compressionLevel: 0 });
      assert.equal(fast.summary.diffId, epoch.summary.diffId);
      assert.equal(stored.summary.diffId, epoch.summary.diffId);
      assert.ok(stored.summary.size > epoch.summary.size);
      assert.throws(() => packArchive(join(root, 'src'), { compressionLevel: 10 }), (e: unknown) => isBobError(e, 'ARCHIVE_OPTIONS_INVALID'));
      assert.throws(() => packArchive(join(root, 'src'), { mtime: new Date(Number.NaN) }), (e: unknown) => isBobError(e, 'ARCHIVE_OPTIONS_INVALID'));
    });

    it('digestArchive reports the same summary without keeping bytes', async () => {
      await writeTree(join(root, 'src'), TREE);
      assert.deepEqual(await digestArchive(join(root, 'src')), (await pack(join(root, 'src'))).summary);
    });
  });

  describe('sources', () => {
    it('packs a single file as one entry named after it, without ignore rules', async () => {
      await writeFile(join(root, 'logo.png'), 'png');
      const { bytes, summary } = await pack(join(root, 'logo.png'));
      assert.deepEqual((await headersOf(bytes)).map((h) => h.name), ['logo.png']);
      assert.equal(summary.entries, 1);
    });

    it('packs an empty directory as an empty archive', async () => {
      await mkdir(join(root, 'src'));
      const { bytes, summary } = await pack(join(root, 'src'));
      assert.equal(summary.entries, 0);
      assert.deepEqual(await headersOf(bytes), []);
    });

    it('fails with ARCHIVE_IO_FAILED for a missing source', async () => {
      const error = await packError(join(root, 'missing'));
      assert.ok(isBobError(error, 'ARCHIVE_IO_FAILED'));
    });

    it('refuses names the extractor would refuse', async () => {
      await writeTree(join(root, 'a'), { 'back\\slash': 'x' });
      assert.ok(isBobError(await packError(join(root, 'a')), 'ARCHIVE_PATH_INVALID'));
      await writeTree(join(root, 'b'), { README: 'x', readme: 'y' });
      assert.ok(isBobError(await packError(join(root, 'b')), 'ARCHIVE_DUPLICATE_ENTRY'));
    });

    it('refuses FIFOs', async () => {
      await mkdir(join(root, 'src'));
      execFileSync('mkfifo', [join(root, 'src', 'pipe')]);
      assert.ok(isBobError(await packError(join(root, 'src')), 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED'));
    });

    it('stops with ARCHIVE_ABORTED when the signal fires', async () => {
      await writeTree(join(root, 'src'), TREE);
      const error = await packError(join(root, 'src'), { signal: AbortSignal.abort() });
      assert.ok(isBobError(error, 'ARCHIVE_ABORTED'), String(error));
    });
  });

  describe('ignore rules', () => {
    const names = async (source: string, options: PackOptions = {}) =>
      (await headersOf((await pack(source, options)).bytes)).map((h) => h.name);

    beforeEach(async () => {
      await writeTree(join(root, 'src'), {
        '.git/HEAD': 'ref',
        '.gitignore': 'x',
        'logo.png': 'png',
        'app.yaml': 'a',
        'tmp/scratch.txt': 's',
        'keep/notes.txt': 'n',
      });
    });

    it('excludes VCS metadata and flux push default extensions', async () => {
      assert.deepEqual(await names(join(root, 'src')), ['app.yaml', 'keep/', 'keep/notes.txt', 'tmp/', 'tmp/scratch.txt']);
    });

    it('applies .sourceignore after the defaults, with negation', async () => {
      await writeFile(join(root, 'src', '.sourceignore'), '# local rules\ntmp/\n*.txt\n!keep/notes.txt\n!logo.png\n');
      assert.deepEqual(await names(join(root, 'src')), ['.sourceignore', 'app.yaml', 'keep/', 'keep/notes.txt', 'logo.png']);
    });

    it('replaces the defaults, adds patterns, and can skip .sourceignore', async () => {
      await writeFile(join(root, 'src', '.sourceignore'), '*\n');
      const all = await names(join(root, 'src'), { ignore: { defaults: [], sourceIgnore: false } });
      assert.ok(all.includes('.git/HEAD') && all.includes('logo.png'));
      const some = await names(join(root, 'src'), { ignore: { sourceIgnore: false, patterns: ['/tmp', 'keep/**'] } });
      assert.deepEqual(some, ['.sourceignore', 'app.yaml', 'keep/']);
    });
  });

  describe('symlinks', () => {
    beforeEach(async () => {
      await writeTree(join(root, 'src'), { 'real/file.yaml': 'content\n', 'top.yaml': 'top\n' });
      await writeFile(join(root, 'outside.txt'), 'secret');
    });

    it('are an error without resolveSymlinks', async () => {
      await symlink('top.yaml', join(root, 'src', 'link.yaml'));
      const error = await packError(join(root, 'src'));
      assert.ok(isBobError(error, 'ARCHIVE_LINK_REJECTED'));
      assert.match(error.message, /link\.yaml/u);
    });

    it('are skipped silently when ignored', async () => {
      await symlink('top.yaml', join(root, 'src', 'link.yaml'));
      const { summary } = await pack(join(root, 'src'), { ignore: { patterns: ['link.yaml'] } });
      assert.equal(summary.entries, 3);
    });

    it('are packed as their target when they stay inside the root', async () => {
      await symlink('top.yaml', join(root, 'src', 'link.yaml'));
      await symlink('real', join(root, 'src', 'alias'));
      const { bytes } = await pack(join(root, 'src'), { resolveSymlinks: true });
      const headers = await headersOf(bytes);
      assert.deepEqual(headers.map((h) => `${h.type} ${h.name}`), [
        'directory alias/', 'file alias/file.yaml', 'file link.yaml', 'directory real/', 'file real/file.yaml', 'file top.yaml',
      ]);
    });

    it('are refused when they escape the root, dangle or loop', async () => {
      const cases: readonly [string, string][] = [
        ['escape', join(root, 'outside.txt')],
        ['escape-relative', '../outside.txt'],
        ['dangling', 'missing.yaml'],
        ['loop', '.'],
      ];
      for (const [name, target] of cases) {
        await symlink(target, join(root, 'src', name));
        const error = await packError(join(root, 'src'), { resolveSymlinks: true });
        assert.ok(isBobError(error, 'ARCHIVE_LINK_REJECTED'), `${name}: ${String(error)}`);
        const { rm } = await import('node:fs/promises');
        await rm(join(root, 'src', name));
      }
    });
  });
});
