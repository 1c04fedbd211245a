/**
 * bob's OCI distribution client. Other modules import only from here.
 *
 * Contract in one paragraph: references are parsed once (parseReference);
 * a RegistryClient resolves, fetches and pushes content over undici with
 * auth, retries and redirects handled, and every byte it returns has been
 * size- and digest-checked against what was asked for (streams: at their
 * end). Failures are BobErrors with the codes of OciErrorCode.
 */
export { RegistryClient } from './client.ts';
export type {
  ManifestOptions, PutManifestOptions, ReferrersOptions, RegistryClientOptions, SignalOptions, TagListOptions,
} from './client.ts';
export type { HostOptions, ProxyEnvironment, TransportOptions } from './transport.ts';
export type { RetryPolicy } from './retry.ts';
export type { LogFields, OciLogger } from './logger.ts';
export type { ObservedResponse, RegistryObserver, RequestPurpose } from './observer.ts';
export { DEFAULT_RETRY_POLICY, parseRetryAfter } from './retry.ts';
export type { OciLimits, ReferrersSupport } from './context.ts';
export { DEFAULT_OCI_LIMITS } from './context.ts';
export type { FetchBlobOptions } from './blob.ts';
export { verifyBlob } from './blob.ts';
export type { BlobSource, PushBlobOptions, PushedBlob } from './push.ts';
export type { FetchedManifest } from './manifests.ts';

export {
  DOCKER_HUB, DOCKER_HUB_ENDPOINT, assertTag, formatReference, isTag, parseReference, toManifestReference, toRegistryEndpoint,
} from './reference.ts';
export type { Reference, Repository } from './reference.ts';
export { assertDigest, createDigester, digestOf, isDigest, parseDigest } from './digest.ts';
export type { DigestAlgorithm, Digester, ParsedDigest } from './digest.ts';
export type { Descriptor, Platform } from './descriptor.ts';
export { toDescriptor } from './descriptor.ts';
export { parseManifest, toArtifactType } from './manifest.ts';
export type { ImageIndex, ImageManifest, Manifest, ParseManifestOptions } from './manifest.ts';
export {
  ALL_MANIFEST_MEDIA_TYPES, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_EMPTY, OCI_EMPTY_DIGEST, OCI_INDEX, OCI_MANIFEST,
  isIndexMediaType, isManifestMediaType,
} from './media-types.ts';
export { toReferrersTag } from './referrers.ts';
export { parseChallenges } from './auth-challenge.ts';
export type { Challenge } from './auth-challenge.ts';

export {
  DOCKER_HUB_CONFIG_KEY, dockerConfigCredentials, parseDockerConfig, staticCredentials, toConfigHost, toCredentialProvider,
} from './credentials.ts';
export type {
  Credential, CredentialHelperRunner, CredentialProvider, DockerConfig, DockerConfigProviderOptions,
} from './credentials.ts';
export { createCredentialHelperRunner } from './credential-helper.ts';
export type { CredentialHelperOptions } from './credential-helper.ts';
export type { OciErrorCode } from './errors.ts';
export * from './artifact-format.ts';
export type { ExtensionSignature, ExtensionSignatureUpload } from './signature-extension.ts';
export { SIGNATURE_EXTENSION_HEADER } from './signature-extension.ts';
export type { LookasideSignature } from './lookaside.ts';
