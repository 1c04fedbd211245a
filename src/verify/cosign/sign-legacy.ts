/**
 * cosign's legacy signature layout (research/signatures.md §4.1, §4.3;
 * cosign specs/SIGNATURE_SPEC.md): the simple-signing payload
 *   {"critical":{"identity":{"docker-reference":"<registry>/<repo>"},
 *    "image":{"docker-manifest-digest":"<digest>"},"type":"cosign container image signature"},"optional":null}
 * signed as is, stored as one layer of the OCI image manifest tagged
 * `sha256-<hex>.sig` in the subject's repository with the base64 signature
 * in the layer annotation `dev.cosignproject.cosign/signature`. A new
 * signature is appended to the layers already there, and the config is
 * rebuilt the way go-containerregistry's mutate.Append leaves it (one
 * diff_id and one history entry per layer), byte for byte what cosign 2
 * pushes. Like cosign, a payload this key already signed is not added again.
 *
 * Read-modify-write of one tag: two signers racing can lose one signature
 * (cosign has the same window).
 */
import { DOCKER_HUB, OCI_MANIFEST, type Descriptor, type RegistryClient, type Repository } from '../../oci/index.ts';
import { digestOf } from '../../shared/index.ts';
import { fetchTagAttachment, toAttachmentTag, type TagAttachment } from '../attachments.ts';
import { decodeStandardBase64, encodeStandardBase64 } from '../base64.ts';
import { isRejectionError, verifyError } from '../errors.ts';
import { isJsonObject, parseStrictJson } from '../strict-json.ts';
import type { VerificationContext, VerificationSubject } from '../types.ts';
import { COSIGN_PAYLOAD_TYPE, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE } from './constants.ts';
import type { CosignSignature } from './sign-result.ts';
import { isSignedBy, signBytes, type CosignSigner } from './sign-key.ts';

const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
// ggcr's empty image config times: Go's zero time.
const ZERO_TIME = '0001-01-01T00:00:00Z';
// go-containerregistry names Docker Hub repositories `index.docker.io/...` (name.Repository.Name()).
const DOCKER_HUB_NAME = 'index.docker.io';

/** `critical.identity.docker-reference` as cosign writes it: the repository without tag or digest. */
export function toDockerReference(repository: Repository): string {
  const registry = repository.registry === DOCKER_HUB ? DOCKER_HUB_NAME : repository.registry;
  return `${registry}/${repository.repository}`;
}

/** The simple-signing payload cosign signs for `digest` in `repository`, in cosign's byte layout. */
export function toSimpleSigningPayload(repository: Repository, digest: string): Uint8Array {
  // Key order and compact form of Go's encoding/json over sigstore's payload structs.
  const payload = {
    critical: {
      identity: { 'docker-reference': toDockerReference(repository) },
      image: { 'docker-manifest-digest': digest },
      type: COSIGN_PAYLOAD_TYPE,
    },
    optional: null,
  };
  return new TextEncoder().encode(JSON.stringify(payload));
}

/** The image config cosign's signature manifests carry: ggcr's empty config with one diff_id per layer. */
export function toSignatureConfig(layerDigests: readonly string[]): Uint8Array {
  const config = {
    architecture: '',
    created: ZERO_TIME,
    history: layerDigests.map(() => ({ created: ZERO_TIME })),
    os: '',
    rootfs: { type: 'layers', diff_ids: layerDigests },
    config: {},
  };
  return new TextEncoder().encode(JSON.stringify(config));
}

/** The layer entries of an existing signature manifest exactly as written (unknown fields kept). */
function rawLayersOf(attachment: TagAttachment): { layers: unknown[]; annotations?: unknown } {
  const json = parseStrictJson(attachment.manifest.bytes);
  const layers = isJsonObject(json) ? json['layers'] : undefined;
  if (!isJsonObject(json) || !Array.isArray(layers)) {
    throw verifyError('SIGNING_FAILED', `${attachment.tag} has no layers array`, { errorClass: 'stalling' });
  }
  return { layers, ...(json['annotations'] === undefined ? {} : { annotations: json['annotations'] }) };
}

function isSameSignature(layer: Descriptor, payload: Uint8Array, payloadDigest: string, signer: CosignSigner): boolean {
  if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE || layer.digest !== payloadDigest) return false;
  const signature = decodeStandardBase64(layer.annotations?.[SIGNATURE_ANNOTATION] ?? '');
  return signature !== undefined && isSignedBy(signer, payload, signature);
}

async function readExisting(subject: VerificationSubject, context: VerificationContext): Promise<TagAttachment | undefined> {
  try {
    return await fetchTagAttachment(subject, 'sig', context);
  } catch (error) {
    // Never replace signatures we cannot read: the tag may hold someone's valid ones.
    if (isRejectionError(error)) {
      throw verifyError('SIGNING_FAILED', `cannot append to ${toAttachmentTag(subject.descriptor.digest, 'sig')}: ${error.message}`, { errorClass: 'stalling' });
    }
    throw error;
  }
}

/** Signs the subject in cosign's legacy layout and pushes the `.sig` manifest (appending). */
export async function signLegacy(
  client: RegistryClient, subject: VerificationSubject, signer: CosignSigner, context: VerificationContext,
): Promise<CosignSignature> {
  const repository: Repository = { registry: subject.reference.registry, repository: subject.reference.repository };
  const tag = toAttachmentTag(subject.descriptor.digest, 'sig');
  const location = `${repository.registry}/${repository.repository}:${tag}`;
  const payload = toSimpleSigningPayload(repository, subject.descriptor.digest);
  const payloadDigest = digestOf(payload);
  const existing = await readExisting(subject, context);
  const base = { format: 'legacy', repository, subject: subject.descriptor, location } as const;
  if (existing?.layers.some((layer) => isSameSignature(layer, payload, payloadDigest, signer)) === true) {
    return { ...base, manifest: existing.manifest.descriptor, outcome: 'existing' };
  }
  const previous = existing === undefined ? { layers: [] } : rawLayersOf(existing);
  if (previous.layers.length >= context.limits.signatureLayers) {
    throw verifyError('SIGNING_FAILED', `${tag} already has ${String(previous.layers.length)} signatures; verifiers read at most ${String(context.limits.signatureLayers)}`, { errorClass: 'stalling' });
  }
  const layer = {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    size: payload.length,
    digest: payloadDigest,
    annotations: { [SIGNATURE_ANNOTATION]: encodeStandardBase64(signBytes(signer, payload)) },
  };
  const config = toSignatureConfig([...(existing?.layers ?? []).map((d) => d.digest), payloadDigest]);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, size: config.length, digest: digestOf(config) },
    layers: [...previous.layers, layer],
    ...(previous.annotations === undefined ? {} : { annotations: previous.annotations }),
  };
  await client.pushBlob(repository, payload, { signal: context.signal });
  await client.pushBlob(repository, config, { signal: context.signal });
  const pushed = await client.pushManifest(repository, new TextEncoder().encode(JSON.stringify(manifest)), {
    signal: context.signal, mediaType: OCI_MANIFEST, reference: tag,
  });
  return { ...base, manifest: pushed, outcome: 'pushed' };
}
