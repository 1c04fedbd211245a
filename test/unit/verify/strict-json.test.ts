import assert from 'node:assert/strict';
import { checkKeys, isJsonObject, parseStrictJson, StrictJsonError } from '../../../src/verify/strict-json.ts';

describe('verify: strict JSON', () => {
  it('parses what JSON.parse parses, for well-formed input', () => {
    for (const text of [
      '{"a":1,"b":[true,false,null],"c":{"d":"e\\u00e9\\n"},"f":-1.5e3}', '[]', '{}', '"x"', '0', ' \n{"a" : [ 1 , 2 ] } \t',
      '{"critical":{"identity":{"docker-reference":"x"}},"optional":null}',
    ]) {
      assert.deepEqual(parseStrictJson(text), JSON.parse(text), text);
    }
  });

  it('refuses a duplicate key at any depth, naming it', () => {
    assert.throws(() => parseStrictJson('{"a":1,"a":2}'), /duplicate key "a"/);
    assert.throws(() => parseStrictJson('{"x":{"critical":{},"critical":{}}}'), /duplicate key "critical"/);
    assert.throws(() => parseStrictJson('[{"k":1},{"k":1,"k":1}]'), StrictJsonError);
  });

  it('treats keys that only look alike as different (escapes are decoded first)', () => {
    assert.throws(() => parseStrictJson('{"a":1,"\\u0061":2}'), /duplicate key "a"/);
    assert.deepEqual(Object.keys(parseStrictJson('{"a":1,"A":2}') as object), ['a', 'A']);
  });

  it('keeps __proto__ as a plain own key instead of changing the prototype', () => {
    const value = parseStrictJson('{"__proto__":{"polluted":true}}');
    assert.ok(isJsonObject(value));
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('refuses trailing data, bad syntax and bad UTF-8', () => {
    for (const text of ['{} {}', '{"a":1}x', '{"a":1,}', '[1,]', '{a:1}', "{'a':1}", '01', '1.', '+1', 'NaN', '"\t"', '"\\x"', '"\\u12"', '', '{"a"}', 'nul']) {
      assert.throws(() => parseStrictJson(text), StrictJsonError, JSON.stringify(text));
    }
    assert.throws(() => parseStrictJson(new Uint8Array([0x22, 0xff, 0x22])), /not valid UTF-8/);
    assert.deepEqual(parseStrictJson(new TextEncoder().encode('{"é":1}')), { é: 1 });
  });

  it('bounds nesting depth', () => {
    assert.throws(() => parseStrictJson('['.repeat(100) + ']'.repeat(100)), /nested too deeply/);
    assert.doesNotThrow(() => parseStrictJson('['.repeat(60) + ']'.repeat(60)));
  });

  it('reports unknown and missing keys', () => {
    assert.deepEqual(checkKeys({ type: 'x', extra: 1 }, ['type', 'keyPath'], ['type', 'keyPath']), { unknown: ['extra'], missing: ['keyPath'] });
    assert.equal(isJsonObject([]), false);
    assert.equal(isJsonObject(null), false);
  });
});
