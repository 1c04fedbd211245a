/**
 * RegistryClient: the one object other modules use to talk to registries.
 * It owns the transport (dispatchers per origin), the token cache and the
 * remembered referrers capability; everything is injected (clock, random,
 * credentials, dispatcher) and every call takes an AbortSignal.
 */
import { Readable } from 'node:stream';
import { createSystemClock, type Clock } from '../shared/index.ts';
import {
  fetchBlobBytes, fetchBlobToFile, openBlob, type FetchBlobOptions,
} from './blob.ts';
import { DEFAULT_OCI_LIMITS, toRepositoryTarget, type ClientContext, type OciLimits, type ReferrersSupport } from './context.ts';
import type { CredentialProvider } from './credentials.ts';
import type { Descriptor } from './descriptor.ts';
import { toArtifactType } from './manifest.ts';
import {
  deleteManifest, fetchManifest, pushManifest, resolveManifest, type FetchedManifest, type PushedManifest,
} from './manifests.ts';
import { blobExists, pushBlob, type BlobSource, type PushBlobOptions, type PushedBlob } from './push.ts';
import { assertTag, toManifestReference, toRegistryEndpoint, type Reference, type Repository } from './reference.ts';
import { addToReferrersTag, listReferrers } from './referrers.ts';
import { RegistryHttp } from './registry-http.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import { SILENT_LOGGER, type OciLogger } from './logger.ts';
import { toSafeObserver, type RegistryObserver } from './observer.ts';
import { listTags } from './tags.ts';
import { fetchLookasideSignature, type LookasideSignature } from './lookaside.ts';
import {
  listExtensionSignatures, pingSignatureExtension, putExtensionSignature, type ExtensionSignature, type ExtensionSignatureUpload,
} from './signature-extension.ts';
import { Transport, type TransportOptions } from './transport.ts';

export interface RegistryClientOptions extends TransportOptions {
  /** Credentials per registry; anonymous when absent or when it returns undefined. */
  readonly credentials?: CredentialProvider;
  readonly clock?: Clock;
  /** [0, 1) for backoff jitter. */
  readonly random?: () => number;
  readonly retry?: Partial<RetryPolicy>;
  readonly limits?: Partial<OciLimits>;
  /** OAuth2 client_id sent with refresh-token grants. Default `bob`. */
  readonly clientId?: string;
  /** Debug logging of retries and capability decisions; silent by default. */
  readonly logger?: OciLogger;
  /** Told about every HTTP response and the content bytes read (metrics); its exceptions are ignored. */
  readonly observer?: RegistryObserver;
}

export interface SignalOptions {
  readonly signal: AbortSignal;
}

export interface ManifestOptions extends SignalOptions {
  readonly expectedMediaType?: string;
}

export interface PutManifestOptions extends SignalOptions {
  readonly mediaType: string;
  /** Tag or digest to push under; default the content digest. */
  readonly reference?: string;
}

export interface ReferrersOptions extends SignalOptions {
  readonly artifactType?: string;
  /** The caller knows the subject exists (it just resolved it): saves a probe on registries without the API. */
  readonly subjectExists?: boolean;
}

export interface TagListOptions extends SignalOptions {
  readonly pageSize?: number;
  readonly last?: string;
}

export class RegistryClient {
  readonly #transport: Transport;
  readonly #context: ClientContext;
  /** Whether each registry endpoint announced the signature API extension. */
  readonly #signatureExtension = new Map<string, Promise<boolean>>();

  constructor(options: RegistryClientOptions = {}) {
    this.#transport = new Transport(options);
    const clock = options.clock ?? createSystemClock();
    const random = options.random ?? Math.random;
    const limits: OciLimits = { ...DEFAULT_OCI_LIMITS, ...options.limits };
    const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const http = new RegistryHttp({
      transport: this.#transport,
      credentials: options.credentials,
      clock,
      random,
      retry,
      maxRedirects: limits.redirects,
      tokenBytes: limits.tokenBytes,
      errorBodyBytes: limits.errorBodyBytes,
      clientId: options.clientId ?? 'bob',
      logger: options.logger ?? SILENT_LOGGER,
      observer: toSafeObserver(options.observer),
    });
    this.#context = { http, limits, retry, random, referrers: new Map<string, ReferrersSupport>() };
  }

