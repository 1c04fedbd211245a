import assert from 'node:assert/strict';
import { assertDigest, createDigester, digestOf, isDigest, parseDigest } from '../../../src/oci/index.ts';
import { isBobError } from '../../../src/shared/index.ts';

describe('oci/digest', () => {
  const valid = [`sha256:${'0'.repeat(64)}`, `sha512:${'f'.repeat(128)}`];
  const invalid: unknown[] = [
    '', 'sha256:', `sha256:${'0'.repeat(63)}`, `sha256:${'0'.repeat(65)}`, `sha256:${'A'.repeat(64)}`,
    `sha512:${'0'.repeat(64)}`, `md5:${'0'.repeat(32)}`, `sha256:../${'0'.repeat(61)}`, `SHA256:${'0'.repeat(64)}`,
    ` sha256:${'0'.repeat(64)}`, `sha256:${'0'.repeat(64)}\n`, 42, undefined, null,
  ];
  for (const value of valid) it(`accepts ${value.slice(0, 12)}`, () => { assert.ok(isDigest(value)); assert.ok(parseDigest(value)); });
  for (const [i, value] of invalid.entries()) {
    it(`rejects #${i} ${String(value).slice(0, 30)}`, () => {
      assert.ok(!isDigest(value));
      assert.throws(() => { assertDigest(value); }, (e: unknown) => isBobError(e, 'DIGEST_INVALID') && e.errorClass === 'stalling');
    });
  }
  it('hashes incrementally like at once', () => {
    const d = createDigester('sha512');
    d.update(Buffer.from('ab'));
    d.update(Buffer.from('c'));
    assert.equal(d.digest(), digestOf(Buffer.from('abc'), 'sha512'));
    assert.equal(digestOf(Buffer.from('')), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
