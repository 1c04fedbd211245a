/**
 * Names and defaults of the OCIRepository API (research/flux.md §1). The
 * group is bob's own; everything else mirrors Flux's
 * source.toolkit.fluxcd.io/v1 OCIRepository so that manifests port over.
 */

export const GROUP = 'source.k8sstormcenter.io';
export const VERSION = 'v1alpha1';
/** `group/version`, the apiVersion of every object of this API. */
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'OCIRepository';
export const LIST_KIND = 'OCIRepositoryList';
export const PLURAL = 'ocirepositories';
export const SINGULAR = 'ocirepository';
export const SHORT_NAME = 'ocirepo';

/** Held while stored artifacts exist; removed after garbage collection on delete (flux.md §4.1 step 2). */
export const FINALIZER = `${GROUP}/finalizer`;

/** Flux's manual trigger (`flux reconcile`, notification-controller Receivers; flux.md §4.5). */
export const FLUX_REQUESTED_AT_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';
/** bob's own manual trigger; either annotation changing requests a reconcile. */
export const REQUESTED_AT_ANNOTATION = `${GROUP}/requestedAt`;
/** Both trigger annotations, bob's first. */
export const REQUESTED_AT_ANNOTATIONS = [REQUESTED_AT_ANNOTATION, FLUX_REQUESTED_AT_ANNOTATION] as const;

/** The URL scheme of spec.url (Flux `OCIRepositoryPrefix`). */
export const OCI_URL_PREFIX = 'oci://';

export const OCI_PROVIDERS = ['generic', 'aws', 'azure', 'gcp'] as const;
/** Cloud auth provider of spec.provider (flux.md §4.8). */
export type OCIProvider = (typeof OCI_PROVIDERS)[number];
export const DEFAULT_PROVIDER: OCIProvider = 'generic';

export const LAYER_OPERATIONS = ['extract', 'copy'] as const;
/** `extract` untars the selected layer, `copy` stores the blob as-is (flux.md §1.2). */
export type LayerOperation = (typeof LAYER_OPERATIONS)[number];
export const DEFAULT_LAYER_OPERATION: LayerOperation = 'extract';

export const VERIFICATION_PROVIDERS = ['cosign', 'notation', 'policy'] as const;
/** spec.verify.provider; `policy` (containers-policy.json) is bob's own. */
export type VerificationProvider = (typeof VERIFICATION_PROVIDERS)[number];
export const DEFAULT_VERIFICATION_PROVIDER: VerificationProvider = 'cosign';

/** The tag used when spec.ref names none (go-containerregistry `name.DefaultTag`). */
export const DEFAULT_TAG = 'latest';
/** spec.timeout when unset (Flux CRD default). */
export const DEFAULT_TIMEOUT = '60s';

/**
 * Bounds on durations, bob's choice (Flux has none; research/reliability.md
 * §6 row 36, CVE-2022-39272): an interval under a second polls a registry
 * in a hot loop, one over a year is a typo; the per-reconcile deadline is at
 * most 10 minutes (reliability.md §2).
 */
export const DURATION_BOUNDS = {
  interval: { min: '1s', max: '8760h', minMs: 1_000, maxMs: 8760 * 3_600_000 },
  timeout: { min: '1s', max: '10m', minMs: 1_000, maxMs: 600_000 },
} as const;

/** Caps that keep the CRD's CEL cost bounded; the parser enforces the same. */
export const SPEC_LIMITS = {
  /** `oci://` plus a distribution name of at most 255 characters. */
  urlLength: 261,
  /** Secret and service account names: DNS-1123 subdomains. */
  nameLength: 253,
  patternLength: 1024,
  semverLength: 256,
  mediaTypeLength: 255,
  predicateTypeLength: 1024,
  identities: 32,
  attestations: 16,
} as const;
