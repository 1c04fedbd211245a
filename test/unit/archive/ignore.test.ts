import assert from 'node:assert/strict';
import { compileIgnore, DEFAULT_IGNORE_PATTERNS, parseIgnoreFile } from '../../../src/archive/index.ts';

// [patterns, path, isDirectory, ignored]
type Row = readonly [readonly string[], string, boolean, boolean];

const ROWS: readonly Row[] = [
  // plain names match at any depth
  [['*.log'], 'a.log', false, true],
  [['*.log'], 'deep/dir/a.log', false, true],
  [['*.log'], 'a.log.txt', false, false],
  [['build'], 'build', true, true],
  [['build'], 'src/build', true, true],
  [['build'], 'build', false, true],
  // comments, blanks, escapes, trailing spaces
  [['# comment'], '# comment', false, false],
  [['\\#hash'], '#hash', false, true],
  [['\\!bang'], '!bang', false, true],
  [[''], 'a', false, false],
  [['a.txt   '], 'a.txt', false, true],
  [['a\\ '], 'a ', false, true],
  // negation, last match wins
  [['*.yaml', '!keep.yaml'], 'keep.yaml', false, false],
  [['*.yaml', '!keep.yaml'], 'drop.yaml', false, true],
  [['!keep.yaml', '*.yaml'], 'keep.yaml', false, true],
  // directory-only
  [['cache/'], 'cache', true, true],
  [['cache/'], 'cache', false, false],
  [['cache/'], 'a/cache', true, true],
  // anchored
  [['/root.txt'], 'root.txt', false, true],
  [['/root.txt'], 'sub/root.txt', false, false],
  [['docs/*.md'], 'docs/a.md', false, true],
  [['docs/*.md'], 'x/docs/a.md', false, false],
  [['docs/*.md'], 'docs/sub/a.md', false, false],
  // double star
  [['**/foo'], 'foo', false, true],
  [['**/foo'], 'a/b/foo', false, true],
  [['**/foo/bar'], 'x/foo/bar', false, true],
  [['abc/**'], 'abc/x', false, true],
  [['abc/**'], 'abc/x/y', false, true],
  [['abc/**'], 'abc', true, false],
  [['a/**/b'], 'a/b', false, true],
  [['a/**/b'], 'a/x/y/b', false, true],
  [['a/**/b'], 'ab', false, false],
  [['**'], 'anything/at/all', false, true],
  // single-character wildcards and classes
  [['?.txt'], 'a.txt', false, true],
  [['?.txt'], 'ab.txt', false, false],
  [['file[0-9].txt'], 'file7.txt', false, true],
  [['file[0-9].txt'], 'filex.txt', false, false],
  [['file[!0-9].txt'], 'filex.txt', false, true],
  [['file[!0-9].txt'], 'file1.txt', false, false],
  [['a[/]b'], 'a/b', false, false],
  [['[unclosed'], '[unclosed', false, true],
  // stars do not cross directories
  [['a*b'], 'a/b', false, false],
  [['a*b'], 'axxb', false, true],
  // regex metacharacters are literal
  [['a+b(c).txt'], 'a+b(c).txt', false, true],
  [['a.b'], 'axb', false, false],
];

describe('archive/ignore', () => {
  for (const [patterns, path, isDirectory, ignored] of ROWS) {
    it(`${JSON.stringify(patterns)} ${ignored ? 'ignores' : 'keeps'} ${path}${isDirectory ? '/' : ''}`, () => {
      assert.equal(compileIgnore(patterns).isIgnored(path, isDirectory), ignored);
    });
  }

  it('parses ignore files with CRLF line ends', () => {
    assert.deepEqual(parseIgnoreFile('a\r\n# c\r\n!b\n'), ['a', '# c', '!b', '']);
  });

  it('defaults exclude VCS metadata and binary artifacts like flux push', () => {
    const matcher = compileIgnore(DEFAULT_IGNORE_PATTERNS);
    assert.ok(matcher.isIgnored('.git', true));
    assert.ok(matcher.isIgnored('sub/.hg', true));
    assert.ok(matcher.isIgnored('.gitignore', false));
    assert.ok(matcher.isIgnored('logo.png', false));
    assert.ok(matcher.isIgnored('old/release.tar.gz', false));
    assert.ok(!matcher.isIgnored('.github', true));
    assert.ok(!matcher.isIgnored('deploy.yaml', false));
    assert.ok(!matcher.isIgnored('.git', false), 'a file named .git is not the VCS directory');
  });
});
