// An in-memory registry for the hostile-input tests: one subject with an
// optional cosign tag attachment and referrers, answering only the client
// calls the verifiers make. Blobs can lie about their size (`served`), and
// the calls are counted so "bounded work" can be asserted.
import { OCI_MANIFEST, parseManifest, type Descriptor, type FetchedManifest, type RegistryClient } from '../../../../src/oci/index.ts';
import { BobError, digestOf } from '../../../../src/shared/index.ts';
import { DEFAULT_VERIFY_LIMITS, type VerificationContext, type VerificationSubject, type VerifyLimits } from '../../../../src/verify/index.ts';

export const SUBJECT_DIGEST = `sha256:${'a'.repeat(64)}`;
export const OTHER_SUBJECT_DIGEST = `sha256:${'b'.repeat(64)}`;

export const SUBJECT: VerificationSubject = {
  reference: { registry: 'registry.test', repository: 'app', tag: 'v1' },
  descriptor: { mediaType: OCI_MANIFEST, digest: SUBJECT_DIGEST, size: 1234 },
};

export interface FakeLayer {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
  readonly annotations?: Record<string, string>;
  /** Declared size when it should differ from the bytes. */
  readonly size?: number;
}

export interface FakeReferrer {
  readonly artifactType: string;
  readonly layers: readonly FakeLayer[];
  readonly annotations?: Record<string, string>;
  /** The subject the manifest names; default the test subject. */
  readonly subject?: string;
}

export interface FakeRegistry {
  readonly client: RegistryClient;
  /** Blob downloads made. */
  readonly blobFetches: () => number;
}

const EMPTY_CONFIG = new TextEncoder().encode('{}');

function layerDescriptor(layer: FakeLayer, blobs: Map<string, Uint8Array>): Descriptor {
  const digest = digestOf(layer.bytes);
  blobs.set(digest, layer.bytes);
  return {
    mediaType: layer.mediaType, digest, size: layer.size ?? layer.bytes.length,
    ...(layer.annotations === undefined ? {} : { annotations: layer.annotations }),
  };
}

function manifestBytes(layers: readonly Descriptor[], extra: Record<string, unknown> = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
    layers, ...extra,
  }));
}

function fetched(bytes: Uint8Array): FetchedManifest {
  return { descriptor: { mediaType: OCI_MANIFEST, digest: digestOf(bytes), size: bytes.length }, bytes, manifest: parseManifest(bytes) };
}

/**
 * A registry holding `tags` (tag → layers of an image manifest) and
 * `referrers` of SUBJECT_DIGEST. `fetchBlobBytes` fails like the real client
 * (test/unit/oci/pull.test.ts): BLOB_TOO_LARGE over `maxBytes`,
 * BLOB_SIZE_MISMATCH when the stream is not the declared size.
 */
export function fakeRegistry(options: { tags?: Record<string, readonly FakeLayer[]>; referrers?: readonly FakeReferrer[] } = {}): FakeRegistry {
  const blobs = new Map<string, Uint8Array>();
  const manifests = new Map<string, Uint8Array>();
  const tagged = new Map<string, Uint8Array>();
  for (const [tag, layers] of Object.entries(options.tags ?? {})) {
    tagged.set(tag, manifestBytes(layers.map((layer) => layerDescriptor(layer, blobs))));
  }
  const listed: Descriptor[] = [];
  for (const referrer of options.referrers ?? []) {
    const bytes = manifestBytes(referrer.layers.map((layer) => layerDescriptor(layer, blobs)), {
      artifactType: referrer.artifactType,
      subject: { mediaType: OCI_MANIFEST, digest: referrer.subject ?? SUBJECT_DIGEST, size: 1234 },
      ...(referrer.annotations === undefined ? {} : { annotations: referrer.annotations }),
    });
    const digest = digestOf(bytes);
    manifests.set(digest, bytes);
    listed.push({ mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType: referrer.artifactType });
  }
  let fetches = 0;
  const client = {
    fetchManifest: (reference: { tag?: string }) => {
      const bytes = reference.tag === undefined ? undefined : tagged.get(reference.tag);
      if (bytes === undefined) return Promise.reject(new BobError('MANIFEST_UNKNOWN', 'manifest unknown'));
      return Promise.resolve(fetched(bytes));
    },
    fetchManifestByDescriptor: (_repository: unknown, descriptor: Descriptor) => {
      const bytes = manifests.get(descriptor.digest);
      if (bytes === undefined) return Promise.reject(new BobError('MANIFEST_UNKNOWN', 'manifest unknown'));
      return Promise.resolve(fetched(bytes));
    },
    listReferrers: () => Promise.resolve([...listed]),
    fetchBlobBytes: (_repository: unknown, descriptor: Descriptor, fetchOptions: { maxBytes: number }) => {
      fetches++;
      const bytes = blobs.get(descriptor.digest);
      if (bytes === undefined) return Promise.reject(new BobError('BLOB_UNKNOWN', 'blob unknown'));
      if (descriptor.size > fetchOptions.maxBytes) return Promise.reject(new BobError('BLOB_TOO_LARGE', `blob exceeds ${String(fetchOptions.maxBytes)} bytes`));
      // The real client stops reading at the declared size and refuses a longer (or shorter) stream.
      if (bytes.length !== descriptor.size) return Promise.reject(new BobError('BLOB_SIZE_MISMATCH', `blob ${descriptor.digest} is not ${String(descriptor.size)} bytes`));
      return Promise.resolve(bytes);
    },
  };
  return { client: client as unknown as RegistryClient, blobFetches: () => fetches };
}

export function contextFor(client: RegistryClient, options: { limits?: Partial<VerifyLimits>; now?: Date; warnings?: string[] } = {}): VerificationContext {
  const now = options.now ?? new Date();
  const warnings = options.warnings;
  return {
    client, signal: AbortSignal.timeout(30_000), now: () => now, limits: { ...DEFAULT_VERIFY_LIMITS, ...options.limits },
    ...(warnings === undefined ? {} : { warn: (message: string) => { warnings.push(message); } }),
  };
}

export const sigTag = (digest = SUBJECT_DIGEST): string => `${digest.replace(':', '-')}.sig`;
export const attTag = (digest = SUBJECT_DIGEST): string => `${digest.replace(':', '-')}.att`;
