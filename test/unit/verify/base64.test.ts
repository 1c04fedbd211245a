import assert from 'node:assert/strict';
import { decodeStandardBase64, decodeUrlBase64, encodeStandardBase64, encodeUrlBase64 } from '../../../src/verify/base64.ts';

describe('verify: strict base64', () => {
  it('round-trips every length in both alphabets', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = new Uint8Array(length).map((_, index) => (index * 97 + 251) & 0xff);
      assert.deepEqual(decodeStandardBase64(encodeStandardBase64(bytes)), bytes);
      assert.deepEqual(decodeUrlBase64(encodeUrlBase64(bytes)), bytes);
    }
  });

  it('refuses what Node would silently accept in the standard alphabet', () => {
    for (const text of ['this is invalid base64', 'YWJj ZA==', 'YWJjZA', 'YWJjZA=', 'YW_jZA==', 'YWJjZA==\n', '=YWJj', 'YWJjZB==', 'YQ']) {
      assert.equal(decodeStandardBase64(text), undefined, text);
    }
    assert.deepEqual(decodeStandardBase64('YWJjZA=='), new TextEncoder().encode('abcd'));
  });

  it('refuses padding, the other alphabet and non-canonical tails in the URL alphabet', () => {
    for (const text of ['YWJjZA==', 'a+b/', 'YWJjZB', 'Y', 'YW Jj']) {
      assert.equal(decodeUrlBase64(text), undefined, text);
    }
    assert.deepEqual(decodeUrlBase64('YWJjZA'), new TextEncoder().encode('abcd'));
    assert.deepEqual(decodeUrlBase64('-_8'), new Uint8Array([0xfb, 0xff]));
  });
});
