/**
 * spec.ref.semver is a Masterminds/semver constraint in Flux; bob matches
 * tags with node-semver. The two agree on `^ ~ x * - < <= > >= = ||` and a
 * leading `v`; Masterminds also takes `,` as AND, which becomes node-semver's
 * space. `!=` has no node-semver form, so it is refused rather than
 * approximated.
 */
import semver from 'semver';

/** The node-semver range for a Masterminds constraint, or why there is none. */
export type SemverRangeResult = { readonly range: string } | { readonly error: string };

/** Converts and checks a semver constraint. */
export function toSemverRange(constraint: string): SemverRangeResult {
  if (constraint.trim() === '') return { error: 'must not be empty' };
  if (constraint.includes('!=')) return { error: "'!=' is not supported; express the range with < and > instead" };
  const range = semver.validRange(constraint.replaceAll(',', ' '));
  if (range === null) return { error: 'must be a valid semver range (e.g. ">=1.0.0 <2.0.0", "^1.2", "1.x")' };
  return { range };
}
