/**
 * Revisions and refs (research/flux.md §2.1, §4.1 step 6): the revision of
 * a tag or semver ref is `<tag>@<manifest digest>`, of a digest ref just the
 * digest (RFC-0005 format). Which ref applies: digest > semver > tag > latest.
 */
import { DEFAULT_TAG } from './constants.ts';
import type { OCIRepositoryRef, Pattern } from './types.ts';

/** What to resolve: a pinned digest, the highest tag in a semver range, or one tag. */
export type ArtifactRef =
  | { readonly kind: 'digest'; readonly digest: string }
  | { readonly kind: 'semver'; readonly semver: string; readonly range: string; readonly filter?: Pattern }
  | { readonly kind: 'tag'; readonly tag: string };

/** The ref that spec.ref selects, by Flux's precedence (`getArtifactRef`). */
export function toArtifactRef(ref: OCIRepositoryRef | undefined): ArtifactRef {
  if (ref?.digest !== undefined) return { kind: 'digest', digest: ref.digest };
  if (ref?.semver !== undefined && ref.semverRange !== undefined) {
    return {
      kind: 'semver',
      semver: ref.semver,
      range: ref.semverRange,
      ...(ref.semverFilter === undefined ? {} : { filter: ref.semverFilter }),
    };
  }
  return { kind: 'tag', tag: ref?.tag ?? DEFAULT_TAG };
}

/** `<tag>@<digest>`, or `<digest>` when the ref was a digest (no tag). */
export function toRevision(tag: string | undefined, digest: string): string {
  return tag === undefined ? digest : `${tag}@${digest}`;
}

/** The manifest digest of a revision: the text after the last `@` (Flux `digestFromRevision`). */
export function toRevisionDigest(revision: string): string {
  return revision.slice(revision.lastIndexOf('@') + 1);
}
