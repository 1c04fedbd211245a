/**
 * Condition types, reasons and event reasons, with Flux's exact strings
 * (research/flux.md §2.2 and §3) so kstatus, `kubectl wait` and Flux-aware
 * tooling read bob's status the same way. bob-only reasons are marked.
 */

/** Condition types (metav1.Condition `type`). */
export const CONDITION = {
  /** Summary, positive polarity. */
  ready: 'Ready',
  /** Negative: work in progress or being retried. */
  reconciling: 'Reconciling',
  /** Negative: a terminal error that needs a spec change. */
  stalled: 'Stalled',
  /** Positive: an artifact is stored and up to date. */
  artifactInStorage: 'ArtifactInStorage',
  /** Negative: a new upstream revision was seen while an older artifact is stored. */
  artifactOutdated: 'ArtifactOutdated',
  /** Bipolar: present only with spec.verify; False forces Ready=False. */
  sourceVerified: 'SourceVerified',
  /** Negative: auth, resolve, pull or layer failure. */
  fetchFailed: 'FetchFailed',
  /** Negative: filesystem or archive failure. */
  storageOperationFailed: 'StorageOperationFailed',
} as const;

export type ConditionType = (typeof CONDITION)[keyof typeof CONDITION];

/** Condition reasons. */
export const REASON = {
  succeeded: 'Succeeded',
  progressing: 'Progressing',
  progressingWithRetry: 'ProgressingWithRetry',
  newRevision: 'NewRevision',
  verificationError: 'VerificationError',
  authenticationFailed: 'AuthenticationFailed',
  urlInvalid: 'URLInvalid',
  readOperationFailed: 'ReadOperationFailed',
  ociArtifactPullFailed: 'OCIArtifactPullFailed',
  ociArtifactLayerOperationFailed: 'OCIArtifactLayerOperationFailed',
  directoryCreationFailed: 'DirectoryCreationFailed',
  archiveOperationFailed: 'ArchiveOperationFailed',
  statOperationFailed: 'StatOperationFailed',
  invalidPath: 'InvalidPath',
  featureGateDisabled: 'FeatureGateDisabled',
  acquireLockFailed: 'AcquireLockFailed',
  patchOperationFailed: 'PatchOperationFailed',
  invalidProviderConfiguration: 'InvalidProviderConfiguration',
  /**
   * bob only. Stalled: the spec breaks a rule that only the controller can
   * judge (a semver range or RE2 pattern, or a schema the API server did not
   * enforce). URL problems keep Flux's URLInvalid.
   */
  specInvalid: 'SpecInvalid',
  /**
   * bob only. SourceVerified=False: the trust material (keys, trust policy,
   * policy.json, trusted root) is unusable, so nothing was judged; distinct
   * from VerificationError, where a signature was judged and failed.
   */
  verificationConfigInvalid: 'VerificationConfigInvalid',
} as const;

export type ConditionReason = (typeof REASON)[keyof typeof REASON];

/**
 * Event reasons that are not condition reasons (flux.md §3). Failure events
 * use the failing condition's reason; a recovery emits `Succeeded`.
 */
export const EVENT_REASON = {
  newArtifact: 'NewArtifact',
  artifactUpToDate: 'ArtifactUpToDate',
  garbageCollectionSucceeded: 'GarbageCollectionSucceeded',
  garbageCollectionFailed: 'GarbageCollectionFailed',
  artifactVerificationFailed: 'ArtifactVerificationFailed',
  symlinkUpdateFailed: 'SymlinkUpdateFailed',
  succeeded: 'Succeeded',
} as const;

export type EventReason = (typeof EVENT_REASON)[keyof typeof EVENT_REASON];

/**
 * How Ready is summarized (flux.md §2.2, source-controller
 * `ociRepositoryReadyCondition`): `summarize` in priority order (it picks
 * the reason and message inside the winning group), the negative-polarity
 * types, and the bipolar types that force Ready=False when False.
 */
export const READY_SUMMARY = {
  owned: [
    CONDITION.storageOperationFailed, CONDITION.fetchFailed, CONDITION.artifactOutdated, CONDITION.artifactInStorage,
    CONDITION.sourceVerified, CONDITION.ready, CONDITION.reconciling, CONDITION.stalled,
  ],
  summarize: [
    CONDITION.storageOperationFailed, CONDITION.fetchFailed, CONDITION.artifactOutdated, CONDITION.artifactInStorage,
    CONDITION.sourceVerified, CONDITION.stalled, CONDITION.reconciling,
  ],
  negativePolarity: [
    CONDITION.storageOperationFailed, CONDITION.fetchFailed, CONDITION.artifactOutdated, CONDITION.stalled,
    CONDITION.reconciling,
  ],
  biPolarity: [CONDITION.sourceVerified],
} as const satisfies Record<string, readonly ConditionType[]>;
