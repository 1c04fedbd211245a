/**
 * A parsed containers-policy.json(5) (research/signatures.md §1.1-§1.4).
 * Plain data: key files stay paths until evaluation reads them through
 * the caller's TrustedKeyReader. Every node keeps `at`, its JSON path in
 * the policy, so broken trust material can be named precisely.
 */

/** `signedIdentity` (PolicyReferenceMatch). */
export type SignedIdentity =
  | { readonly type: 'matchExact' }
  | { readonly type: 'matchRepoDigestOrExact' }
  | { readonly type: 'matchRepository' }
  | { readonly type: 'exactReference'; readonly dockerReference: string }
  | { readonly type: 'exactRepository'; readonly dockerRepository: string }
  | { readonly type: 'remapIdentity'; readonly prefix: string; readonly signedPrefix: string };

export type SignedIdentityType = SignedIdentity['type'];

/** Trust material given either as a path (read through the TrustedKeyReader) or inline (already base64-decoded). */
export type KeySource =
  | { readonly kind: 'path'; readonly path: string; readonly at: string }
  | { readonly kind: 'data'; readonly data: Uint8Array; readonly at: string };

export type SignedByKeyType = 'GPGKeys' | 'signedByGPGKeys' | 'X509Certificates' | 'signedByX509CAs';

export interface SignedByRequirement {
  readonly type: 'signedBy';
  readonly at: string;
  readonly keyType: SignedByKeyType;
  /** From keyPath, keyPaths (possibly empty, as upstream allows) or keyData; merged into one keyring. */
  readonly keys: readonly KeySource[];
  readonly signedIdentity: SignedIdentity;
}

export interface FulcioTrust {
  readonly at: string;
  readonly ca: KeySource;
  readonly oidcIssuer: string;
  readonly subjectEmail: string;
}

export interface PkiTrust {
  readonly at: string;
  readonly caRoots: KeySource;
  readonly caIntermediates?: KeySource;
  readonly subjectEmail?: string;
  readonly subjectHostname?: string;
}

export interface SigstoreSignedRequirement {
  readonly type: 'sigstoreSigned';
  readonly at: string;
  /** Exactly one of publicKeys (keyPath/keyPaths/keyData/keyDatas, non-empty), fulcio, pki. */
  readonly publicKeys?: readonly KeySource[];
  readonly fulcio?: FulcioTrust;
  readonly pki?: PkiTrust;
  /** Rekor public keys (rekorPublicKeyPath/Paths/Data/Datas); required with fulcio, forbidden with pki. */
  readonly rekorPublicKeys?: readonly KeySource[];
  readonly signedIdentity: SignedIdentity;
}

export type PolicyRequirement =
  | { readonly type: 'insecureAcceptAnything'; readonly at: string }
  | { readonly type: 'reject'; readonly at: string }
  | SignedByRequirement
  | { readonly type: 'signedBaseLayer'; readonly at: string; readonly baseLayerIdentity: SignedIdentity }
  | SigstoreSignedRequirement;

/** A non-empty list of requirements that must all allow the image. */
export type PolicyRequirements = readonly PolicyRequirement[];

export interface Policy {
  readonly default: PolicyRequirements;
  /** transport name → scope → requirements. Only `docker` is ever consulted by bob. */
  readonly transports: ReadonlyMap<string, ReadonlyMap<string, PolicyRequirements>>;
}
