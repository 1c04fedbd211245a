/**
 * JSON as strictly as Go's paranoid decoders read it (containers/image
 * signature/internal/json.go): a duplicate key anywhere is an error, as is
 * anything after the top-level value. `JSON.parse` silently keeps the last
 * duplicate, which lets a payload say two things at once
 * (research/signatures.md §8 pitfall 4), so security decisions never read
 * JSON through it.
 *
 * The grammar is RFC 8259; objects come back as plain objects whose own
 * keys include `__proto__` safely (defined, not assigned).
 */
export class StrictJsonError extends Error {
  /** Character offset of the problem in the input. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'StrictJsonError';
    this.offset = offset;
  }
}

const MAX_DEPTH = 64;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};
const NUMBER_PATTERN = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Parses `input` (text or UTF-8 bytes; invalid UTF-8 is an error), refusing duplicate keys and trailing data. */
export function parseStrictJson(input: string | Uint8Array): unknown {
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.position !== text.length) throw new StrictJsonError('unexpected data after the JSON value', parser.position);
  return value;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new StrictJsonError('not valid UTF-8', 0);
  }
}

class Parser {
  readonly text: string;
  position = 0;

  constructor(text: string) {
    this.text = text;
  }

  skipWhitespace(): void {
    while (this.position < this.text.length && WHITESPACE.has(this.text.charAt(this.position))) this.position++;
  }

  fail(message: string): never {
    throw new StrictJsonError(`${message} at offset ${String(this.position)}`, this.position);
  }

  parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    const char = this.text.charAt(this.position);
    if (char === '{') return this.parseObject(depth);
    if (char === '[') return this.parseArray(depth);
    if (char === '"') return this.parseString();
    if (char === '-' || (char >= '0' && char <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.position)) {
        this.position += word.length;
        return value;
      }
    }
    return this.fail(char === '' ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(char)}`);
  }

  parseObject(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.position++;
    this.skipWhitespace();
    if (this.text.charAt(this.position) === '}') {
      this.position++;
      return result;
    }
    for (;;) {
      if (this.text.charAt(this.position) !== '"') this.fail('expected a string key');
      const keyOffset = this.position;
      const key = this.parseString();
      if (seen.has(key)) throw new StrictJsonError(`duplicate key ${JSON.stringify(key)}`, keyOffset);
      seen.add(key);
      this.skipWhitespace();
      if (this.text.charAt(this.position) !== ':') this.fail('expected ":"');
      this.position++;
      this.skipWhitespace();
      Object.defineProperty(result, key, { value: this.parseValue(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const separator = this.text.charAt(this.position);
      this.position++;
      if (separator === '}') return result;
      if (separator !== ',') {
        this.position--;
        this.fail('expected "," or "}"');
      }
      this.skipWhitespace();
    }
  }

  parseArray(depth: number): unknown[] {
    const result: unknown[] = [];
    this.position++;
    this.skipWhitespace();
    if (this.text.charAt(this.position) === ']') {
      this.position++;
      return result;
    }
    for (;;) {
      result.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const separator = this.text.charAt(this.position);
      this.position++;
      if (separator === ']') return result;
      if (separator !== ',') {
        this.position--;
        this.fail('expected "," or "]"');
      }
      this.skipWhitespace();
    }
  }

  parseString(): string {
    let result = '';
    this.position++;
    for (;;) {
      const char = this.text.charAt(this.position);
      if (char === '') this.fail('unterminated string');
      if (char === '"') {
        this.position++;
        return result;
      }
      if (char < ' ') this.fail('control character in string');
      if (char === '\\') {
        const escape = this.text.charAt(this.position + 1);
        if (escape === 'u') {
          const hex = this.text.slice(this.position + 2, this.position + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
          result += String.fromCharCode(Number.parseInt(hex, 16));
          this.position += 6;
          continue;
        }
        const replacement = ESCAPES[escape];
        if (replacement === undefined) this.fail('invalid escape');
        result += replacement;
        this.position += 2;
        continue;
      }
      result += char;
      this.position++;
    }
  }

  parseNumber(): number {
    NUMBER_PATTERN.lastIndex = this.position;
    const match = NUMBER_PATTERN.exec(this.text);
    if (match === null) return this.fail('invalid number');
    this.position += match[0].length;
    return Number(match[0]);
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

/** Guard: a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The keys of `object` that are not in `allowed` (containers/image's
 * "Unknown key" rule) and the keys of `required` that are missing.
 */
export function checkKeys(
  object: JsonObject, allowed: readonly string[], required: readonly string[] = [],
): { readonly unknown: readonly string[]; readonly missing: readonly string[] } {
  return {
    unknown: Object.keys(object).filter((key) => !allowed.includes(key)),
    missing: required.filter((key) => !Object.hasOwn(object, key)),
  };
}
