import assert from 'node:assert/strict';
import { toByteRange } from '../../../src/storage/byte-range.ts';
import type { ByteRange } from '../../../src/storage/byte-range.ts';
import { toRequestPath } from '../../../src/storage/request-path.ts';
import type { RequestPath } from '../../../src/storage/request-path.ts';
import { selectGarbage } from '../../../src/storage/retention.ts';

const HEX = 'a'.repeat(64);

describe('storage/request-path', () => {
  const cases: readonly [string, RequestPath][] = [
    [`/ocirepository/apps/podinfo/${HEX}.tar.gz`, { ok: true, segments: ['ocirepository', 'apps', 'podinfo', `${HEX}.tar.gz`] }],
    ['/ocirepository/apps/podinfo/latest.tar.gz?x=1', { ok: true, segments: ['ocirepository', 'apps', 'podinfo', 'latest.tar.gz'] }],
    ['/a%2Db', { ok: true, segments: ['a-b'] }],
    ['/', { ok: false, status: 404 }],
    ['/../etc/passwd', { ok: false, status: 400 }],
    ['/a/../../etc/passwd', { ok: false, status: 400 }],
    ['/a/./b', { ok: false, status: 400 }],
    ['/%2e%2e/etc/passwd', { ok: false, status: 400 }],
    ['/%2E%2E/etc/passwd', { ok: false, status: 400 }],
    ['/a/%2e/b', { ok: false, status: 400 }],
    ['/a%2Fb', { ok: false, status: 400 }],
    ['/..%2fetc%2fpasswd', { ok: false, status: 400 }],
    ['/a%5cb', { ok: false, status: 400 }],
    ['/a\\b', { ok: false, status: 400 }],
    ['/..\\..\\etc', { ok: false, status: 400 }],
    ['//etc/passwd', { ok: false, status: 400 }],
    ['/a//b', { ok: false, status: 400 }],
    ['/a/', { ok: false, status: 400 }],
    ['/a%00b', { ok: false, status: 400 }],
    ['/a\0b', { ok: false, status: 400 }],
    ['/a%0ab', { ok: false, status: 400 }],
    ['/a%zz', { ok: false, status: 400 }],
    ['/a%', { ok: false, status: 400 }],
    ['/%c0%ae%c0%ae/x', { ok: false, status: 400 }],
    ['http://evil/x', { ok: false, status: 400 }],
    ['*', { ok: false, status: 400 }],
    ['', { ok: false, status: 400 }],
    ['/ocirepository/apps/podinfo/.tmp-0123456789abcdef', { ok: false, status: 404 }],
    ['/.hidden', { ok: false, status: 404 }],
    ['/a%2e', { ok: true, segments: ['a.'] }],
    ['/caf%C3%A9', { ok: false, status: 404 }],
    ['/a b', { ok: false, status: 404 }],
    ['/1/2/3/4/5/6/7/8/9', { ok: false, status: 404 }],
    [`/${'a'.repeat(3000)}`, { ok: false, status: 414 }],
  ];
  for (const [target, expected] of cases) {
    it(`${JSON.stringify(target.length > 60 ? `${target.slice(0, 60)}…` : target)} → ${expected.ok ? 'ok' : expected.status}`, () => {
      assert.deepEqual(toRequestPath(target), expected);
    });
  }
});

describe('storage/byte-range', () => {
  const size = 1000;
  const cases: readonly [string | undefined, number, ByteRange][] = [
    [undefined, size, { kind: 'full' }],
    ['bytes=0-99', size, { kind: 'partial', start: 0, end: 99 }],
    ['bytes=900-', size, { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-100', size, { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-5000', size, { kind: 'partial', start: 0, end: 999 }],
    ['bytes=990-5000', size, { kind: 'partial', start: 990, end: 999 }],
    ['bytes=999-999', size, { kind: 'partial', start: 999, end: 999 }],
    [' bytes=1-2 ', size, { kind: 'partial', start: 1, end: 2 }],
    ['BYTES=1-2', size, { kind: 'partial', start: 1, end: 2 }],
    ['bytes=1000-', size, { kind: 'unsatisfiable' }],
    ['bytes=5-4', size, { kind: 'unsatisfiable' }],
    ['bytes=-0', size, { kind: 'unsatisfiable' }],
    ['bytes=-', size, { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', size, { kind: 'unsatisfiable' }],
    ['bytes=0-1, 5-6', size, { kind: 'unsatisfiable' }],
    ['bytes=a-b', size, { kind: 'unsatisfiable' }],
    ['bytes=1-2-3', size, { kind: 'unsatisfiable' }],
    ['bytes=1234567890123456-', size, { kind: 'unsatisfiable' }],
    ['bytes=0-1234567890123456', size, { kind: 'unsatisfiable' }],
    ['bytes=123456789012345-', size, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-1', 0, { kind: 'unsatisfiable' }],
    [`bytes=${'0,'.repeat(200)}0-1`, size, { kind: 'bad-request' }],
    ['items=0-1', size, { kind: 'full' }],
    ['', size, { kind: 'full' }],
  ];
  for (const [header, fileSize, expected] of cases) {
    it(`${JSON.stringify(header?.slice(0, 40))} of ${fileSize} → ${expected.kind}`, () => {
      assert.deepEqual(toByteRange(header, fileSize), expected);
    });
  }
});

describe('storage/retention selectGarbage', () => {
  it('breaks mtime ties by name, deterministically, and returns oldest first', () => {
    const candidates = [
      { name: 'b', mtimeMs: 10 },
      { name: 'a', mtimeMs: 10 },
      { name: 'c', mtimeMs: 10 },
      { name: 'old', mtimeMs: 1 },
    ];
    assert.deepEqual(selectGarbage(candidates, new Set(), { keep: 1, ttlMs: 0 }, 100), ['old', 'a', 'b']);
    assert.deepEqual(selectGarbage([...candidates].reverse(), new Set(['a']), { keep: 1, ttlMs: 0 }, 100), ['old', 'b']);
  });
});
