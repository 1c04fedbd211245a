/**
 * archive/: deterministic tar.gz packing and safe extraction. Knows nothing
 * of OCI or Kubernetes; the only module that imports tar-stream. Every
 * failure is a BobError with an ARCHIVE_* code (see ArchiveErrorCode);
 * hostile or malformed content is 'stalling'.
 */
export { packArchive, digestArchive } from './pack.ts';
export type { PackOptions, PackSummary, PackedArchive } from './pack.ts';
export { extractArchive } from './extract.ts';
export type { ExtractOptions, ExtractSummary } from './extract.ts';
export type { ExpectedBlob } from './expected-blob.ts';
export { removeStaleStaging } from './staging.ts';
export { listTree, diffTrees } from './tree.ts';
export type { TreeDiff, TreeEntry, TreeListing } from './tree.ts';
export { DEFAULT_EXTRACT_LIMITS } from './limits.ts';
export type { ExtractLimits } from './limits.ts';
export { compileIgnore, parseIgnoreFile } from './ignore.ts';
export type { IgnoreMatcher } from './ignore.ts';
export { SOURCE_IGNORE_FILE } from './source-ignore.ts';
export type { IgnoreOptions } from './source-ignore.ts';
export type { WalkOptions } from './walk.ts';
export {
  CI_IGNORE_PATTERNS,
  DEFAULT_IGNORE_PATTERNS,
  EXTENSION_IGNORE_PATTERNS,
  EXTRA_IGNORE_PATTERNS,
  VCS_IGNORE_PATTERNS,
} from './ignore-defaults.ts';
export type { ArchiveErrorCode } from './errors.ts';
