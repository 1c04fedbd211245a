/**
 * Go's time.ParseDuration, exactly: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with
 * units ns, us (µs, μs), ms, s, m, h, or the bare "0"; values beyond
 * ±2^63-1 ns are errors. Flux reads spec.interval and spec.timeout with it
 * (metav1.Duration), so bob accepts the same texts with the same values.
 * Nanoseconds are counted in bigint so rounding matches Go's uint64 sums.
 */

const UNIT_NANOSECONDS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n],
  ['\u03bcs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);
const MAX_MAGNITUDE = 1n << 63n;

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/**
 * Nanoseconds of a Go duration text, or undefined when Go would refuse it
 * (bad syntax, unknown unit, overflow).
 */
export function parseGoDurationNanoseconds(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    if (!(rest.startsWith('.') || isDigit(rest[0]))) return undefined;
    // Integer part (Go leadingInt: overflow beyond 2^63 is an error).
    let index = 0;
    let whole = 0n;
    while (isDigit(rest[index])) {
      if (whole > MAX_MAGNITUDE / 10n) return undefined;
      whole = whole * 10n + BigInt(rest.charCodeAt(index) - 48);
      if (whole > MAX_MAGNITUDE) return undefined;
      index++;
    }
    const hasWhole = index > 0;
    rest = rest.slice(index);
    // Fraction (Go leadingFraction: digits past overflow are ignored).
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      let overflow = false;
      index = 0;
      while (isDigit(rest[index])) {
        if (!overflow) {
          const next = fraction * 10n + BigInt(rest.charCodeAt(index) - 48);
          if (fraction > (MAX_MAGNITUDE - 1n) / 10n || next > MAX_MAGNITUDE) overflow = true;
          else {
            fraction = next;
            scale *= 10;
          }
        }
        index++;
      }
      hasFraction = index > 0;
      rest = rest.slice(index);
    }
    if (!hasWhole && !hasFraction) return undefined;
    index = 0;
    while (index < rest.length && rest[index] !== '.' && !isDigit(rest[index])) index++;
    const unit = UNIT_NANOSECONDS.get(rest.slice(0, index));
    if (unit === undefined) return undefined;
    rest = rest.slice(index);
    if (whole > MAX_MAGNITUDE / unit) return undefined;
    let value = whole * unit;
    if (fraction > 0n) {
      // Go: v += uint64(float64(f) * (float64(unit) / scale)), truncating.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > MAX_MAGNITUDE) return undefined;
    }
    total += value;
    if (total > MAX_MAGNITUDE) return undefined;
  }
  if (negative) return -total;
  return total > MAX_MAGNITUDE - 1n ? undefined : total;
}

/** Milliseconds (possibly fractional) of a Go duration text, or undefined when Go would refuse it. */
export function parseGoDuration(text: string): number | undefined {
  const nanoseconds = parseGoDurationNanoseconds(text);
  return nanoseconds === undefined ? undefined : Number(nanoseconds) / 1e6;
}
