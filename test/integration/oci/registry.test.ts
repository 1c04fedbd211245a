// The OCI client against real registries from test/env: Debian's
// docker-registry 2.8 (no referrers API: tag-schema fallback), olareg (OCI 1.1
// referrers API) and zot (1.1 release-candidate referrers API).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  OCI_INDEX, OCI_MANIFEST, RegistryClient, staticCredentials, toReferrersTag, type RegistryClientOptions,
} from '../../../src/oci/index.ts';
import { describeError, isBobError } from '../../../src/shared/index.ts';
import { startCountingProxy } from '../../env/counting-proxy.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import type { Registry } from '../../env/registries.ts';

const sha256 = (data: Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const signal = (): AbortSignal => AbortSignal.timeout(60_000);
const FLUX_CONFIG = 'application/vnd.cncf.flux.config.v1+json';
const FLUX_CONTENT = 'application/vnd.cncf.flux.content.v1.tar+gzip';

interface Artifact { layer: Buffer; config: Buffer; manifest: Buffer; digest: string }

function artifact(layer: Buffer, extra: Record<string, unknown> = {}, configMediaType = FLUX_CONFIG): Artifact {
  const config = Buffer.from(JSON.stringify({ created: '1970-01-01T00:00:00Z' }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: configMediaType, digest: sha256(config), size: config.length },
    layers: [{ mediaType: FLUX_CONTENT, digest: sha256(layer), size: layer.length }],
    ...extra,
  }));
  return { layer, config, manifest, digest: sha256(manifest) };
}

function clientFor(reg: Registry, extra: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({
    hosts: { [reg.host]: { plainHttp: !reg.tls, ...(reg.caFile === undefined ? {} : { ca: readFileSync(reg.caFile) }) } },
    ...(reg.username !== undefined && reg.password !== undefined
      ? { credentials: staticCredentials({ [reg.host]: { kind: 'basic', username: reg.username, password: reg.password } }) }
      : {}),
    ...extra,
  });
}

async function pushArtifact(client: RegistryClient, repo: { registry: string; repository: string }, a: Artifact, tag?: string, chunkSize?: number): Promise<void> {
  await client.pushBlob(repo, a.config, { signal: signal() });
  await client.pushBlob(repo, a.layer, { signal: signal(), ...(chunkSize === undefined ? {} : { chunkSize }) });
  await client.pushManifest(repo, a.manifest, { signal: signal(), mediaType: OCI_MANIFEST, ...(tag === undefined ? {} : { reference: tag }) });
}

async function roundTrip(reg: Registry, client: RegistryClient): Promise<void> {
  const repo = { registry: reg.host, repository: `bob/round-trip-${randomBytes(3).toString('hex')}` };
  const a = artifact(randomBytes(300 * 1024));
  await pushArtifact(client, repo, a, 'v1', 64 * 1024);
  const resolved = await client.resolve({ ...repo, tag: 'v1' }, { signal: signal() });
  assert.deepEqual(resolved, { mediaType: OCI_MANIFEST, digest: a.digest, size: a.manifest.length });
  const fetched = await client.fetchManifestByDescriptor(repo, resolved, { signal: signal() });
  assert.ok(fetched.manifest.kind === 'manifest');
  const layer = fetched.manifest.layers[0];
  assert.ok(layer !== undefined);
  const dir = scratchDir('oci-pull');
  await client.fetchBlobToFile(repo, layer, join(dir, 'layer.tgz'), { signal: signal() });
  assert.deepEqual(readFileSync(join(dir, 'layer.tgz')), a.layer);
  assert.deepEqual(readdirSync(dir), ['layer.tgz']);
}

