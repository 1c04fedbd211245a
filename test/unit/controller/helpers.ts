// In-memory implementations of the controller's ports (dependency injection,
// not module mocking) and a tiny in-process registry serving one artifact,
// so whole reconciles run in unit tests and every request can be counted.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BobError, type Clock } from '../../../src/shared/index.ts';
import { ArtifactStore } from '../../../src/storage/index.ts';
import { RegistryClient } from '../../../src/oci/index.ts';
import type {
  EventSink, EventSubject, RawObject, ReconcileEvent, ReconcilerDependencies, RegistryAccess, RegistryClientFactory, RepositoryObjects,
  SecretContent, SecretSource,
} from '../../../src/controller/index.ts';
import { startFakeServer, type FakeServer } from '../oci/fake-server.ts';
import { tarOf } from '../../env/fixtures.ts';

export const NAMESPACE = 'team';
export const START = Date.parse('2026-03-01T10:00:00Z');

export function testClock(start = START): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: (ms) => { now += ms; return Promise.resolve(); },
    advance: (ms) => { now += ms; },
  };
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const base = new Map(typeof target === 'object' && target !== null && !Array.isArray(target) ? Object.entries(target) : []);
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) base.delete(key);
    else base.set(key, mergePatch(base.get(key), value));
  }
  return Object.fromEntries(base);
}

function kubeError(code: string, message: string): BobError {
  return new BobError(code, message, { errorClass: code === 'KUBE_NOT_FOUND' ? 'waiting' : 'transient' });
}

/** OCIRepository objects in a map, with resourceVersions, merge-patched status and finalizers like the API server. */
export class MemoryObjects implements RepositoryObjects {
  readonly objects = new Map<string, RawObject>();
  readonly patches: unknown[] = [];
  #version = 100;
  /** Makes the next N patchStatus calls fail with a 409 after bumping the object. */
  conflicts = 0;

