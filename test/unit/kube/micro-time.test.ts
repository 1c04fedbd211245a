import assert from 'node:assert/strict';
import { parseKubeTime, toMicroTime } from '../../../src/kube/index.ts';

describe('kube/micro-time', () => {
  it('formats a MicroTime with exactly six fractional digits in UTC', () => {
    const ms = Date.UTC(2024, 4, 1, 10, 0, 0, 123);
    assert.equal(toMicroTime(ms), '2024-05-01T10:00:00.123000Z');
    assert.equal(toMicroTime(Date.UTC(2024, 0, 1)), '2024-01-01T00:00:00.000000Z');
    // Sub-millisecond input is truncated, never rounded up into the next millisecond.
    assert.equal(toMicroTime(ms + 0.9), '2024-05-01T10:00:00.123000Z');
    assert.match(toMicroTime(Date.now()), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('refuses a time that is not finite', () => {
    assert.throws(() => toMicroTime(Number.NaN), RangeError);
  });

  it('parses metav1.Time and MicroTime, with zone offsets', () => {
    const ms = Date.UTC(2024, 4, 1, 10, 0, 0, 123);
    assert.equal(parseKubeTime('2024-05-01T10:00:00.123456Z'), ms);
    assert.equal(parseKubeTime(toMicroTime(ms)), ms);
    assert.equal(parseKubeTime('2024-05-01T10:00:00Z'), ms - 123);
    assert.equal(parseKubeTime('2024-05-01T12:00:00.123+02:00'), ms);
    assert.equal(parseKubeTime('2024-05-01T09:30:00.123-00:30'), ms);
  });

  it('returns undefined for text that is not RFC 3339', () => {
    for (const text of ['', '2024-05-01', '2024-05-01 10:00:00Z', '2024-05-01T10:00:00', 'yesterday', '2024-05-01T10:00:00.Z']) {
      assert.equal(parseKubeTime(text), undefined, text);
    }
  });
});
