/**
 * Wire constants of the Notary Project signature specification
 * (specifications: signature-specification.md, signature-envelope-jws.md,
 * signature-envelope-cose.md; research/signatures.md §6.1–6.4).
 */

/** artifactType (or legacy config mediaType) of a signature manifest. */
export const NOTATION_SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
/** Layer media type of a JWS envelope. */
export const NOTATION_JWS_MEDIA_TYPE = 'application/jose+json';
/** Layer media type of a COSE_Sign1 envelope. */
export const NOTATION_COSE_MEDIA_TYPE = 'application/cose';
/** Content type every envelope must declare for its payload. */
export const NOTATION_PAYLOAD_MEDIA_TYPE = 'application/vnd.cncf.notary.payload.v1+json';

/** Manifest annotation: JSON array of the chain's SHA-256 thumbprints (hex). */
export const THUMBPRINT_ANNOTATION = 'io.cncf.notary.x509chain.thumbprint#S256';
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';

export const HEADER_SIGNING_SCHEME = 'io.cncf.notary.signingScheme';
export const HEADER_SIGNING_TIME = 'io.cncf.notary.signingTime';
export const HEADER_AUTHENTIC_SIGNING_TIME = 'io.cncf.notary.authenticSigningTime';
export const HEADER_EXPIRY = 'io.cncf.notary.expiry';
export const HEADER_SIGNING_AGENT = 'io.cncf.notary.signingAgent';
export const HEADER_TIMESTAMP_SIGNATURE = 'io.cncf.notary.timestampSignature';
/** Plugin headers: a signature naming a verification plugin needs that plugin, which bob does not run. */
export const HEADER_VERIFICATION_PLUGIN = 'io.cncf.notary.verificationPlugin';
export const HEADER_VERIFICATION_PLUGIN_MIN_VERSION = 'io.cncf.notary.verificationPluginMinVersion';

export const SIGNING_SCHEME_X509 = 'notary.x509';
export const SIGNING_SCHEME_SIGNING_AUTHORITY = 'notary.x509.signingAuthority';
export type SigningScheme = typeof SIGNING_SCHEME_X509 | typeof SIGNING_SCHEME_SIGNING_AUTHORITY;

/** notation-go registry/repository.go limits. */
export const MAX_SIGNATURE_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_SIGNATURE_ENVELOPE_BYTES = 32 * 1024 * 1024;
/** notation's --max-signatures default. */
export const DEFAULT_MAX_SIGNATURE_ATTEMPTS = 100;
