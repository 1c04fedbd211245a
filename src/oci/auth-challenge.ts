/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1 and §11.2): a header may carry
 * several challenges, each a scheme followed by comma-separated `name=value`
 * params whose values are tokens or quoted strings (which may contain commas,
 * `=` and backslash escapes). Registries send e.g.
 * `Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"`.
 */

export interface Challenge {
  /** Lowercased, e.g. `bearer`, `basic`. */
  readonly scheme: string;
  /** Param names lowercased; values unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

class Cursor {
  readonly text: string;
  pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  isDone(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  skipSeparators(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }

  readToken(): string {
    const start = this.pos;
    while (TOKEN_CHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** After the opening quote; returns undefined for an unterminated string. */
  readQuoted(): string | undefined {
    let value = '';
    this.pos++;
    while (!this.isDone()) {
      const c = this.peek();
      this.pos++;
      if (c === '"') return value;
      if (c === '\\') {
        if (this.isDone()) return undefined;
        value += this.peek();
        this.pos++;
      } else {
        value += c;
      }
    }
    return undefined;
  }
}

/** Reads `name=value` params until the next challenge starts; false on malformed input. */
function readParams(cursor: Cursor, params: Record<string, string>): boolean {
  for (;;) {
    cursor.skipSeparators();
    if (cursor.isDone()) return true;
    const mark = cursor.pos;
    const name = cursor.readToken();
    cursor.skipSpaces();
    if (name === '' || cursor.peek() !== '=') {
      // Not a param: the start of the next challenge (or a token68 we do not use).
      cursor.pos = mark;
      return name !== '';
    }
    cursor.pos++;
    cursor.skipSpaces();
    const value = cursor.peek() === '"' ? cursor.readQuoted() : cursor.readToken();
    if (value === undefined) return false;
    // The first occurrence wins; a duplicate cannot override the realm.
    const key = name.toLowerCase();
    if (!Object.hasOwn(params, key)) params[key] = value;
    cursor.skipSpaces();
    if (!cursor.isDone() && cursor.peek() !== ',') return false;
  }
}

/**
 * All challenges of a `WWW-Authenticate` value (several header lines joined
 * with `, ` are fine). Parsing stops at the first malformed part, keeping the
 * challenges read before it.
 */
export function parseChallenges(header: string): Challenge[] {
  const cursor = new Cursor(header);
  const challenges: Challenge[] = [];
  for (;;) {
    cursor.skipSeparators();
    if (cursor.isDone()) return challenges;
    const scheme = cursor.readToken();
    if (scheme === '' || (!cursor.isDone() && cursor.peek() !== ' ' && cursor.peek() !== ',' && cursor.peek() !== '\t')) {
      return challenges;
    }
    const params: Record<string, string> = {};
    const ok = readParams(cursor, params);
    challenges.push({ scheme: scheme.toLowerCase(), params });
    if (!ok) return challenges;
  }
}
