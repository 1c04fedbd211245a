import assert from 'node:assert/strict';
import { compileGoRegexp } from '../../../src/api/index.ts';

function compile(source: string): RegExp {
  const result = compileGoRegexp(source);
  if ('error' in result) assert.fail(`refused ${source}: ${result.error}`);
  return result.regexp;
}

// [pattern, input, does Go's regexp.MatchString match]
const MATCHES: [string, string, boolean][] = [
  ['^https://token\\.actions\\.githubusercontent\\.com$', 'https://token.actions.githubusercontent.com', true],
  ['^https://token\\.actions\\.githubusercontent\\.com$', 'https://token.actions.githubusercontent.com.evil.io', false],
  ['.*@corp\\.com', 'x@corp.com.evil.io', true],
  ['^.*@corp\\.com$', 'x@corp.com.evil.io', false],
  ['.*-rc.*', '1.2.0-rc.1', true],
  ['(?i)^V1\\.', 'v1.2', true],
  ['(?i:ab)c', 'ABc', true],
  ['(?i:ab)c', 'ABC', false],
  ['(?s)a.b', 'a\nb', true],
  ['a.b', 'a\nb', false],
  ['(?m)^b$', 'a\nb\nc', true],
  ['^b$', 'a\nb\nc', false],
  ['(?P<major>\\d+)\\.(?<minor>\\d+)', '1.2', true],
  ['\\Av1', 'v1.0', true],
  ['\\Av1', 'xv1', false],
  ['1\\z', 'v1', true],
  ['1\\z', 'v1\n', false],
  ['[[:digit:]]+\\.[[:alpha:]]', '12.a', true],
  ['^[[:upper:]]$', 'a', false],
  ['[]a]', ']', true],
  ['[^]a]', 'b', true],
  ['[^]a]', ']', false],
  ['\\x41\\x{42}', 'AB', true],
  ['a{2,3}', 'aa', true],
  ['a{,3}', 'a{,3}', true],
  ['x{', 'x{', true],
  ['\\-\\@\\:', '-@:', true],
  ['\\a', '\x07', true],
  ['[\\d-]+$', '1-2', true],
];

const REFUSED: [string, string][] = [
  ['a(?=b)', 'lookaround assertions are not supported (RE2)'],
  ['a(?!b)', 'lookaround assertions are not supported (RE2)'],
  ['(?<=a)b', 'lookaround assertions are not supported (RE2)'],
  ['(?<!a)b', 'lookaround assertions are not supported (RE2)'],
  ['(a)\\1', 'backreferences and octal escapes are not supported (RE2)'],
  ['(?<n>a)\\k<n>', 'invalid escape \\k'],
  ['(?P<n>a)(?P=n)', 'backreferences are not supported (RE2)'],
  ['a(?i)b', 'flags (?i) are supported only at the start of the pattern; use (?i:...) for a part'],
  ['(?U)a+', 'unsupported flags (?U): only i, m and s'],
  ['(?U:a+)', 'unsupported flags (?U:...): only i, m and s'],
  ['\\pL', 'Unicode classes \\p and \\P are not supported'],
  ['\\p{Greek}', 'Unicode classes \\p and \\P are not supported'],
  ['\\Qa.b\\E', 'invalid escape \\Q'],
  ['\\x{1F600}', '\\x{...} must hold at most 4 hex digits (code points above U+FFFF are not supported)'],
  ['\\xZ1', '\\x must be followed by two hex digits or {hex}'],
  ['a{1001}', 'repetition counts above 1000 are not supported (RE2)'],
  ['[[:word:]', 'missing closing ]'],
  ['[[:nope:]]', 'unknown character class [:nope:]'],
  ['[[:^alpha:]]', 'negated POSIX classes [:^...:] are not supported'],
  ['a\\', 'trailing backslash'],
  ['a(b', 'not a valid regular expression'],
  ['a**', 'not a valid regular expression'],
  ['(?#comment)', 'invalid group syntax after (?'],
];

describe('api: Go RE2 patterns', () => {
  for (const [pattern, input, expected] of MATCHES) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(input)}`, () => {
      assert.equal(compile(pattern).test(input), expected);
    });
  }
  for (const [pattern, error] of REFUSED) {
    it(`refuses ${JSON.stringify(pattern)}`, () => {
      assert.deepEqual(compileGoRegexp(pattern), { error });
    });
  }
  it('gives a stateless RegExp (no g or y flag)', () => {
    const regexp = compile('(?i)a');
    assert.equal(regexp.flags, 'i');
    assert.equal(regexp.test('A'), true);
    assert.equal(regexp.test('A'), true);
  });
});
