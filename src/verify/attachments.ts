/**
 * Reading signatures and attestations out of a registry, with every count
 * and size capped before anything is allocated (cosign CVE-2023-46737,
 * CVE-2024-29902, CVE-2024-29903; research/reliability.md §6 row 27).
 *
 * Two layouts exist:
 * - tag attachments: cosign's `<alg>-<hex>.sig|.att|.sbom` tag in the
 *   subject's repository, an image manifest with one layer per signature
 *   (cosign specs/SIGNATURE_SPEC.md);
 * - referrers: image manifests whose `subject` is the signed manifest,
 *   found by the OCI 1.1 referrers API or its tag fallback
 *   (distribution-spec §"Listing Referrers"), classified by artifactType.
 */
import { digestAlgorithm, digestOf, isBobError } from '../shared/index.ts';
import {
  OCI_MANIFEST, toArtifactType, type Descriptor, type FetchedManifest, type ImageManifest, type Repository,
} from '../oci/index.ts';
import { decodeStandardBase64 } from './base64.ts';
import { RejectionError } from './errors.ts';
import type { VerificationContext, VerificationSubject } from './types.ts';

/** One layer of a signature manifest with its bytes, digest- and size-checked by the client. */
export interface AttachmentLayer {
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
}

export interface TagAttachment {
  /** e.g. `sha256-<hex>.sig`. */
  readonly tag: string;
  readonly manifest: FetchedManifest;
  readonly layers: readonly Descriptor[];
}

export type TagAttachmentKind = 'sig' | 'att' | 'sbom';

/** cosign's tag for an attachment: `<alg>-<encoded>.<kind>` (SIGNATURE_SPEC.md §"Tag"). */
export function toAttachmentTag(digest: string, kind: TagAttachmentKind): string {
  return `${digest.replace(':', '-')}.${kind}`;
}

function repositoryOf(subject: VerificationSubject): Repository {
  return { registry: subject.reference.registry, repository: subject.reference.repository };
}

function isAbsent(error: unknown): boolean {
  return isBobError(error, 'MANIFEST_UNKNOWN') || isBobError(error, 'NAME_UNKNOWN');
}

/**
 * The tag attachment of `kind` for the subject's digest, or undefined when
 * no such tag exists. An attachment manifest must be an OCI image manifest
 * (containers/image refuses anything else at that tag) with at most
 * `limits.signatureLayers` layers.
 */
export async function fetchTagAttachment(
  subject: VerificationSubject, kind: TagAttachmentKind, context: VerificationContext,
  repository: Repository = repositoryOf(subject),
): Promise<TagAttachment | undefined> {
  const tag = toAttachmentTag(subject.descriptor.digest, kind);
  let fetched: FetchedManifest;
  try {
    fetched = await context.client.fetchManifest({ ...repository, tag }, { signal: context.signal });
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw error;
  }
  if (fetched.manifest.kind !== 'manifest' || fetched.descriptor.mediaType !== OCI_MANIFEST) {
    throw new RejectionError('PAYLOAD_INVALID', `${tag} is a ${fetched.descriptor.mediaType}, not an OCI image manifest`);
  }
  const layers = fetched.manifest.layers;
  if (layers.length > context.limits.signatureLayers) {
    throw new RejectionError(
      'TOO_MANY_SIGNATURES',
      `${tag} has ${String(layers.length)} layers, more than the limit of ${String(context.limits.signatureLayers)}`,
    );
  }
  return { tag, manifest: fetched, layers };
}

/**
 * The bytes of one signature layer or envelope, refused before download when
 * its descriptor claims more than `limits.signatureBytes` (the client also
 * stops at that many bytes actually read).
 */