  put(object: Record<string, unknown>): RawObject {
    const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
    const stored = { ...object, metadata: { generation: 1, uid: 'uid-1', ...metadata, resourceVersion: String(++this.#version) } } as unknown as RawObject;
    this.objects.set(`${String(stored.metadata.namespace)}/${stored.metadata.name}`, stored);
    return stored;
  }

  current(name: string, namespace = NAMESPACE): RawObject {
    const object = this.objects.get(`${namespace}/${name}`);
    if (object === undefined) throw new Error(`${name} missing`);
    return object;
  }

  get(namespace: string, name: string): Promise<RawObject | undefined> {
    return Promise.resolve(structuredClone(this.objects.get(`${namespace}/${name}`)));
  }

  patchStatus(namespace: string, name: string, patch: unknown, resourceVersion: string): Promise<RawObject> {
    const object = this.objects.get(`${namespace}/${name}`);
    if (object === undefined) return Promise.reject(kubeError('KUBE_NOT_FOUND', 'not found'));
    if (this.conflicts > 0) {
      this.conflicts--;
      this.put(object);
    }
    if (this.current(name, namespace).metadata.resourceVersion !== resourceVersion) {
      return Promise.reject(kubeError('KUBE_CONFLICT', 'the object has been modified'));
    }
    this.patches.push(patch);
    const updated = this.put({ ...object, status: mergePatch(object['status'], patch) });
    return Promise.resolve(structuredClone(updated));
  }

  addFinalizer(object: RawObject, finalizer: string): Promise<RawObject> {
    const current = this.current(object.metadata.name, object.metadata.namespace);
    const finalizers = [...(current.metadata.finalizers ?? [])];
    if (!finalizers.includes(finalizer)) finalizers.push(finalizer);
    return Promise.resolve(structuredClone(this.put({ ...current, metadata: { ...current.metadata, finalizers } })));
  }

  removeFinalizer(object: RawObject, finalizer: string): Promise<RawObject> {
    const current = this.current(object.metadata.name, object.metadata.namespace);
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const key = `${String(current.metadata.namespace)}/${current.metadata.name}`;
    if (finalizers.length === 0 && current.metadata.deletionTimestamp !== undefined) {
      this.objects.delete(key);
      return Promise.resolve(structuredClone(current));
    }
    return Promise.resolve(structuredClone(this.put({ ...current, metadata: { ...current.metadata, finalizers } })));
  }
}

/** Secrets by name; ServiceAccounts as lists of pull Secret names. */
export class MemorySecrets implements SecretSource {
  readonly secrets = new Map<string, SecretContent>();
  readonly accounts = new Map<string, string[]>();
  reads = 0;

  set(name: string, data: Record<string, string | Uint8Array>, type = 'Opaque'): void {
    const entries = new Map(Object.entries(data).map(([key, value]) => [key, typeof value === 'string' ? new TextEncoder().encode(value) : value]));
    this.secrets.set(name, { type, data: entries });
  }

  getSecret(_namespace: string, name: string): Promise<SecretContent> {
    this.reads++;
    const secret = this.secrets.get(name);
    return secret === undefined ? Promise.reject(kubeError('KUBE_NOT_FOUND', `secrets "${name}" not found`)) : Promise.resolve(secret);
  }

  getImagePullSecretNames(_namespace: string, account: string): Promise<string[]> {
    const names = this.accounts.get(account);
    return names === undefined ? Promise.reject(kubeError('KUBE_NOT_FOUND', 'not found')) : Promise.resolve(names);
  }
}

export class MemoryEvents implements EventSink {
  readonly events: (ReconcileEvent & { subject: EventSubject })[] = [];

  record(subject: EventSubject, event: ReconcileEvent): Promise<void> {
    this.events.push({ ...event, subject });
    return Promise.resolve();
  }
}

/** Counts clientFor calls; one plain client per fingerprint. */
export class CountingRegistries implements RegistryClientFactory {
  readonly accesses: RegistryAccess[] = [];
  readonly #clients = new Map<string, RegistryClient>();

  clientFor(access: RegistryAccess): RegistryClient {
    this.accesses.push(access);
    let client = this.#clients.get(access.fingerprint);
    if (client === undefined) {
      client = new RegistryClient({ hosts: { [access.registry]: access.host }, retry: { maxAttempts: 1 } });
      this.#clients.set(access.fingerprint, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((c) => c.close()));
  }
}

export interface TestWorld {
  readonly deps: ReconcilerDependencies;
  readonly objects: MemoryObjects;
  readonly secrets: MemorySecrets;
  readonly events: MemoryEvents;
  readonly registries: CountingRegistries;
  readonly store: ArtifactStore;
  readonly clock: Clock & { advance(ms: number): void };
  readonly root: string;
  close(): Promise<void>;
}

export function testWorld(overrides: Partial<ReconcilerDependencies> = {}): TestWorld {
  const root = mkdtempSync(join(tmpdir(), 'bob-controller-'));
  const workDir = join(root, 'work');
  mkdirSync(workDir);
  const clock = testClock();
  const objects = new MemoryObjects();
  const secrets = new MemorySecrets();
  const events = new MemoryEvents();
  const registries = new CountingRegistries();
  const store = new ArtifactStore({ root: join(root, 'storage'), baseUrl: 'http://storage.test', clock });
  const deps: ReconcilerDependencies = {
    objects, secrets, events, registries, store, clock, workDir, memo: new Map(), ...overrides,
  };
  return { deps, objects, secrets, events, registries, store, clock, root, close: () => registries.close() };
}

/** An OCIRepository as the API server would return it. */
export function repository(name: string, spec: Record<string, unknown>, extra: { metadata?: Record<string, unknown>; status?: unknown } = {}): Record<string, unknown> {
  return {
    apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository',
    metadata: { name, namespace: NAMESPACE, ...extra.metadata },
    spec: { interval: '5m', ...spec },
    ...(extra.status === undefined ? {} : { status: extra.status }),
  };
}

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface FakeRegistry {
  readonly server: FakeServer;
  readonly host: string;
  readonly manifestDigest: string;
  readonly layerDigest: string;
  /** Requests other than /v2/ pings, as `METHOD path`. */
  requests(): string[];
  close(): Promise<void>;
}

/** A registry serving `repository:tag` (one tar+gzip layer with `files`) and nothing else. */
export async function startFakeRegistry(
  repository: string, tag: string, files: Record<string, string>, annotations: Record<string, string> = {},
): Promise<FakeRegistry> {
  const tar = Buffer.concat(Object.entries(files).map(([name, content]) => tarOf(name, content).subarray(0, -1024)).concat([Buffer.alloc(1024)]));
  const layer = gzipSync(tar);
  const config = Buffer.from('{}');
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
  }));
  const manifestDigest = sha256(manifest);
  const layerDigest = sha256(layer);
  const server = await startFakeServer((request, res) => {
    const path = request.url;
    if (path === '/v2/' || path === '/v2') {
      res.writeHead(200).end();
      return;
    }
    const manifestPath = new RegExp(`^/v2/${repository}/manifests/(.+)$`).exec(path);
    if (manifestPath !== null && (manifestPath[1] === tag || manifestPath[1] === manifestDigest)) {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': manifestDigest, 'content-length': String(manifest.length),
      });
      res.end(request.method === 'HEAD' ? undefined : manifest);
      return;
    }
    if (path === `/v2/${repository}/blobs/${layerDigest}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(layer.length) }).end(layer);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
  });
  return {
    server, host: server.host, manifestDigest, layerDigest,
    requests: () => server.requests.filter((r) => r.url !== '/v2/').map((r) => `${r.method} ${r.url}`),
    close: () => server.close(),
  };
}
