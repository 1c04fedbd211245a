/**
 * The patterns and messages of the spec's validation rules. The CRD's
 * schema and CEL rules (config/crd/) use the same texts, so the API server
 * and the controller refuse the same objects with the same words;
 * test/unit/api/crd-schema.test.ts checks that they stay in step.
 */
import { DURATION_BOUNDS } from './constants.ts';

/** Flux's duration patterns (kubebuilder markers on Interval and Timeout). */
export const INTERVAL_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
export const TIMEOUT_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$';
/** Secret and ServiceAccount names (DNS-1123 subdomain). */
export const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const TAG_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';
export const DIGEST_PATTERN = '^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$';
/** RFC 6838 type/subtype, no parameters. */
export const MEDIA_TYPE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$';
/** An absolute URI (in-toto predicate types are TypeURIs). */
export const PREDICATE_TYPE_PATTERN = '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+$';

export const MESSAGES = {
  interval: 'must be a duration such as 30s, 5m or 1h30m (units ms, s, m, h)',
  intervalBounds: `must be between ${DURATION_BOUNDS.interval.min} and ${DURATION_BOUNDS.interval.max}`,
  timeout: 'must be a duration such as 30s, 90s or 5m (units ms, s, m)',
  timeoutBounds: `must be between ${DURATION_BOUNDS.timeout.min} and ${DURATION_BOUNDS.timeout.max}`,
  name: "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'",
  tag: 'must be a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}',
  digest: 'must be sha256:<64 lowercase hex> or sha512:<128 lowercase hex>',
  mediaType: 'must be a media type type/subtype (RFC 6838), without parameters',
  predicateType: 'must be an absolute URI such as https://slsa.dev/provenance/v1',
  regexp: 'must be a Go RE2 regular expression',
  semverFilterNeedsSemver: 'semverFilter applies only with semver; set spec.ref.semver or remove semverFilter',
  notationNeedsSecret: 'notation verification needs secretRef: a Secret with trustpolicy.json and the CA certificates (*.crt, *.pem)',
  policyNeedsSecret:
    'policy verification needs secretRef: a Secret with policy.json, optionally registries.d, and the key files its keyPaths name',
  keylessNeedsIdentity:
    'cosign keyless verification (no secretRef) needs at least one matchOIDCIdentity entry; an empty list would accept any signer',
  identityOnlyKeyless: 'matchOIDCIdentity applies only to cosign keyless verification (provider cosign without secretRef)',
  trustedRootOnlyCosign: 'trustedRootSecretRef applies only to provider cosign',
  attestationsOnlyCosign: 'attestations are verified only by provider cosign',
} as const;