export async function fetchSignatureBlob(
  repository: Repository, descriptor: Descriptor, context: VerificationContext,
): Promise<Uint8Array> {
  if (descriptor.size > context.limits.signatureBytes) {
    throw new RejectionError(
      'SIGNATURE_TOO_LARGE',
      `signature blob ${descriptor.digest} is ${String(descriptor.size)} bytes, more than the limit of ${String(context.limits.signatureBytes)}`,
    );
  }
  if (descriptor.data !== undefined) {
    // Embedded content (image-spec descriptor.md): checked against size and digest like a fetched blob.
    const bytes = decodeStandardBase64(descriptor.data);
    if (bytes?.length !== descriptor.size || digestOf(bytes, digestAlgorithm(descriptor.digest)) !== descriptor.digest) {
      throw new RejectionError('PAYLOAD_INVALID', `embedded data of ${descriptor.digest} does not match its descriptor`);
    }
    return bytes;
  }
  return context.client.fetchBlobBytes(repository, descriptor, { signal: context.signal, maxBytes: context.limits.signatureBytes });
}

/** A referrer of the subject, its manifest fetched and checked against the listed descriptor. */
export interface ReferrerArtifact {
  readonly descriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly bytes: Uint8Array;
  /** The manifest's artifactType, else its config media type (image-spec manifest.md). */
  readonly artifactType: string;
}

/**
 * Referrers of the subject whose artifact type satisfies `accept`. The
 * listed `artifactType` is a hint only: some writers leave it empty or
 * wrong in fallback indexes (research/signatures.md §7), so a descriptor
 * without a useful one is fetched and classified from its manifest. More
 * than `limits.signatures` accepted referrers is a rejection, not a
 * truncation: the attacker must not choose which ones we look at.
 */
export async function listReferrerArtifacts(
  subject: VerificationSubject, accept: (artifactType: string) => boolean, context: VerificationContext,
): Promise<ReferrerArtifact[]> {
  const repository = repositoryOf(subject);
  let listed: Descriptor[];
  try {
    // The subject was resolved just before verification: a 404 from the API means "no API", not "no subject".
    listed = await context.client.listReferrers(repository, subject.descriptor.digest, { signal: context.signal, subjectExists: true });
  } catch (error) {
    if (isAbsent(error)) return [];
    throw error;
  }
  const candidates = listed.filter((descriptor) => {
    const hinted = descriptor.artifactType;
    return hinted === undefined || hinted === '' || hinted === 'application/vnd.oci.empty.v1+json' || accept(hinted);
  });
  if (candidates.length > context.limits.signatures * 4) {
    throw new RejectionError(
      'TOO_MANY_SIGNATURES',
      `${String(candidates.length)} candidate referrers, more than the limit of ${String(context.limits.signatures * 4)}`,
    );
  }
  const artifacts: ReferrerArtifact[] = [];
  for (const descriptor of candidates) {
    if (descriptor.mediaType !== OCI_MANIFEST) continue;
    if (descriptor.size > context.limits.manifestBytes) continue;
    let fetched: FetchedManifest;
    try {
      fetched = await context.client.fetchManifestByDescriptor(repository, descriptor, { signal: context.signal });
    } catch (error) {
      // A referrer listed but gone (deleted since) is not evidence either way.
      if (isAbsent(error)) continue;
      throw error;
    }
    if (fetched.manifest.kind !== 'manifest') continue;
    const artifactType = toArtifactType(fetched.manifest) ?? '';
    if (!accept(artifactType)) continue;
    // A referrer must name this subject; a fallback index can list anything (distribution-spec §"Referrers Tag Schema").
    if (fetched.manifest.subject?.digest !== subject.descriptor.digest) continue;
    artifacts.push({ descriptor: fetched.descriptor, manifest: fetched.manifest, bytes: fetched.bytes, artifactType });
    if (artifacts.length > context.limits.signatures) {
      throw new RejectionError(
        'TOO_MANY_SIGNATURES',
        `more than ${String(context.limits.signatures)} signatures of type ${artifactType} refer to ${subject.descriptor.digest}`,
      );
    }
  }
  return artifacts;
}

export const DEFAULT_VERIFY_LIMITS = {
  // cosign maxAllowedSigsOrAtts; notation's CLI default --max-signatures.
  signatures: 100,
  signatureLayers: 1000,
  // containers/image MaxSignatureBodySize is 4 MiB; cosign allows 128 MiB, notation envelopes 32 MiB.
  // Attestation predicates (SBOMs) can be large, so bundles and envelopes get notation's 32 MiB.
  signatureBytes: 32 * 1024 * 1024,
  manifestBytes: 4 * 1024 * 1024,
} as const;
