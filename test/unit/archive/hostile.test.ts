// research/reliability.md §6 rows 1-13: one table row per hostile input,
// each asserting the specific code, an untouched target and no staging left.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractArchive } from '../../../src/archive/index.ts';
import { assertExtractionFails, END, expectedOf, gzip, padded, paxHeader, rawFile, rawHeader, tarOf, useScratch } from './helpers.ts';
import type { FailureCase } from './helpers.ts';

const file = (name: string, content = 'x') => ({ header: { name, type: 'file' as const }, content });
const dir = (name: string) => ({ header: { name, type: 'directory' as const } });
const symlink = (name: string, linkname: string) => ({ header: { name, type: 'symlink' as const, linkname } });
const hardlink = (name: string, linkname: string) => ({ header: { name, type: 'link' as const, linkname } });

interface Row {
  readonly title: string;
  readonly build: () => Promise<Buffer> | Buffer;
  readonly code: string;
  readonly limits?: FailureCase['limits'];
}

const tgz = (items: Parameters<typeof tarOf>[0]) => async () => gzip(await tarOf(items));
const rawTgz = (...parts: Buffer[]) => () => gzip(Buffer.concat(parts));

const ROWS: Record<string, readonly Row[]> = {
  'row 1: parent traversal': [
    { title: '../x', build: tgz([file('../x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'a/../../x', build: tgz([file('a/../../x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: '..', build: tgz([dir('..')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: './../x', build: tgz([file('./../x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'a/.. (resolves inside, still rejected)', build: tgz([file('a/../b')]), code: 'ARCHIVE_PATH_INVALID' },
  ],
  'row 2: absolute and rooted paths': [
    { title: '/etc/x', build: tgz([file('/etc/x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: '////etc/x', build: tgz([file('////etc/x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: '\\\\host\\x', build: tgz([file('\\\\host\\x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'C:\\x', build: tgz([file('C:\\x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'C:../x', build: tgz([file('C:../x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'c:x', build: tgz([file('c:x')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'backslash on POSIX', build: tgz([file('a\\b')]), code: 'ARCHIVE_PATH_INVALID' },
  ],
  'row 3: symlink entries': [
    { title: 'relative target', build: tgz([file('a'), symlink('l', 'a')]), code: 'ARCHIVE_LINK_REJECTED' },
    { title: 'absolute target', build: tgz([symlink('l', '/etc/passwd')]), code: 'ARCHIVE_LINK_REJECTED' },
    { title: 'escaping target', build: tgz([symlink('l', '../../x')]), code: 'ARCHIVE_LINK_REJECTED' },
    { title: 'directory target inside root', build: tgz([dir('d'), symlink('e', 'd')]), code: 'ARCHIVE_LINK_REJECTED' },
  ],
  'row 4: hardlink entries': [
    { title: 'relative (CWD trick)', build: tgz([hardlink('h', 'sentinel.txt')]), code: 'ARCHIVE_LINK_REJECTED' },
    { title: 'absolute', build: tgz([hardlink('h', '/etc/passwd')]), code: 'ARCHIVE_LINK_REJECTED' },
    { title: 'to an earlier entry', build: tgz([file('a'), hardlink('h', 'a')]), code: 'ARCHIVE_LINK_REJECTED' },
  ],
  'row 6: duplicates after normalization': [
    { title: 'same name twice', build: tgz([file('a'), file('a')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: './a and a', build: tgz([file('./a'), file('a')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: 'ß and ss', build: tgz([file('stra\u00dfe'), file('strasse')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: 'NFC and NFD', build: tgz([file('caf\u00e9'), file('cafe\u0301')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: 'case only', build: tgz([file('A'), file('a')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: 'case in a parent', build: tgz([file('Dir/x'), file('dir/y')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: 'ligature', build: tgz([file('\ufb01le'), file('file')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: 'file then directory', build: tgz([file('x'), dir('x')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: 'file used as a parent', build: tgz([file('x'), file('x/y')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
    { title: 'directory twice', build: tgz([dir('d'), dir('d/')]), code: 'ARCHIVE_DUPLICATE_ENTRY' },
  ],
  'row 7: devices, FIFOs, sparse and unknown types': [
    { title: 'character device', build: tgz([{ header: { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 } }]), code: 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED' },
    { title: 'block device', build: tgz([{ header: { name: 'sda', type: 'block-device', devmajor: 8 } }]), code: 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED' },
    { title: 'FIFO', build: tgz([{ header: { name: 'pipe', type: 'fifo' } }]), code: 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED' },
    { title: 'contiguous file', build: rawTgz(rawFile('c', 'x', { type: '7' }), END), code: 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED' },
    { title: 'GNU sparse (S)', build: rawTgz(rawFile('s', 'x', { type: 'S' }), END), code: 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED' },
    { title: 'PAX sparse (GNU.sparse.*)', build: rawTgz(paxHeader({ 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' }), rawFile('s', 'x'), END), code: 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED' },
    { title: 'unknown type (socket-like)', build: rawTgz(rawFile('sock', '', { type: 'Z' }), END), code: 'ARCHIVE_ENTRY_TYPE_UNSUPPORTED' },
  ],
  'row 9: gzip bomb': [
    { title: '16 MiB of zeros, 1 MiB cap (declared size)', build: () => gzip(Buffer.concat([rawHeader({ name: 'bomb', size: 16 * 1024 * 1024 }), Buffer.alloc(16 * 1024 * 1024), END])), code: 'ARCHIVE_TOO_LARGE', limits: { maxUncompressedBytes: 1024 * 1024 } },
    { title: '2 MiB of zero padding after the end marker (bytes read)', build: rawTgz(rawFile('a', 'x'), END, Buffer.alloc(2 * 1024 * 1024)), code: 'ARCHIVE_TOO_LARGE', limits: { maxUncompressedBytes: 1024 * 1024 } },
    { title: 'many files summing over the cap', build: tgz(Array.from({ length: 40 }, (_, i) => file(`f${i}`, 'z'.repeat(32 * 1024)))), code: 'ARCHIVE_TOO_LARGE', limits: { maxUncompressedBytes: 1024 * 1024 } },
    { title: 'compressed blob over its cap', build: rawTgz(rawFile('a', 'x'), END), code: 'ARCHIVE_TOO_LARGE', limits: { maxCompressedBytes: 16 } },
  ],
  'row 10: entry count': [
    { title: '201 empty files, cap 200', build: tgz(Array.from({ length: 201 }, (_, i) => file(`f${i}`, ''))), code: 'ARCHIVE_TOO_MANY_ENTRIES', limits: { maxEntries: 200 } },
    { title: '201 empty dirs, cap 200', build: tgz(Array.from({ length: 201 }, (_, i) => dir(`d${i}`))), code: 'ARCHIVE_TOO_MANY_ENTRIES', limits: { maxEntries: 200 } },
    { title: 'implied directories count too (120 files in 120 dirs, cap 200)', build: tgz(Array.from({ length: 120 }, (_, i) => file(`d${i}/f`, ''))), code: 'ARCHIVE_TOO_MANY_ENTRIES', limits: { maxEntries: 200 } },
  ],
  'row 11: depth and name limits': [
    { title: 'depth 5000', build: tgz([file(Array.from({ length: 5000 }, () => 'a').join('/'))]), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'depth 65', build: tgz([file(Array.from({ length: 65 }, () => 'a').join('/'))]), code: 'ARCHIVE_PATH_INVALID' },
    { title: '5000-byte path (PAX)', build: tgz([file(Array.from({ length: 25 }, () => 'b'.repeat(199)).join('/'))]), code: 'ARCHIVE_PATH_INVALID' },
    { title: '64 KiB path (GNU long name)', build: rawTgz(rawFile('././@LongLink', `${'a'.repeat(64 * 1024)}\0`, { type: 'L' }), rawFile('short', 'x'), END), code: 'ARCHIVE_PATH_INVALID' },
    { title: '256-byte segment', build: tgz([file('s'.repeat(256))]), code: 'ARCHIVE_PATH_INVALID' },
    { title: '1 MiB PAX header', build: rawTgz(paxHeader({ comment: 'c'.repeat(1024 * 1024) }), rawFile('a', 'x'), END), code: 'ARCHIVE_HEADER_TOO_LARGE' },
    { title: 'NUL in PAX path', build: rawTgz(paxHeader({ path: 'evil\0.txt' }), rawFile('a', 'x'), END), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'control character in name', build: tgz([file('a\nb')]), code: 'ARCHIVE_PATH_INVALID' },
    { title: 'invalid UTF-8 name', build: () => gzip(Buffer.concat([invalidUtf8File(), END])), code: 'ARCHIVE_PATH_INVALID' },
  ],
  'row 12: header sizes': [
    { title: 'negative base-256 size', build: rawTgz(rawHeader({ name: 'n', sizeField: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0]) }), END), code: 'ARCHIVE_CORRUPT' },
    { title: 'negative size in a PAX header (no-progress loop)', build: rawTgz(rawHeader({ name: 'p', type: 'x', sizeField: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x00]) }), END), code: 'ARCHIVE_CORRUPT' },
    { title: 'huge base-256 size', build: rawTgz(rawHeader({ name: 'h', sizeField: Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) }), END), code: 'ARCHIVE_CORRUPT' },
    { title: 'garbage in the size field', build: rawTgz(rawHeader({ name: 'g', sizeField: Buffer.from('12x4567\0\0\0\0\0', 'latin1') }), END), code: 'ARCHIVE_CORRUPT' },
    { title: 'size larger than the data', build: rawTgz(rawHeader({ name: 'm', size: 4096 }), padded('short'), END), code: 'ARCHIVE_CORRUPT' },
    { title: 'directory with data', build: rawTgz(rawHeader({ name: 'd/', type: '5', size: 512 }), padded('x'.repeat(512)), END), code: 'ARCHIVE_CORRUPT' },
    { title: 'bad header checksum', build: rawTgz(rawFile('a', 'x', { badChecksum: true }), END), code: 'ARCHIVE_CORRUPT' },
    { title: 'invalid PAX size', build: rawTgz(paxHeader({ size: '-5' }), rawFile('a', 'x'), END), code: 'ARCHIVE_CORRUPT' },
  ],
};

function invalidUtf8File(): Buffer {
  const header = rawHeader({ name: 'placeholder', size: 1 });
  header.fill(0, 0, 100);
  Buffer.from([0x61, 0xff, 0x62]).copy(header, 0);
  // Recompute the checksum after editing the name.
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return Buffer.concat([header, padded('x')]);
}

describe('archive/extract hostile input (reliability.md §6)', () => {
  let root = '';
  useScratch((dir) => { root = dir; });

  for (const [row, cases] of Object.entries(ROWS)) {
    describe(row, () => {
      for (const row of cases) {
        it(`rejects ${row.title} with ${row.code}`, async () => {
          const blob = await row.build();
          await assertExtractionFails(root, { blob, code: row.code, ...(row.limits ? { limits: row.limits } : {}) });
        });
      }
    });
  }

  describe('row 4: hardlink CWD trick', () => {
    it('never links a file from the working directory', async () => {
      const cwd = join(root, 'cwd');
      await mkdir(cwd);
      await writeFile(join(cwd, 'sentinel.txt'), 'sentinel');
      const previous = process.cwd();
      process.chdir(cwd);
      try {
        const blob = gzip(await tarOf([hardlink('h', 'sentinel.txt')]));
        await writeFile(join(root, 'blob.tgz'), blob);
        await assert.rejects(extractArchive(join(root, 'blob.tgz'), join(root, 'target'), { expected: expectedOf(blob) }), {
          code: 'ARCHIVE_LINK_REJECTED',
        });
      } finally {
        process.chdir(previous);
      }
      assert.equal((await stat(join(cwd, 'sentinel.txt'))).nlink, 1);
      assert.deepEqual((await readdir(root)).sort(), ['blob.tgz', 'cwd']);
    });
  });

  describe('row 5: writes through links', () => {
    const chains: readonly [string, (outside: string) => Parameters<typeof tarOf>[0]][] = [
      ['symlink d -> outside, then d/pwn', (outside) => [symlink('d', outside), file('d/pwn', 'pwned')]],
      ['dir d, symlink d -> outside, then d/pwn', (outside) => [dir('d'), symlink('d', outside), file('d/pwn', 'pwned')]],
      ['symlink chain a -> b -> outside, then a/pwn', (outside) => [symlink('b', outside), symlink('a', 'b'), file('a/pwn', 'pwned')]],
      ['relative chain lexically inside, then a/pwn', () => [dir('x'), symlink('x/up', '..'), symlink('a', 'x/up/..'), file('a/pwn', 'pwned')]],
    ];
    for (const [title, items] of chains) {
      it(`rejects ${title} at the first link; the sentinel outside is untouched`, async () => {
        const outside = join(root, 'outside');
        await mkdir(outside);
        await writeFile(join(outside, 'sentinel.txt'), 'sentinel');
        const work = join(root, 'work');
        await mkdir(work);
        const blob = gzip(await tarOf(items(outside)));
        await assertExtractionFails(work, { blob, code: 'ARCHIVE_LINK_REJECTED' });
        assert.deepEqual(await readdir(outside), ['sentinel.txt']);
        assert.equal(await readFile(join(outside, 'sentinel.txt'), 'utf8'), 'sentinel');
      });
    }
  });

  describe('row 8: modes and owners are normalized', () => {
    it('extracts setuid, 0777, 0000 dirs and foreign owners as 0644/0755, owned by us', async () => {
      const blob = gzip(
        await tarOf([
          { header: { name: 'locked', type: 'directory', mode: 0o000, uid: 0, gid: 0 } },
          { header: { name: 'locked/suid', type: 'file', mode: 0o4755, uid: 0 }, content: '#!/bin/sh\n' },
          { header: { name: 'sgid', type: 'file', mode: 0o2644, uid: 12345, gid: 54321 }, content: 'x' },
          { header: { name: 'world', type: 'file', mode: 0o777 }, content: 'x' },
          { header: { name: 'private', type: 'file', mode: 0o600 }, content: 'x' },
          { header: { name: 'owner-exec', type: 'file', mode: 0o100 }, content: 'x' },
          { header: { name: 'sticky', type: 'directory', mode: 0o1777 } },
        ]),
      );
      const blobPath = join(root, 'blob.tgz');
      await writeFile(blobPath, blob);
      const target = join(root, 'target');
      await extractArchive(blobPath, target, { expected: expectedOf(blob) });
      const modes: Record<string, number> = {};
      for (const name of ['locked', 'locked/suid', 'sgid', 'world', 'private', 'owner-exec', 'sticky']) {
        const stats = await stat(join(target, name));
        modes[name] = stats.mode & 0o7777;
        assert.equal(stats.uid, process.getuid?.() ?? stats.uid, `${name} owner`);
      }
      assert.deepEqual(modes, {
        locked: 0o755,
        'locked/suid': 0o755,
        sgid: 0o644,
        world: 0o755,
        private: 0o644,
        'owner-exec': 0o755,
        sticky: 0o755,
      });
      assert.equal((await stat(target)).mode & 0o7777, 0o755);
    });
  });

  describe('row 13: gzip and tar framing', () => {
    const tar = Buffer.concat([rawFile('a.yaml', 'kind: ConfigMap\n'), END]);
    const good = gzipSync(tar);
    const cases: readonly [string, () => Buffer][] = [
      ['truncated gzip', () => good.subarray(0, good.length - 12)],
      ['truncated gzip trailer', () => good.subarray(0, good.length - 3)],
      ['bad gzip CRC', () => flip(good, good.length - 8)],
      ['bad gzip length', () => flip(good, good.length - 4)],
      ['trailing garbage after the gzip member', () => Buffer.concat([good, Buffer.from('garbage')])],
      ['trailing zeros after the gzip member', () => Buffer.concat([good, Buffer.alloc(16)])],
      ['one trailing byte after the gzip member', () => Buffer.concat([good, Buffer.from([0])])],
      ['multi-member gzip', () => Buffer.concat([good, gzipSync(Buffer.alloc(0))])],
      ['multi-member gzip, empty first member', () => Buffer.concat([gzipSync(Buffer.alloc(0)), good])],
      ['non-gzip bytes (plain tar)', () => tar],
      ['zstd magic under a gzip media type', () => Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tar])],
      ['empty blob', () => Buffer.alloc(0)],
      ['reserved gzip flags', () => flipTo(good, 3, 0x20)],
      ['invalid deflate block type', () => flipTo(good, 10, 0xff)],
      ['trailing garbage after the tar end marker', () => gzipSync(Buffer.concat([tar, padded('garbage')]))],
      ['a second archive after a lone zero block', () => gzipSync(Buffer.concat([rawFile('a', 'x'), Buffer.alloc(512), rawFile('b', 'y'), END]))],
      ['missing end-of-archive marker', () => gzipSync(rawFile('a', 'x'))],
      ['half an end-of-archive marker', () => gzipSync(Buffer.concat([rawFile('a', 'x'), Buffer.alloc(512)]))],
      ['tar cut inside a header', () => gzipSync(rawFile('a', 'x').subarray(0, 300))],
      ['extension header without an entry', () => gzipSync(Buffer.concat([paxHeader({ mtime: '1' }), END]))],
      ['two PAX headers in a row', () => gzipSync(Buffer.concat([paxHeader({ mtime: '1' }), paxHeader({ mtime: '2' }), rawFile('a', 'x'), END]))],
      ['global PAX header setting path', () => gzipSync(Buffer.concat([paxHeader({ path: 'x' }, 'g'), rawFile('a', 'x'), END]))],
      ['malformed PAX record', () => gzipSync(Buffer.concat([rawHeader({ name: 'P', type: 'x', size: 9 }), padded('9 a=b\nzz'), rawFile('a', 'x'), END]))],
      ['v7 header without ustar magic', () => gzipSync(Buffer.concat([v7Header(), END]))],
    ];
    for (const [title, build] of cases) {
      it(`rejects ${title} with ARCHIVE_CORRUPT`, async () => {
        await assertExtractionFails(root, { blob: build(), code: 'ARCHIVE_CORRUPT' });
      });
    }

    it('accepts the optional gzip header fields (FEXTRA, FNAME, FCOMMENT, FHCRC)', async () => {
      const { gzipWithHeaderFields } = await import('./helpers.ts');
      const blob = gzipWithHeaderFields(tar);
      await writeFile(join(root, 'blob.tgz'), blob);
      await extractArchive(join(root, 'blob.tgz'), join(root, 'target'), { expected: expectedOf(blob) });
      assert.equal(await readFile(join(root, 'target', 'a.yaml'), 'utf8'), 'kind: ConfigMap\n');
    });

    it('accepts zero padding after the end marker (10 KiB tar records)', async () => {
      const blob = gzipSync(Buffer.concat([tar, Buffer.alloc(10240 - (tar.length % 10240))]));
      await writeFile(join(root, 'blob.tgz'), blob);
      await extractArchive(join(root, 'blob.tgz'), join(root, 'target'), { expected: expectedOf(blob) });
      assert.deepEqual(await readdir(join(root, 'target')), ['a.yaml']);
    });
  });
});

function flip(buffer: Buffer, offset: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[offset] = (copy[offset] ?? 0) ^ 0x01;
  return copy;
}

function flipTo(buffer: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[offset] = value;
  return copy;
}

function v7Header(): Buffer {
  const block = rawFile('a', 'x');
  block.fill(0, 257, 265);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block.subarray(0, 512)) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}
