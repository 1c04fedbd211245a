import assert from 'node:assert/strict';
import { toPrintable } from '../../../src/cli/printable.ts';

describe('cli printable text', () => {
  it('replaces control and bidi characters, keeps other unicode, cuts long text', () => {
    assert.equal(toPrintable('a\x1b[2Jb\nc\u202ed\u0085e'), 'a?[2Jb?c?d?e');
    assert.equal(toPrintable('grüße ✓'), 'grüße ✓');
    assert.equal(toPrintable('abcdef', 4), 'abc…');
  });
});
