import assert from 'node:assert/strict';
import { parseGoDuration, parseGoDurationNanoseconds } from '../../../src/api/index.ts';

// Expected values are Go's time.ParseDuration results (go/src/time/time_test.go cases and our own).
const GOOD: [string, bigint][] = [
  ['0', 0n],
  ['5s', 5_000_000_000n],
  ['30s', 30_000_000_000n],
  ['1478s', 1_478_000_000_000n],
  ['-5s', -5_000_000_000n],
  ['+5s', 5_000_000_000n],
  ['-0', 0n],
  ['+0', 0n],
  ['5.0s', 5_000_000_000n],
  ['5.6s', 5_600_000_000n],
  ['5.s', 5_000_000_000n],
  ['.5s', 500_000_000n],
  ['1.0s', 1_000_000_000n],
  ['1.00s', 1_000_000_000n],
  ['1.004s', 1_004_000_000n],
  ['1.0040s', 1_004_000_000n],
  ['100.00100s', 100_001_000_000n],
  ['10ns', 10n],
  ['11us', 11_000n],
  ['12\u00b5s', 12_000n],
  ['12\u03bcs', 12_000n],
  ['13ms', 13_000_000n],
  ['14s', 14_000_000_000n],
  ['15m', 900_000_000_000n],
  ['16h', 57_600_000_000_000n],
  ['3h30m', 12_600_000_000_000n],
  ['10.5s4m', 250_500_000_000n],
  ['-2m3.4s', -123_400_000_000n],
  ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
  ['39h9m14.425s', 140_954_425_000_000n],
  ['52763797000ns', 52_763_797_000n],
  ['0.3333333333333333333h', 1_200_000_000_000n],
  ['9007199254740993ns', 9_007_199_254_740_993n],
  ['9223372036854775807ns', 9_223_372_036_854_775_807n],
  ['9223372036854775.807us', 9_223_372_036_854_775_807n],
  ['9223372036s854ms775us807ns', 9_223_372_036_854_775_807n],
  ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
  ['-9223372036854775.808us', -9_223_372_036_854_775_808n],
  ['0.100000000000000000000h', 360_000_000_000n],
  ['0.830103483285477580700h', 2_988_372_539_827n],
  ['10m0s', 600_000_000_000n],
];

const BAD = [
  '', '3', '-', 's', '.', '-.', '.s', '+.s', '1d', '\x85\x85', '\xffff', 'hello \xffff world', '1.5.h', '5 s', '5S',
  '9223372036854775810ns', '9223372036854775808ns', '-9223372036854775809ns', '9223372036854775.808us',
  '9223372036854ms775us808ns', '3000000h', '99999999999h',
];

describe('api: Go durations', () => {
  for (const [text, nanoseconds] of GOOD) {
    it(`parses ${JSON.stringify(text)} as Go does`, () => {
      assert.equal(parseGoDurationNanoseconds(text), nanoseconds);
    });
  }
  for (const text of BAD) {
    it(`refuses ${JSON.stringify(text)} as Go does`, () => {
      assert.equal(parseGoDurationNanoseconds(text), undefined);
      assert.equal(parseGoDuration(text), undefined);
    });
  }
  it('gives milliseconds, fractional below one', () => {
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('1.5s'), 1_500);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('1500us'), 1.5);
  });
});
