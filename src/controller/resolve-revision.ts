/**
 * Step c (research/flux.md §4.1 steps 6-8): what spec.ref points to now.
 * A digest ref needs no request until something must read the manifest; a
 * tag costs one HEAD; a semver range lists the tags, filters them, takes the
 * highest version and resolves that tag. From here on everything works on
 * the digest, never the tag again (Flux 1.9 "handled strictly by digest").
 */
import semver from 'semver';
import { CONDITION, REASON, toArtifactRef, toRevision, type OCIRepository } from '../api/index.ts';
import type { Descriptor, Reference, RegistryClient } from '../oci/index.ts';
import { StepFailure, wrapMessage } from './step-failure.ts';

/** The revision to reconcile towards. */
export interface ResolvedRevision {
  /** `<tag>@sha256:…` or `sha256:…` (toRevision). */
  readonly revision: string;
  readonly digest: string;
  /** The tag that was resolved, if the ref was not a digest. */
  readonly tag?: string;
  /** The reference verification reads identity rules from: the tag as written, or the digest. */
  readonly reference: Reference;
  /** The manifest descriptor as the registry served it; undefined for a digest ref until describe() ran. */
  readonly descriptor?: Descriptor;
}

/** Flux `version.ParseVersion`: three numeric parts, an optional leading `v`, optional pre-release and build. */
const VERSION_TAG = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The highest tag in `tags` that parses as a version and satisfies `range` after `filter`; undefined if none. */
export function selectSemverTag(tags: readonly string[], range: string, filter?: RegExp): string | undefined {
  let best: { tag: string; version: semver.SemVer } | undefined;
  for (const tag of tags) {
    if (filter !== undefined && !filter.test(tag)) continue;
    if (!VERSION_TAG.test(tag)) continue;
    const version = semver.parse(tag);
    if (version === null || !semver.satisfies(version, range)) continue;
    // On equal versions (v1.0.0 and 1.0.0) the first listed wins, deterministically.
    if (best === undefined || semver.gt(version, best.version)) best = { tag, version };
  }
  return best?.tag;
}

function pullFailure(message: string, cause: unknown): StepFailure {
  return new StepFailure({ condition: CONDITION.fetchFailed, reason: REASON.ociArtifactPullFailed, message, cause });
}

/** Resolves spec.ref with `client`. Throws a StepFailure on FetchFailed (ReadOperationFailed / OCIArtifactPullFailed). */
export async function resolveRevision(object: OCIRepository, client: RegistryClient, signal: AbortSignal): Promise<ResolvedRevision> {
  const { registry, repository, url } = object.spec;
  const ref = toArtifactRef(object.spec.ref);
  if (ref.kind === 'digest') {
    return { revision: toRevision(undefined, ref.digest), digest: ref.digest, reference: { registry, repository, digest: ref.digest } };
  }
  let tag: string;
  if (ref.kind === 'semver') {
    let tags: string[];
    try {
      tags = await client.listTags({ registry, repository }, { signal });
    } catch (error) {
      throw new StepFailure({
        condition: CONDITION.fetchFailed, reason: REASON.readOperationFailed,
        message: wrapMessage(`failed to determine the artifact tag for '${url}'`, error), cause: error,
      });
    }
    const selected = selectSemverTag(tags, ref.range, ref.filter?.regexp);
    if (selected === undefined) {
      throw new StepFailure({
        condition: CONDITION.fetchFailed, reason: REASON.readOperationFailed,
        message: `failed to determine the artifact tag for '${url}': no match found for semver: ${ref.semver}`,
      });
    }
    tag = selected;
  } else {
    tag = ref.tag;
  }
  const reference: Reference = { registry, repository, tag };
  let descriptor: Descriptor;
  try {
    descriptor = await client.resolve(reference, { signal });
  } catch (error) {
    throw pullFailure(wrapMessage('failed to determine artifact digest', error), error);
  }
  return { revision: toRevision(tag, descriptor.digest), digest: descriptor.digest, tag, reference, descriptor };
}

/**
 * The manifest descriptor (media type and size) of a digest ref, which
 * verification needs: one HEAD, whose answer must be that digest.
 */
export async function describeRevision(
  resolved: ResolvedRevision, client: RegistryClient, signal: AbortSignal,
): Promise<ResolvedRevision & { readonly descriptor: Descriptor }> {
  if (resolved.descriptor !== undefined) return { ...resolved, descriptor: resolved.descriptor };
  try {
    const descriptor = await client.resolve(resolved.reference, { signal });
    return { ...resolved, descriptor };
  } catch (error) {
    throw pullFailure(wrapMessage('failed to determine artifact digest', error), error);
  }
}
