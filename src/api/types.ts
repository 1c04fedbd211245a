/**
 * The OCIRepository as the controller sees it after parseOCIRepository:
 * defaults applied, durations and patterns already parsed, every field
 * valid. Status shapes follow Flux's v1 status (research/flux.md §2.1).
 */
import type { LayerOperation, OCIProvider } from './constants.ts';

/** A Go duration as written, and its value. */
export interface Duration {
  readonly text: string;
  readonly milliseconds: number;
}

/** A Go RE2 pattern as written, and its JavaScript equivalent (no g/y flags: `test` is stateless). */
export interface Pattern {
  readonly text: string;
  readonly regexp: RegExp;
}

/** A Secret or ServiceAccount in the object's namespace. */
export interface LocalObjectReference {
  readonly name: string;
}

/** spec.ref as written; toArtifactRef applies the precedence digest > semver > tag > latest. */
export interface OCIRepositoryRef {
  readonly digest?: string;
  /** The semver range as written (Masterminds syntax). */
  readonly semver?: string;
  /** The same range in node-semver syntax, ready for `semver.maxSatisfying`. */
  readonly semverRange?: string;
  /** Applied to the tag list before semver matching. */
  readonly semverFilter?: Pattern;
  readonly tag?: string;
}

/** Which layer to take and what to do with it; `operation` defaulted to extract. */
export interface LayerSelector {
  readonly mediaType?: string;
  readonly operation: LayerOperation;
}

/** One accepted keyless signer: both regexps must match (OR across entries). */
export interface OIDCIdentityMatch {
  readonly issuer: Pattern;
  readonly subject: Pattern;
}

/** An in-toto predicate type that must be attested and verified. */
export interface AttestationRequirement {
  readonly predicateType: string;
}

/** cosign with the public keys (`*.pub`) of verify.secretRef. */
export interface CosignKeyVerification {
  readonly provider: 'cosign';
  readonly keyless: false;
  readonly secretRef: LocalObjectReference;
  readonly trustedRootSecretRef?: LocalObjectReference;
  readonly attestations: readonly AttestationRequirement[];
}

/** cosign keyless: a Fulcio certificate whose identity matches one entry (never "anyone"). */
export interface CosignKeylessVerification {
  readonly provider: 'cosign';
  readonly keyless: true;
  /** Never empty. */
  readonly matchOIDCIdentity: readonly OIDCIdentityMatch[];
  /** `trusted_root.json` for a private Sigstore; the public-good root otherwise. */
  readonly trustedRootSecretRef?: LocalObjectReference;
  readonly attestations: readonly AttestationRequirement[];
}

/** notation with `trustpolicy.json` and CA certificates from the Secret. */
export interface NotationVerification {
  readonly provider: 'notation';
  readonly secretRef: LocalObjectReference;
}

/** containers-policy.json with optional `registries.d` and the key files its keyPaths name. */
export interface PolicyVerification {
  readonly provider: 'policy';
  readonly secretRef: LocalObjectReference;
}

export type VerificationSpec = CosignKeyVerification | CosignKeylessVerification | NotationVerification | PolicyVerification;

export interface OCIRepositorySpec {
  /** `oci://host[:port]/repository` as written. */
  readonly url: string;
  /** The host[:port] part of url. */
  readonly registry: string;
  /** The repository path of url. */
  readonly repository: string;
  readonly ref?: OCIRepositoryRef;
  readonly layerSelector?: LayerSelector;
  readonly provider: OCIProvider;
  readonly secretRef?: LocalObjectReference;
  readonly serviceAccountName?: string;
  readonly certSecretRef?: LocalObjectReference;
  readonly proxySecretRef?: LocalObjectReference;
  readonly insecure: boolean;
  readonly interval: Duration;
  readonly timeout: Duration;
  readonly ignore?: string;
  readonly suspend: boolean;
  readonly verify?: VerificationSpec;
}

/** The subset of ObjectMeta the controller uses. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  /** 0 when absent (an object that never reached the API server). */
  readonly generation: number;
  readonly resourceVersion?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly finalizers: readonly string[];
  readonly deletionTimestamp?: string;
  readonly creationTimestamp?: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition. */
export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly observedGeneration?: number;
  /** RFC 3339, second precision. */
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

/** Flux meta.Artifact: the stored file, not the OCI manifest. */
export interface Artifact {
  /** `<tag>@sha256:<hex>` or `sha256:<hex>` (toRevision). */
  readonly revision: string;
  /** Digest of the stored file. */
  readonly digest: string;
  /** Relative to the storage root. */
  readonly path: string;
  readonly url: string;
  readonly size?: number;
  /** RFC 3339. */
  readonly lastUpdateTime: string;
  /** The OCI manifest annotations, verbatim. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** An observed layer selector, exactly as recorded. */
export interface ObservedLayerSelector {
  readonly mediaType?: string;
  readonly operation?: LayerOperation;
}

export interface OCIRepositoryStatus {
  /** -1 until the first successful or stalled reconcile (the CRD default). */
  readonly observedGeneration: number;
  readonly conditions: readonly Condition[];
  /** URL of the `latest` link to the current artifact. */
  readonly url?: string;
  readonly artifact?: Artifact;
  readonly observedIgnore?: string;
  readonly observedLayerSelector?: ObservedLayerSelector;
  readonly lastHandledReconcileAt?: string;
}

export interface OCIRepository {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly spec: OCIRepositorySpec;
  readonly status: OCIRepositoryStatus;
}
