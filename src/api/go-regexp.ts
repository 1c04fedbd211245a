/**
 * Go RE2 patterns (Flux's semverFilter and matchOIDCIdentity are Go
 * `regexp`s) compiled to JavaScript RegExps with the same meaning, or
 * refused. A manifest must mean the same under Flux and bob, so constructs
 * RE2 does not have (lookarounds, backreferences) are refused even though
 * JavaScript has them, and RE2 syntax JavaScript lacks is translated where
 * the translation is exact (`(?P<n>`, leading `(?i)`, `\A`, `\z`, `\x{..}`,
 * POSIX classes) and refused otherwise (`\p`, `\Q`, mid-pattern `(?i)`, the
 * U flag). RE2 syntax: https://github.com/google/re2/wiki/Syntax.
 *
 * Two differences remain: JavaScript's `.` also stops at \r, U+2028 and
 * U+2029 (Go's only at \n), and JavaScript backtracks where RE2 is linear,
 * so callers match only short, bounded inputs (tags of at most 128
 * characters, certificate identities).
 */

/** RE2's repetition limit (`{n,m}` with n or m above 1000 is an error). */
const MAX_REPEAT = 1000;
const GO_PUNCTUATION = /^[!-/:-@[-`{-~]$/;
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** A compiled pattern or why it was refused. */
export type GoRegexpResult = { readonly regexp: RegExp } | { readonly error: string };

class Refused extends Error {}

function refuse(message: string): never {
  throw new Refused(message);
}

/** Translates one escape at `source[at] === '\\'`; returns the JS text and the characters consumed. */
function translateEscape(source: string, at: number, inClass: boolean): [string, number] {
  const next = source[at + 1];
  if (next === undefined) refuse('trailing backslash');
  if ('dDsSwW'.includes(next) || 'ntrfv'.includes(next)) return [`\\${next}`, 2];
  if (next === 'a') return ['\\x07', 2];
  if (!inClass && (next === 'b' || next === 'B')) return [`\\${next}`, 2];
  if (!inClass && next === 'A') return ['(?<![\\s\\S])', 2];
  if (!inClass && next === 'z') return ['(?![\\s\\S])', 2];
  if (next === 'x') {
    if (source[at + 2] === '{') {
      const close = source.indexOf('}', at + 3);
      const hex = close === -1 ? '' : source.slice(at + 3, close);
      if (!/^[0-9A-Fa-f]{1,4}$/.test(hex)) refuse('\\x{...} must hold at most 4 hex digits (code points above U+FFFF are not supported)');
      return [`\\u${hex.padStart(4, '0')}`, close - at + 1];
    }
    const hex = source.slice(at + 2, at + 4);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) refuse('\\x must be followed by two hex digits or {hex}');
    return [`\\x${hex}`, 4];
  }
  if (next >= '0' && next <= '9') refuse('backreferences and octal escapes are not supported (RE2)');
  if (next === 'p' || next === 'P') refuse('Unicode classes \\p and \\P are not supported');
  if (GO_PUNCTUATION.test(next)) return [`\\${next}`, 2];
  return refuse(`invalid escape \\${next}`);
}

/** Translates a group opener at `source[at] === '('`. */
function translateGroupOpen(source: string, at: number): [string, number] {
  if (source[at + 1] !== '?') return ['(', 1];
  const rest = source.slice(at + 2);
  if (rest.startsWith(':')) return ['(?:', 3];
  if (rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
    refuse('lookaround assertions are not supported (RE2)');
  }
  if (rest.startsWith('P=') || rest.startsWith('P>')) refuse('backreferences are not supported (RE2)');
  const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
  if (named !== null) return [`(?<${named[1] ?? ''}>`, 2 + named[0].length];
  const flags = /^([a-zA-Z-]*)([:)])/.exec(rest);
  if (flags !== null) {
    const letters = flags[1] ?? '';
    if (flags[2] === ')') refuse('flags (?i) are supported only at the start of the pattern; use (?i:...) for a part');
    if (!/^[ims]*(?:-[ims]+)?$/.test(letters)) refuse(`unsupported flags (?${letters}:...): only i, m and s`);
    return [`(?${letters}:`, 2 + flags[0].length];
  }
  return refuse('invalid group syntax after (?');
}

/** Translates a `{n,m}` repetition at `source[at] === '{'`, or a literal `{`. */
function translateBrace(source: string, at: number): [string, number] {
  const repeat = /^\{(\d+)(?:(,)(\d*))?\}/.exec(source.slice(at));
  if (repeat === null) return ['\\{', 1];
  const low = Number(repeat[1]);
  const high = repeat[3] === undefined || repeat[3] === '' ? low : Number(repeat[3]);
  if (low > MAX_REPEAT || high > MAX_REPEAT) refuse(`repetition counts above ${MAX_REPEAT} are not supported (RE2)`);
  return [repeat[0], repeat[0].length];
}

function translate(source: string): { text: string; flags: string } {
  let at = 0;
  let flags = '';
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (leading !== null) {
    const letters = leading[1] ?? '';
    if (!/^[ims]+$/.test(letters) || new Set(letters).size !== letters.length) {
      refuse(`unsupported flags (?${letters}): only i, m and s`);
    }
    flags = letters;
    at = leading[0].length;
  }
  let text = '';
  let inClass = false;
  while (at < source.length) {
    const char = source.charAt(at);
    if (char === '\\') {
      const [out, used] = translateEscape(source, at, inClass);
      text += out;
      at += used;
    } else if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(source.slice(at));
      if (posix !== null) {
        const ranges = POSIX_CLASSES[posix[2] ?? ''];
        if (ranges === undefined) refuse(`unknown character class [:${posix[2] ?? ''}:]`);
        if (posix[1] === '^') refuse('negated POSIX classes [:^...:] are not supported');
        text += ranges;
        at += posix[0].length;
      } else {
        if (char === ']') inClass = false;
        text += char === '[' ? '\\[' : char;
        at++;
      }
    } else if (char === '[') {
      inClass = true;
      text += '[';
      at++;
      if (source[at] === '^') {
        text += '^';
        at++;
      }
      // RE2: a `]` right after `[` or `[^` is literal; in JavaScript `[]` is an empty class.
      if (source[at] === ']') {
        text += '\\]';
        at++;
      }
    } else if (char === '(') {
      const [out, used] = translateGroupOpen(source, at);
      text += out;
      at += used;
    } else if (char === '{') {
      const [out, used] = translateBrace(source, at);
      text += out;
      at += used;
    } else {
      text += char;
      at++;
    }
  }
  if (inClass) refuse('missing closing ]');
  return { text, flags };
}

/** Compiles a Go RE2 pattern to an equivalent RegExp, or says why it cannot. */
export function compileGoRegexp(source: string): GoRegexpResult {
  try {
    const { text, flags } = translate(source);
    return { regexp: new RegExp(text, flags) };
  } catch (error) {
    if (error instanceof Refused) return { error: error.message };
    if (error instanceof SyntaxError) return { error: 'not a valid regular expression' };
    throw error;
  }
}
