import assert from 'node:assert/strict';
import { toCollisionKey, toEntryPath } from '../../../src/archive/entry-path.ts';
import { DEFAULT_EXTRACT_LIMITS } from '../../../src/archive/index.ts';
import { quotePath } from '../../../src/archive/quote-path.ts';
import { isBobError } from '../../../src/shared/index.ts';

describe('archive/entry-path', () => {
  const valid: readonly [string, string | undefined][] = [
    ['a', 'a'],
    ['a/b/c.yaml', 'a/b/c.yaml'],
    ['dir/', 'dir'],
    ['./a', 'a'],
    ['././a/b/', 'a/b'],
    ['.', undefined],
    ['./', undefined],
    ['.hidden', '.hidden'],
    ['..dots', '..dots'],
    ['a..b', 'a..b'],
    ['caf\u00e9/\u65e5\u672c', 'caf\u00e9/\u65e5\u672c'],
    ['ab:c', 'ab:c'],
    [`${'d/'.repeat(63)}f`, `${'d/'.repeat(63)}f`],
  ];
  for (const [name, path] of valid) {
    it(`accepts ${quotePath(name)}`, () => {
      assert.equal(toEntryPath(name, DEFAULT_EXTRACT_LIMITS)?.path, path);
    });
  }

  const invalid: readonly string[] = [
    '', '/', '/a', '//a', '../a', 'a/../b', 'a/..', '..', './..', 'a/./b', 'a//b', 'x:y', 'C:a', 'c:\\a', '\\\\host\\share', 'a\\b', 'a\0b', 'a\nb', 'a\u007fb', 'a\ufffdb',
    's'.repeat(256), `${'d/'.repeat(64)}f`, Array.from({ length: 20 }, () => 'x'.repeat(250)).join('/'),
  ];
  for (const name of invalid) {
    it(`rejects ${quotePath(name)} with ARCHIVE_PATH_INVALID`, () => {
      assert.throws(() => toEntryPath(name, DEFAULT_EXTRACT_LIMITS), (error: unknown) => isBobError(error, 'ARCHIVE_PATH_INVALID'));
    });
  }

  it('respects configured limits', () => {
    const limits = { maxPathBytes: 10, maxSegmentBytes: 5, maxDepth: 2 };
    assert.equal(toEntryPath('abcd/efgh', limits)?.path, 'abcd/efgh');
    for (const name of ['abcdef', 'a/b/c', 'abcde/fghij']) {
      assert.throws(() => toEntryPath(name, limits), (error: unknown) => isBobError(error, 'ARCHIVE_PATH_INVALID'), name);
    }
  });

  const collisions: readonly [string, string][] = [
    ['A', 'a'],
    ['stra\u00dfe', 'STRASSE'],
    ['caf\u00e9', 'cafe\u0301'],
    ['\ufb01le', 'file'],
    ['\u212a', 'k'],
  ];
  for (const [a, b] of collisions) {
    it(`folds ${quotePath(a)} and ${quotePath(b)} to one key`, () => {
      assert.equal(toCollisionKey(a), toCollisionKey(b));
    });
  }

  it('keeps distinct names distinct', () => {
    assert.notEqual(toCollisionKey('a'), toCollisionKey('b'));
    assert.notEqual(toCollisionKey('a.yaml'), toCollisionKey('a.yml'));
  });

  it('quotes names for messages: escapes controls and bidi, truncates', () => {
    assert.equal(quotePath('a\nb'), '"a\\u000ab"');
    assert.equal(quotePath('x\u202ey'), '"x\\u202ey"');
    assert.equal(quotePath('q"\\'), '"q\\"\\\\"');
    assert.ok(quotePath('z'.repeat(1000)).length < 130);
  });
});