describe('oci client against distribution (registry:2.8)', function () {
  this.timeout(120_000);
  let reg: Registry;
  let client: RegistryClient;
  before(async () => {
    reg = await registry({ kind: 'distribution' });
    client = clientFor(reg);
  });
  after(async () => { await client.close(); });

  it('pushes (chunked) and pulls back a verified artifact', async () => {
    await roundTrip(reg, client);
  });

  it('monolithic push, existence skip, cross-repository mount', async () => {
    const data = randomBytes(4096);
    const from = { registry: reg.host, repository: 'bob/mount-source' };
    const to = { registry: reg.host, repository: `bob/mount-target-${randomBytes(3).toString('hex')}` };
    assert.equal((await client.pushBlob(from, data, { signal: signal() })).outcome, 'uploaded');
    assert.equal((await client.pushBlob(from, data, { signal: signal() })).outcome, 'existed');
    assert.equal((await client.pushBlob(to, data, { signal: signal(), mountFrom: from.repository })).outcome, 'mounted');
    assert.ok(await client.blobExists(to, sha256(data), { signal: signal() }));
  });

  it('lists tags page by page, tags and deletes', async () => {
    const repo = { registry: reg.host, repository: `bob/tags-${randomBytes(3).toString('hex')}` };
    const a = artifact(Buffer.from('tagged'));
    await pushArtifact(client, repo, a, 'v1');
    for (const tag of ['v2', 'v3', 'v4', 'v5']) await client.tag({ ...repo, tag: 'v1' }, tag, { signal: signal() });
    // registry:2.8 pages in storage order, not sorted; every tag arrives exactly once.
    assert.deepEqual((await client.listTags(repo, { signal: signal(), pageSize: 2 })).sort(), ['v1', 'v2', 'v3', 'v4', 'v5']);
    await client.deleteManifest(repo, a.digest, { signal: signal() });
    await assert.rejects(client.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() }), (e: unknown) => isBobError(e, 'MANIFEST_UNKNOWN'));
    await assert.rejects(client.listTags({ registry: reg.host, repository: 'bob/never-pushed' }, { signal: signal() }), (e: unknown) => isBobError(e, 'NAME_UNKNOWN'));
  });

  it('detects tampering in storage (digest mismatch, nothing written)', async () => {
    const repo = { registry: reg.host, repository: `bob/tamper-${randomBytes(3).toString('hex')}` };
    const a = artifact(Buffer.from('original content!'));
    await pushArtifact(client, repo, a, 'v1');
    const hex = sha256(a.layer).slice('sha256:'.length);
    const blobFile = join(reg.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(blobFile, Buffer.from('tampered content!'));
    const dir = scratchDir('oci-tamper');
    await assert.rejects(
      client.fetchBlobToFile(repo, { mediaType: FLUX_CONTENT, digest: sha256(a.layer), size: a.layer.length }, join(dir, 'layer'), { signal: signal() }),
      (e: unknown) => isBobError(e, 'BLOB_DIGEST_MISMATCH'),
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('falls back to the referrers tag schema (no API on registry:2.8)', async () => {
    assert.equal(reg.referrersApi, false);
    const repo = { registry: reg.host, repository: `bob/referrers-${randomBytes(3).toString('hex')}` };
    const subject = artifact(Buffer.from('subject'));
    await pushArtifact(client, repo, subject, 'v1');
    const subjectDescriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.manifest.length };
    const sig = artifact(Buffer.from('signature'), { artifactType: 'application/vnd.example.sig', subject: subjectDescriptor, annotations: { who: 'bob' } });
    const sbom = artifact(Buffer.from('sbom'), { subject: subjectDescriptor }, 'application/spdx+json');
    await pushArtifact(client, repo, sig);
    await pushArtifact(client, repo, sbom);
    await pushArtifact(client, repo, sig);
    const index = await client.fetchManifest({ ...repo, tag: toReferrersTag(subject.digest) }, { signal: signal(), expectedMediaType: OCI_INDEX });
    assert.ok(index.manifest.kind === 'index');
    assert.equal(index.manifest.manifests.length, 2);
    const fresh = clientFor(reg);
    try {
      const all = await fresh.listReferrers(repo, subject.digest, { signal: signal() });
      assert.deepEqual(all.map((d) => [d.digest, d.artifactType]), [[sig.digest, 'application/vnd.example.sig'], [sbom.digest, 'application/spdx+json']]);
      assert.equal(all[0]?.annotations?.['who'], 'bob');
      assert.equal(fresh.referrersSupport(reg.host), 'tag');
      const sboms = await fresh.listReferrers(repo, subject.digest, { signal: signal(), artifactType: 'application/spdx+json' });
      assert.deepEqual(sboms.map((d) => d.digest), [sbom.digest]);
    } finally { await fresh.close(); }
  });

  it('skips the subject probe after a referrers 404 when the caller knows the subject exists', async () => {
    const repo = { registry: reg.host, repository: `bob/referrers-${randomBytes(3).toString('hex')}` };
    const subject = artifact(Buffer.from('probed subject'));
    await pushArtifact(client, repo, subject, 'v1');
    const proxy = await startCountingProxy(reg.host);
    const viaProxy = { ...repo, registry: proxy.host };
    const requestsFor = async (options: { subjectExists?: boolean }): Promise<string[]> => {
      proxy.requests.length = 0;
      const fresh = new RegistryClient({ hosts: { [proxy.host]: { plainHttp: true } } });
      try {
        assert.deepEqual(await fresh.listReferrers(viaProxy, subject.digest, { signal: signal(), ...options }), []);
        assert.equal(fresh.referrersSupport(proxy.host), 'tag');
      } finally { await fresh.close(); }
      return proxy.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{64}/g, 'x')}`);
    };
    try {
      const probed = await requestsFor({});
      assert.ok(probed.includes(`HEAD /v2/${repo.repository}/manifests/sha256:x`), probed.join(', '));
      const known = await requestsFor({ subjectExists: true });
      assert.equal(known.length, probed.length - 1, known.join(', '));
      assert.ok(!known.includes(`HEAD /v2/${repo.repository}/manifests/sha256:x`), known.join(', '));
    } finally { await proxy.stop(); }
  });
});

describe('oci client against distribution over TLS', function () {
  this.timeout(120_000);
  let reg: Registry;
  before(async () => { reg = await registry({ kind: 'distribution', tls: true }); });

  it('trusts the registry through the CA file', async () => {
    const client = clientFor(reg);
    try { await roundTrip(reg, client); } finally { await client.close(); }
  });

  it('refuses an unknown CA with TLS_ERROR, unless insecure', async () => {
    const strict = new RegistryClient({});
    const insecure = new RegistryClient({ hosts: { [reg.host]: { insecure: true } } });
    try {
      await assert.rejects(strict.listTags({ registry: reg.host, repository: 'bob/x' }, { signal: signal() }), (e: unknown) => isBobError(e, 'TLS_ERROR'));
      await assert.rejects(insecure.listTags({ registry: reg.host, repository: 'bob/x' }, { signal: signal() }), (e: unknown) => isBobError(e, 'NAME_UNKNOWN'));
    } finally {
      await strict.close();
      await insecure.close();
    }
  });
});

describe('oci client against distribution with basic auth', function () {
  this.timeout(120_000);
  let reg: Registry;
  before(async () => { reg = await registry({ kind: 'distribution', auth: 'basic' }); });

  it('pushes and pulls with credentials', async () => {
    const client = clientFor(reg);
    try { await roundTrip(reg, client); } finally { await client.close(); }
  });

  it('fails with UNAUTHORIZED without or with wrong credentials, never echoing them', async () => {
    const anonymous = new RegistryClient({ hosts: { [reg.host]: { plainHttp: true } } });
    const wrong = new RegistryClient({
      hosts: { [reg.host]: { plainHttp: true } },
      credentials: staticCredentials({ [reg.host]: { kind: 'basic', username: 'bob', password: 'wrong-password-123' } }),
    });
    try {
      await assert.rejects(anonymous.listTags({ registry: reg.host, repository: 'bob/x' }, { signal: signal() }), (e: unknown) => isBobError(e, 'UNAUTHORIZED'));
      await assert.rejects(wrong.listTags({ registry: reg.host, repository: 'bob/x' }, { signal: signal() }), (e: unknown) => {
        assert.ok(isBobError(e, 'UNAUTHORIZED'));
        assert.doesNotMatch(describeError(e), /wrong-password-123/);
        return true;
      });
    } finally {
      await anonymous.close();
      await wrong.close();
    }
  });
});

describe('oci client against distribution with bearer tokens', function () {
  this.timeout(120_000);
  let reg: Registry;
  before(async () => { reg = await registry({ kind: 'distribution', auth: 'bearer' }); });

  it('pushes and pulls, caching tokens per scope', async () => {
    const issuer = reg.tokenIssuer;
    assert.ok(issuer !== undefined);
    const pusher = clientFor(reg);
    const puller = clientFor(reg);
    try {
      const repo = { registry: reg.host, repository: `bob/bearer-${randomBytes(3).toString('hex')}` };
      const a = artifact(Buffer.from('behind a token'));
      const beforePush = issuer.requests.length;
      await pushArtifact(pusher, repo, a, 'v1');
      const pushTokens = issuer.requests.slice(beforePush);
      assert.ok(pushTokens.length <= 2, `push used ${pushTokens.length} tokens (pull and pull,push scopes at most)`);
      assert.ok(pushTokens.every((r) => r.authenticated));
      const beforePull = issuer.requests.length;
      await puller.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() });
      assert.equal(issuer.requests.length, beforePull + 1, 'one token for the pull scope');
      assert.deepEqual(issuer.requests.at(-1)?.scopes, [`repository:${repo.repository}:pull`]);
      for (let i = 0; i < 3; i++) await puller.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() });
      const layer = { mediaType: FLUX_CONTENT, digest: sha256(a.layer), size: a.layer.length };
      assert.deepEqual(Buffer.from(await puller.fetchBlobBytes(repo, layer, { signal: signal(), maxBytes: 1024 })), a.layer);
      assert.equal(issuer.requests.length, beforePull + 1, 'cached token reused');
    } finally {
      await pusher.close();
      await puller.close();
    }
  });

  it('anonymous callers get an anonymous token and then UNAUTHORIZED', async () => {
    const issuer = reg.tokenIssuer;
    assert.ok(issuer !== undefined);
    const before = issuer.requests.length;
    const anonymous = new RegistryClient({ hosts: { [reg.host]: { plainHttp: true } } });
    try {
      await assert.rejects(anonymous.listTags({ registry: reg.host, repository: 'bob/x' }, { signal: signal() }), (e: unknown) => isBobError(e, 'UNAUTHORIZED'));
      assert.ok(issuer.requests.slice(before).some((r) => !r.authenticated));
    } finally { await anonymous.close(); }
  });
});

for (const kind of ['olareg', 'zot'] as const) {
  describe(`oci client against ${kind} (referrers API)`, function () {
    this.timeout(120_000);
    let reg: Registry;
    let client: RegistryClient;
    before(async () => {
      reg = await registry({ kind });
      client = clientFor(reg);
    });
    after(async () => { await (client as RegistryClient | undefined)?.close(); });

    it('round trip', async () => { await roundTrip(reg, client); });

    it('lists referrers through the API, filtered by artifactType', async () => {
      assert.equal(reg.referrersApi, true);
      const repo = { registry: reg.host, repository: `bob/referrers-${randomBytes(3).toString('hex')}` };
      const subject = artifact(Buffer.from('subject'));
      await pushArtifact(client, repo, subject, 'v1');
      const subjectDescriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.manifest.length };
      // zot 1.4.3 predates manifest.artifactType: its referrers report the config media type.
      const sig = artifact(Buffer.from('signature'), { subject: subjectDescriptor, annotations: { who: 'bob' } }, 'application/vnd.example.sig');
      const sbom = artifact(Buffer.from('sbom'), { subject: subjectDescriptor }, 'application/spdx+json');
      await pushArtifact(client, repo, sig);
      await pushArtifact(client, repo, sbom);
      const fresh = clientFor(reg);
      try {
        const all = await fresh.listReferrers(repo, subject.digest, { signal: signal() });
        assert.deepEqual(all.map((d) => d.digest).sort(), [sig.digest, sbom.digest].sort());
        assert.equal(fresh.referrersSupport(reg.host), 'api');
        const sigs = await fresh.listReferrers(repo, subject.digest, { signal: signal(), artifactType: 'application/vnd.example.sig' });
        assert.deepEqual(sigs.map((d) => d.digest), [sig.digest]);
        assert.deepEqual(await fresh.listReferrers(repo, sha256(Buffer.from('no such subject')), { signal: signal() }), []);
      } finally { await fresh.close(); }
    });
  });
}
