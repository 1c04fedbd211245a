/**
 * What the reconciler needs from the outside world, as narrow ports, so a
 * reconcile runs the same against the API server (kube-adapters.ts) and
 * against plain in-memory implementations in unit tests (house rule 8:
 * dependency injection, no module mocking).
 */
import type { RegistryClient, CredentialProvider, HostOptions } from '../oci/index.ts';
import type { ArtifactStore, RetentionPolicy } from '../storage/index.ts';
import type { Verifier, VerifyLimits } from '../verify/index.ts';
import type { Clock } from '../shared/index.ts';
import type { KubeObject } from '../kube/index.ts';

/** An OCIRepository as the API server returned it, before parsing. */
export type RawObject = KubeObject & Readonly<Record<string, unknown>>;

/** Reads and writes OCIRepository objects. Errors are kube's coded errors (KUBE_CONFLICT on 409). */
export interface RepositoryObjects {
  /** The object as stored now, or undefined when it does not exist. */
  get(namespace: string, name: string, signal: AbortSignal): Promise<RawObject | undefined>;
  /** RFC 7386 merge patch of the status subresource, locked on `resourceVersion`; returns the object written. */
  patchStatus(namespace: string, name: string, patch: unknown, resourceVersion: string, signal: AbortSignal): Promise<RawObject>;
  /** Adds `finalizer` unless present; returns the current object. */
  addFinalizer(object: RawObject, finalizer: string, signal: AbortSignal): Promise<RawObject>;
  /** Removes `finalizer` if present; returns the current object. */
  removeFinalizer(object: RawObject, finalizer: string, signal: AbortSignal): Promise<RawObject>;
}

/** A Secret's type and decoded data. */
export interface SecretContent {
  readonly type: string;
  readonly data: ReadonlyMap<string, Uint8Array>;
}

/** Secret and ServiceAccount reads, in the object's namespace. Missing objects throw KUBE_NOT_FOUND. */
export interface SecretSource {
  getSecret(namespace: string, name: string, signal: AbortSignal): Promise<SecretContent>;
  getImagePullSecretNames(namespace: string, serviceAccount: string, signal: AbortSignal): Promise<string[]>;
}

/** The object an event is about. */
export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion?: string;
}

/** One event, in Flux's words: its reason equals the condition's reason (ARCHITECTURE.md vocabulary). */
export interface ReconcileEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Where events go. Failures are the sink's to log: a lost event never fails a reconcile. */
export interface EventSink {
  record(subject: EventSubject, event: ReconcileEvent, signal: AbortSignal): Promise<void>;
}

/** Everything that decides how to reach one registry for one object; no secret value is readable from `fingerprint`. */
export interface RegistryAccess {
  /** host[:port] of spec.url. */
  readonly registry: string;
  readonly host: HostOptions;
  readonly credentials?: CredentialProvider;
  /** sha256 over the non-secret settings and the content of every Secret used: equal fingerprints may share a client. */
  readonly fingerprint: string;
}

/** Gives a RegistryClient for an access configuration; may reuse clients (tokens, connections). */
export interface RegistryClientFactory {
  clientFor(access: RegistryAccess): RegistryClient;
}

/** Logs what no condition or event records (a dropped event, a malformed status part). */
export interface ReconcileLogger {
  info(message: string, fields?: Readonly<Record<string, string | number | boolean>>): void;
  error(message: string, fields?: Readonly<Record<string, string | number | boolean>>): void;
}

/**
 * Which (revision, generation, trust material) was last verified per
 * object, so an unchanged object is not re-verified every interval, while a
 * rotated Secret is (reliability.md §6 row 37). In memory: a restart
 * re-verifies each object once.
 */
export type VerificationMemo = Map<string, string>;

/** Everything reconcile() uses; nothing is global (house rule 7). */
export interface ReconcilerDependencies {
  readonly objects: RepositoryObjects;
  readonly secrets: SecretSource;
  readonly events: EventSink;
  readonly store: ArtifactStore;
  readonly registries: RegistryClientFactory;
  readonly clock: Clock;
  /** Scratch space for extraction and blob downloads (one fresh directory per reconcile, removed after). */
  readonly workDir: string;
  /** Cluster-wide verifier applied to every object in addition to its own spec.verify (operator flags). */
  readonly trustFloor?: Verifier;
  readonly verifyLimits?: VerifyLimits;
  readonly retention?: RetentionPolicy;
  readonly memo: VerificationMemo;
  readonly logger?: ReconcileLogger;
  /** Conflicting status patches retried at most this often (default 3). */
  readonly statusPatchAttempts?: number;
}
