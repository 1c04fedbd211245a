/**
 * Wire constants of cosign's storage layouts (cosign specs/SIGNATURE_SPEC.md,
 * specs/BUNDLE_SPEC.md; research/signatures.md §4.1, §4.5, §5.1).
 */

/** Layer media type of a legacy `.sig` signature: the layer is the payload. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Layer media type of a legacy `.att` attestation: the layer is a DSSE envelope. */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
/** Artifact type (and layer media type) of a cosign 3 Sigstore bundle referrer. */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Older bundle media types sigstore clients still read. */
export const BUNDLE_MEDIA_TYPES: readonly string[] = [
  BUNDLE_V03_MEDIA_TYPE,
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
];

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const RFC3161_ANNOTATION = 'dev.sigstore.cosign/rfc3161timestamp';
export const PREDICATE_TYPE_ANNOTATION = 'predicateType';

/** `critical.type` of a simple-signing payload cosign writes and accepts. */
export const COSIGN_PAYLOAD_TYPE = 'cosign container image signature';
/** DSSE payload type of in-toto statements. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** in-toto Statement `_type` values (v1 and v0.1). */
export const IN_TOTO_STATEMENT_TYPES: readonly string[] = ['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1'];
/** predicateType of cosign 3's image signature statement (cosign pkg/types/predicate.go). */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

/** Fulcio certificate extensions (fulcio docs/oid-info.md). */
export const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
export const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
export const OID_OTHERNAME_SAN = '1.3.6.1.4.1.57264.1.7';
export const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/** Rejection reason when no signature satisfied the trust (Flux's message). */
export const NO_MATCHING_SIGNATURES = 'no matching signatures were found';

/**
 * `cosign verify-attestation --type` shorthands (cosign options/predicate.go);
 * any other value must be a URI and is used as is.
 */
export const PREDICATE_TYPE_ALIASES: Readonly<Record<string, string>> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
};
