/**
 * A gitignore subset for `.sourceignore` files and `--ignore-paths`, as Flux
 * uses them (research/flux.md §4.4), implemented here rather than borrowed.
 * Supported (gitignore(5) semantics): blank lines, `#` comments, `\#` and
 * `\!` escapes, `!` negation, trailing `/` (directories only), a `/` at the
 * start or middle anchoring the pattern to the root, `*`, `?`, `[...]`
 * classes (`[!...]` negates), and `**` as a whole segment: leading (any
 * depth), trailing (everything inside) or between slashes (zero or more
 * directories). The last matching pattern wins. Callers stop descending into an
 * ignored directory, so (as in git) a negation cannot re-include a file whose
 * parent directory is ignored.
 */

interface Rule {
  readonly negate: boolean;
  readonly dirOnly: boolean;
  readonly regex: RegExp;
}

/** Decides whether a root-relative `/`-separated path is ignored. */
export interface IgnoreMatcher {
  isIgnored(path: string, isDirectory: boolean): boolean;
}

/** Compiles `patterns` (in order, last match wins) into a matcher. */
export function compileIgnore(patterns: readonly string[]): IgnoreMatcher {
  const rules: Rule[] = [];
  for (const line of patterns) {
    const rule = toRule(line);
    if (rule !== undefined) rules.push(rule);
  }
  return {
    isIgnored(path: string, isDirectory: boolean): boolean {
      let ignored = false;
      for (const rule of rules) {
        if (rule.dirOnly && !isDirectory) continue;
        if (rule.regex.test(path)) ignored = !rule.negate;
      }
      return ignored;
    },
  };
}

/** The pattern lines of a `.sourceignore` / `.gitignore` file. */
export function parseIgnoreFile(text: string): string[] {
  return text.split(/\r?\n/u);
}

function toRule(line: string): Rule | undefined {
  let pattern = trimTrailingSpaces(line);
  if (pattern === '' || pattern.startsWith('#')) return undefined;
  let negate = false;
  if (pattern.startsWith('!')) {
    negate = true;
    pattern = pattern.slice(1);
  } else if (pattern.startsWith('\\!') || pattern.startsWith('\\#')) {
    pattern = pattern.slice(1);
  }
  let dirOnly = false;
  if (pattern.endsWith('/') && !pattern.endsWith('\\/')) {
    dirOnly = true;
    pattern = pattern.slice(0, -1);
  }
  // gitignore(5): a slash at the beginning or in the middle anchors the
  // pattern to the root; otherwise it matches a name at any depth.
  const anchored = pattern.includes('/');
  if (pattern.startsWith('/')) pattern = pattern.slice(1);
  if (pattern === '') return undefined;
  const body = toRegexBody(pattern.split('/'));
  return { negate, dirOnly, regex: new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}$`, 'u') };
}

// Trailing spaces are ignored unless escaped with a backslash.
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ' && line[end - 2] !== '\\') end--;
  return line.slice(0, end);
}

function toRegexBody(segments: readonly string[]): string {
  let body = '';
  const last = segments.length - 1;
  for (const [index, segment] of segments.entries()) {
    if (segment === '**') {
      // Leading or middle `**/`: zero or more directories. Trailing `/**`:
      // everything inside (at least one more segment).
      if (index === last) body += index === 0 ? '.*' : '/.+';
      else body += index === 0 ? '(?:.*/)?' : '/(?:.*/)?';
      continue;
    }
    if (index > 0 && segments[index - 1] !== '**') body += '/';
    body += toSegmentRegex(segment);
  }
  return body;
}

function toSegmentRegex(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charAt(i);
    if (c === '*') {
      while (segment.charAt(i + 1) === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '\\' && i + 1 < segment.length) {
      i++;
      out += escapeRegex(segment.charAt(i));
    } else if (c === '[') {
      const parsed = toClass(segment, i);
      if (parsed === undefined) {
        out += '\\[';
      } else {
        out += parsed.regex;
        i = parsed.end;
      }
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

// `[...]` starting at `start`; undefined when unterminated (then `[` is literal).
function toClass(segment: string, start: number): { regex: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (segment.charAt(i) === '!' || segment.charAt(i) === '^') {
    negate = true;
    i++;
  }
  let members = '';
  // A `]` right after the opening bracket is a member, not the end.
  if (segment.charAt(i) === ']') {
    members += '\\]';
    i++;
  }
  for (; i < segment.length; i++) {
    const c = segment.charAt(i);
    if (c === ']') return { regex: `(?!/)[${negate ? '^' : ''}${members}]`, end: i };
    if (c === '\\' && i + 1 < segment.length) {
      i++;
      members += escapeClassChar(segment.charAt(i));
    } else {
      members += c === '-' ? '-' : escapeClassChar(c);
    }
  }
  return undefined;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/u.test(c) ? `\\${c}` : c;
}

function escapeClassChar(c: string): string {
  return /[\\\]^[-]/u.test(c) ? `\\${c}` : c;
}
