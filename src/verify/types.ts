/**
 * The verification contract shared by every provider. Plain data in (keys,
 * policies, trust roots already read from wherever they live), a verdict out.
 *
 * A provider answers one of three ways:
 * - `verified`: at least one signature satisfied the configured trust; the
 *   verdict names who signed what.
 * - `rejected`: the subject is not trusted; `code` says why in one stable
 *   word, `reason` in one line, `attempts` per signature looked at.
 * - it throws a BobError (VerifyErrorCode CONFIG_INVALID, or an oci error)
 *   when its own inputs are broken or the registry cannot be read: that is
 *   not a judgement on the subject.
 */
import type { Descriptor, Reference, RegistryClient } from '../oci/index.ts';

export type ProviderName = 'cosign' | 'notation' | 'policy';

/** How a signature was stored and encoded. */
export type SignatureFormat =
  | 'cosign-legacy'
  | 'cosign-bundle'
  | 'cosign-attestation'
  | 'notation-jws'
  | 'notation-cose'
  | 'simple-signing'
  | 'sigstore-attachment';

/**
 * What is verified: the exact manifest that will be pulled next. Providers
 * verify `descriptor.digest` and nothing else (ARCHITECTURE.md rule 5).
 */
export interface VerificationSubject {
  /** The repository, and the tag or digest as the user wrote it (policy.json identity rules read it). */
  readonly reference: Reference;
  /** The resolved manifest: mediaType, digest and size as the registry served them. */
  readonly descriptor: Descriptor;
}

/** Caps on what a registry or lookaside server can make a verifier read. */
export interface VerifyLimits {
  /** Signatures (layers, referrers, lookaside entries) examined per subject. */
  readonly signatures: number;
  /** Layers of one signature manifest (cosign CVE-2024-29903: 1000). */
  readonly signatureLayers: number;
  /** One signature payload, envelope or bundle. */
  readonly signatureBytes: number;
  /** One signature manifest. */
  readonly manifestBytes: number;
}

export interface VerificationContext {
  readonly client: RegistryClient;
  readonly signal: AbortSignal;
  /** The time certificates and expiries are judged at, when no signed time applies. */
  readonly now: () => Date;
  readonly limits: VerifyLimits;
  /** Non-fatal findings (notation's "log" actions, ignored attachments); never secrets. */
  readonly warn?: (message: string) => void;
}

/** One signature that satisfied the trust configuration. */
export interface VerifiedSignature {
  readonly format: SignatureFormat;
  /** Who: a key fingerprint, a certificate identity and issuer, a certificate subject, a GPG fingerprint. */
  readonly signer: string;
  /** Where it was found: a tag and layer, a referrer digest, a lookaside URL. */
  readonly source: string;
  /** The signed time when one was proven (timestamp, transparency log). */
  readonly signedAt?: Date;
  /** For attestations: the in-toto predicate type. */
  readonly predicateType?: string;
}

/** Why one signature did not count. */
export interface SignatureAttempt {
  readonly source: string;
  readonly format: SignatureFormat;
  readonly code: RejectionCode;
  readonly reason: string;
}

/**
 * Why a subject was rejected. SIGNATURE_INVALID (the bytes do not verify)
 * and SIGNER_UNTRUSTED (they verify, but not with a key or identity we
 * trust) are deliberately distinct.
 */
export type RejectionCode =
  | 'NO_SIGNATURES'
  | 'SIGNATURE_INVALID'
  | 'SIGNER_UNTRUSTED'
  | 'SUBJECT_MISMATCH'
  | 'IDENTITY_MISMATCH'
  | 'CERTIFICATE_INVALID'
  | 'CERTIFICATE_EXPIRED'
  | 'SIGNATURE_EXPIRED'
  | 'TIMESTAMP_INVALID'
  | 'TLOG_INVALID'
  | 'ATTESTATION_MISSING'
  | 'PAYLOAD_INVALID'
  | 'TOO_MANY_SIGNATURES'
  | 'SIGNATURE_TOO_LARGE'
  | 'POLICY_REJECTED';

export interface Verified {
  readonly outcome: 'verified';
  readonly provider: ProviderName;
  readonly signatures: readonly VerifiedSignature[];
  /** Findings that did not change the outcome (e.g. notation permissive/audit logs). */
  readonly warnings: readonly string[];
}

export interface Rejected {
  readonly outcome: 'rejected';
  readonly provider: ProviderName;
  readonly code: RejectionCode;
  /** One line, safe to show in a condition (cosign: "no matching signatures were found"). */
  readonly reason: string;
  readonly attempts: readonly SignatureAttempt[];
}

export type Verdict = Verified | Rejected;

/** A configured provider: built once from its trust material, asked per subject. */
export interface Verifier {
  readonly provider: ProviderName;
  verify(subject: VerificationSubject, context: VerificationContext): Promise<Verdict>;
}
