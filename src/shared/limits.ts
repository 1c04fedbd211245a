/**
 * Byte and count limits for everything a server or an archive can make us
 * read. Figures follow research/reliability.md §2; every cap is enforced on
 * bytes actually read, never only on declared sizes.
 */
export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;

export const DEFAULT_LIMITS = {
  /** Manifests and indexes (oras-go MaxMetadataBytes, containers/image). */
  manifestBytes: 4 * MIB,
  /** Config blobs are parsed as JSON, so they get the same cap as manifests. */
  configBytes: 4 * MIB,
  /** Token server responses (oras-go). */
  tokenBytes: 128 * KIB,
  /** Error bodies kept for messages (ggcr). */
  errorBodyBytes: 64 * KIB,
  /** Tag list and referrers pages followed through `Link`. */
  pages: 20,
  /** HTTP redirects followed per request. */
  redirects: 5,
} as const;

export type Limits = typeof DEFAULT_LIMITS;
