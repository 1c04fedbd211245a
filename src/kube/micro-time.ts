/**
 * metav1.MicroTime on the wire: RFC 3339 in UTC with exactly six fractional
 * digits (apimachinery `RFC3339Micro`, "2006-01-02T15:04:05.000000Z07:00").
 * The API server refuses events.k8s.io/v1 `eventTime` and Lease times with
 * any other precision, and client-node's serializer sends JavaScript's three
 * digits, so bob formats these itself and sends them as plain JSON strings.
 */

/** `ms` since the epoch as a MicroTime string, e.g. `2024-05-01T10:00:00.123000Z`. */
export function toMicroTime(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError('toMicroTime: time is not finite');
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString();
  // toISOString always ends in `.sssZ`; the microseconds below a millisecond are zero.
  return `${iso.slice(0, -1)}000Z`;
}

// RFC 3339 date-time as the API server writes metav1.Time and MicroTime.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of a metav1.Time or MicroTime, or undefined when it does not parse. */
export function parseKubeTime(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const base = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (Number.isNaN(base)) return undefined;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return base + millis - offsetMinutes * 60_000;
}