  /**
   * The descriptor a reference points to now (HEAD, GET fallback). For a
   * digest reference the answer must be that digest.
   */
  async resolve(reference: Reference, options: ManifestOptions): Promise<Descriptor> {
    return resolveManifest(this.#context, toRepositoryTarget(this.#context, reference), toManifestReference(reference), options);
  }

  /**
   * A verified, parsed manifest or index by tag or digest. By digest the body
   * must hash to it; by tag the computed digest is returned.
   */
  async fetchManifest(reference: Reference, options: ManifestOptions): Promise<FetchedManifest> {
    return fetchManifest(this.#context, toRepositoryTarget(this.#context, reference), toManifestReference(reference), options);
  }

  /** A manifest named by a descriptor: media type and size must match it too. */
  async fetchManifestByDescriptor(repository: Repository, descriptor: Descriptor, options: SignalOptions): Promise<FetchedManifest> {
    return fetchManifest(this.#context, toRepositoryTarget(this.#context, repository), descriptor.digest, {
      signal: options.signal, expectedMediaType: descriptor.mediaType, expectedSize: descriptor.size,
    });
  }

  /** A verifying stream of a blob; see verifyBlob: read to the end before trusting it. */
  async openBlob(repository: Repository, descriptor: Descriptor, options: FetchBlobOptions): Promise<AsyncGenerator<Uint8Array, void, undefined>> {
    return openBlob(this.#context, toRepositoryTarget(this.#context, repository), descriptor, options);
  }

  /** Same as openBlob, as a Node Readable (errors surface as 'error' events). */
  async openBlobReadable(repository: Repository, descriptor: Descriptor, options: FetchBlobOptions): Promise<Readable> {
    return Readable.from(await this.openBlob(repository, descriptor, options), { objectMode: false });
  }

  /** A blob in memory, verified; `maxBytes` bounds memory. */
  async fetchBlobBytes(repository: Repository, descriptor: Descriptor, options: FetchBlobOptions & { readonly maxBytes: number }): Promise<Uint8Array> {
    return fetchBlobBytes(this.#context, toRepositoryTarget(this.#context, repository), descriptor, options);
  }

  /** A blob written to `destination` atomically, only once verified; nothing is left behind on failure. */
  async fetchBlobToFile(repository: Repository, descriptor: Descriptor, destination: string, options: FetchBlobOptions): Promise<void> {
    return fetchBlobToFile(this.#context, toRepositoryTarget(this.#context, repository), descriptor, destination, options);
  }

  async blobExists(repository: Repository, digest: string, options: SignalOptions): Promise<boolean> {
    return blobExists(this.#context, toRepositoryTarget(this.#context, repository), digest, options.signal);
  }

  /** Uploads a blob unless present (mount first when `mountFrom` is set). */
  async pushBlob(repository: Repository, source: BlobSource, options: PushBlobOptions): Promise<PushedBlob> {
    return pushBlob(this.#context, toRepositoryTarget(this.#context, repository), source, options);
  }

  /**
   * Pushes manifest bytes. When the manifest has a `subject` and the registry
   * does not answer `OCI-Subject`, the subject's fallback tag index is updated.
   */
  async pushManifest(repository: Repository, bytes: Uint8Array, options: PutManifestOptions): Promise<Descriptor> {
    const target = toRepositoryTarget(this.#context, repository);
    const pushed: PushedManifest = await pushManifest(this.#context, target, bytes, options);
    const subject = pushed.manifest.subject;
    if (subject === undefined) return pushed.descriptor;
    if (pushed.ociSubject !== undefined) {
      this.#context.referrers.set(target.endpoint, 'api');
      return pushed.descriptor;
    }
    const artifactType = toArtifactType(pushed.manifest);
    const annotations = pushed.manifest.annotations;
    await addToReferrersTag(this.#context, target, subject.digest, {
      mediaType: pushed.descriptor.mediaType,
      digest: pushed.descriptor.digest,
      size: pushed.descriptor.size,
      ...(artifactType === undefined ? {} : { artifactType }),
      ...(annotations === undefined ? {} : { annotations }),
    }, options.signal);
    return pushed.descriptor;
  }

  /** Puts the manifest `source` points to under `tag` too (same bytes, same digest). */
  async tag(source: Reference, tag: string, options: SignalOptions): Promise<Descriptor> {
    assertTag(tag);
    const target = toRepositoryTarget(this.#context, source);
    const fetched = await fetchManifest(this.#context, target, toManifestReference(source), { signal: options.signal });
    const pushed = await pushManifest(this.#context, target, fetched.bytes, {
      signal: options.signal, mediaType: fetched.descriptor.mediaType, reference: tag,
    });
    return pushed.descriptor;
  }

  /** Deletes a manifest by digest. */
  async deleteManifest(repository: Repository, digest: string, options: SignalOptions): Promise<void> {
    return deleteManifest(this.#context, toRepositoryTarget(this.#context, repository), digest, options.signal);
  }

  /** All tags of a repository (Link pagination, bounded, every tag validated). */
  async listTags(repository: Repository, options: TagListOptions): Promise<string[]> {
    return listTags(this.#context, toRepositoryTarget(this.#context, repository), options);
  }

  /** Referrers of a subject digest, by API or tag schema, filtered by `artifactType`. */
  async listReferrers(repository: Repository, subject: string, options: ReferrersOptions): Promise<Descriptor[]> {
    return listReferrers(this.#context, toRepositoryTarget(this.#context, repository), subject, options);
  }

  /** What is known about a registry's referrers API ('api' | 'tag'), by registry as referenced. */
  referrersSupport(registry: string): ReferrersSupport | undefined {
    return this.#context.referrers.get(toRegistryEndpoint(registry));
  }

  /**
   * Whether the registry announces the signature API extension
   * (`X-Registry-Supports-Signatures: 1` on `GET /v2/`); asked once per
   * endpoint, a failed ask is not remembered.
   */
  async supportsSignatureExtension(registry: string, options: SignalOptions): Promise<boolean> {
    const endpoint = toRegistryEndpoint(registry);
    let answer = this.#signatureExtension.get(endpoint);
    if (answer === undefined) {
      answer = pingSignatureExtension(this.#context, registry, options.signal);
      this.#signatureExtension.set(endpoint, answer);
      answer.catch(() => { this.#signatureExtension.delete(endpoint); });
    }
    return answer;
  }

  /** The extension's signature list of a manifest digest (GET /extensions/v2/<repo>/signatures/<digest>), body capped at `maxBytes`. */
  async listExtensionSignatures(repository: Repository, digest: string, options: SignalOptions & { readonly maxBytes: number }): Promise<ExtensionSignature[]> {
    return listExtensionSignatures(this.#context, toRepositoryTarget(this.#context, repository), digest, options.signal, options.maxBytes);
  }

  /** Stores one signature of a manifest digest through the extension (PUT, 201 expected). */
  async putExtensionSignature(repository: Repository, digest: string, signature: ExtensionSignatureUpload, options: SignalOptions): Promise<void> {
    return putExtensionSignature(this.#context, toRepositoryTarget(this.#context, repository), digest, signature, options.signal);
  }

  /**
   * One signature from an http(s) lookaside URL, without registry
   * credentials: undefined on 404, BLOB_TOO_LARGE past `maxBytes`, a coded
   * error for any other status.
   */
  async fetchLookasideSignature(url: URL, options: SignalOptions & { readonly maxBytes: number }): Promise<LookasideSignature | undefined> {
    return fetchLookasideSignature(this.#context, url, options.signal, options.maxBytes);
  }

  /** Releases connections. The client must not be used afterwards. */
  async close(): Promise<void> {
    await this.#transport.close();
  }
}
