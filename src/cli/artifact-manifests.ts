/**
 * Finding an artifact's manifest for pull and diff: resolve the tag (one
 * HEAD), then read the manifest by digest from the local cache or the
 * registry; for an index, pick the manifest of the requested platform.
 */
import { arch, platform as osPlatform } from 'node:os';
import {
  DEFAULT_OCI_LIMITS, formatPlatform, parseManifest, parsePlatform, type Descriptor, type ImageManifest, type Manifest,
  type Platform, type Reference, type RegistryClient,
} from '../oci/index.ts';
import { BobError } from '../shared/index.ts';
import type { ContentCache } from './content-cache.ts';
import { usageError } from './usage-error.ts';

export interface ResolvedArtifact {
  /** The digest the reference names (the index's, for a multi-platform artifact). */
  readonly digest: string;
  /** The single-platform manifest to use and its descriptor. */
  readonly manifest: ImageManifest;
  readonly descriptor: Descriptor;
  /** Set when the reference named an index. */
  readonly platform?: Platform;
}

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The platform this machine runs, in OCI terms (image-spec config.md uses GOOS/GOARCH values). */
export function hostPlatform(): Platform {
  return { os: osPlatform() === 'win32' ? 'windows' : osPlatform(), architecture: GO_ARCH[arch()] ?? arch() };
}

export function parsePlatformFlag(value: string | undefined): Platform | undefined {
  if (value === undefined) return undefined;
  const parsed = parsePlatform(value);
  if (parsed === undefined) throw usageError(`--platform must be os/arch[/variant], got "${value.slice(0, 100)}"`);
  return parsed;
}

function matches(candidate: Platform | undefined, wanted: Platform): boolean {
  if (candidate === undefined) return false;
  return candidate.os === wanted.os && candidate.architecture === wanted.architecture &&
    (wanted.variant === undefined || candidate.variant === wanted.variant);
}

async function loadManifest(client: RegistryClient, cache: ContentCache | undefined, reference: Reference, descriptor: Descriptor | undefined, digest: string, signal: AbortSignal): Promise<Manifest> {
  const cached = await cache?.read(digest, DEFAULT_OCI_LIMITS.manifestBytes);
  // A cached manifest gets the checks the network path makes: the index entry
  // that points at it must agree on size and media type. If not, the registry
  // path reports the disagreement.
  if (cached !== undefined && (descriptor === undefined || cached.byteLength === descriptor.size)) {
    return parseManifest(cached, descriptor === undefined ? {} : { expectedMediaType: descriptor.mediaType });
  }
  const fetched = descriptor === undefined
    ? await client.fetchManifest({ registry: reference.registry, repository: reference.repository, digest }, { signal })
    : await client.fetchManifestByDescriptor(reference, descriptor, { signal });
  await cache?.write(digest, fetched.bytes);
  return fetched.manifest;
}

/** The manifest `reference` names, for `platform` if it is an index. */
export async function resolveArtifact(client: RegistryClient, cache: ContentCache | undefined, reference: Reference, platform: Platform | undefined, signal: AbortSignal): Promise<ResolvedArtifact> {
  const top = reference.digest === undefined ? await client.resolve(reference, { signal }) : undefined;
  const digest = reference.digest ?? top?.digest ?? '';
  const manifest = await loadManifest(client, cache, reference, top, digest, signal);
  if (manifest.kind === 'manifest') {
    return { digest, manifest, descriptor: top ?? { mediaType: manifest.mediaType, digest, size: 0 } };
  }
  const platforms = manifest.manifests.filter((m) => m.platform !== undefined);
  const wanted = platform ?? (manifest.manifests.length === 1 ? undefined : hostPlatform());
  const chosen = wanted === undefined ? manifest.manifests[0] : manifest.manifests.find((m) => matches(m.platform, wanted));
  if (chosen === undefined) {
    const offered = platforms.map((m) => (m.platform === undefined ? '' : formatPlatform(m.platform))).join(', ');
    throw new BobError('PLATFORM_NOT_FOUND', `the artifact has no manifest for ${wanted === undefined ? 'any platform' : formatPlatform(wanted)} (it has: ${offered || 'none'}); choose one with --platform`, { errorClass: 'stalling' });
  }
  const child = await loadManifest(client, cache, reference, chosen, chosen.digest, signal);
  if (child.kind !== 'manifest') throw new BobError('MANIFEST_UNSUPPORTED', 'nested indexes are not supported', { errorClass: 'stalling' });
  return { digest, manifest: child, descriptor: chosen, ...(chosen.platform === undefined ? {} : { platform: chosen.platform }) };
}
