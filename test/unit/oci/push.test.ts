// Push, tag, delete, tags pagination and referrers (API and tag schema)
// against an in-memory distribution-spec registry with toggles.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { OCI_INDEX, toReferrersTag, type RegistryClient } from '../../../src/oci/index.ts';
import {
  OCI_INDEX_TYPE, OCI_MANIFEST_TYPE, buildManifest, rejectsWithCode, sha256, signal, startFakeServer, testClient,
  type FakeServer, type RecordedRequest,
} from './fake-server.ts';

interface Toggles {
  referrersApi: boolean;
  mount: boolean;
  ociSubjectHeader: boolean;
  ignoreFilter: boolean;
  tagPageLink: (last: string) => string | undefined;
}

interface Store {
  blobs: Map<string, Buffer>;
  manifests: Map<string, { bytes: Buffer; type: string }>;
  tags: Map<string, string>;
  uploads: Map<string, Buffer>;
}

function memoryRegistry(toggles: Toggles, store: Store): (req: RecordedRequest, res: ServerResponse) => void {
  let uploadId = 0;
  return (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/(\w*)$/.exec(path)) !== null) {
      const id = m[2] ?? '';
      if (req.method === 'POST') {
        const mount = url.searchParams.get('mount');
        if (mount !== null && toggles.mount && store.blobs.has(mount)) { res.writeHead(201, { location: `/v2/${m[1]}/blobs/${mount}` }).end(); return; }
        const newId = `u${++uploadId}`;
        store.uploads.set(newId, Buffer.alloc(0));
        res.writeHead(202, { location: `/v2/${m[1]}/blobs/uploads/${newId}?_state=opaque` }).end();
        return;
      }
      const current = store.uploads.get(id);
      if (current === undefined) { res.writeHead(404).end('{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]}'); return; }
      if (req.method === 'PATCH') {
        const [start] = (req.headers['content-range'] ?? '').split('-').map(Number);
        if (start !== current.length) { res.writeHead(416).end(); return; }
        store.uploads.set(id, Buffer.concat([current, req.body]));
        res.writeHead(202, { location: `/v2/${m[1]}/blobs/uploads/${id}?_state=next`, range: `0-${current.length + req.body.length - 1}` }).end();
        return;
      }
      if (req.method === 'PUT') {
        const all = Buffer.concat([current, req.body]);
        const digest = url.searchParams.get('digest') ?? '';
        if (sha256(all) !== digest) { res.writeHead(400).end('{"errors":[{"code":"DIGEST_INVALID"}]}'); return; }
        store.blobs.set(digest, all);
        res.writeHead(201, { location: `/v2/${m[1]}/blobs/${digest}`, 'docker-content-digest': digest }).end();
        return;
      }
    }
    if ((m = /^\/v2\/(.+)\/blobs\/(sha256:\w+)$/.exec(path)) !== null) {
      const blob = store.blobs.get(m[2] ?? '');
      if (blob === undefined) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-length': blob.length }).end(req.method === 'HEAD' ? undefined : blob);
      return;
    }
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path)) !== null) {
      const ref = m[2] ?? '';
      if (req.method === 'PUT') {
        const digest = sha256(req.body);
        store.manifests.set(digest, { bytes: req.body, type: req.headers['content-type'] ?? '' });
        if (!ref.startsWith('sha256:')) store.tags.set(ref, digest);
        const doc = JSON.parse(req.body.toString()) as { subject?: { digest: string } };
        const headers: Record<string, string> = { 'docker-content-digest': digest, location: `/v2/${m[1]}/manifests/${digest}` };
        if (doc.subject !== undefined && toggles.ociSubjectHeader) headers['oci-subject'] = doc.subject.digest;
        res.writeHead(201, headers).end();
        return;
      }
      const digest = ref.startsWith('sha256:') ? ref : store.tags.get(ref);
      const found = digest === undefined ? undefined : store.manifests.get(digest);
      if (req.method === 'DELETE') {
        if (digest === undefined || !store.manifests.delete(digest)) { res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'); return; }
        res.writeHead(202).end();
        return;
      }
      if (found === undefined || digest === undefined) { res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'); return; }
      res.writeHead(200, { 'content-type': found.type, 'docker-content-digest': digest, 'content-length': found.bytes.length });
      res.end(req.method === 'HEAD' ? undefined : found.bytes);
      return;
    }
    if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(path)) !== null) {
      const all = [...store.tags.keys()].sort();
      const n = Number(url.searchParams.get('n') ?? '1000');
      const last = url.searchParams.get('last');
      const start = last === null ? 0 : all.indexOf(last) + 1;
      const page = all.slice(start, start + n);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const link = page.length === n && start + n < all.length ? toggles.tagPageLink(page[page.length - 1] ?? '') : undefined;
      if (link !== undefined) headers['link'] = link;
      res.writeHead(200, headers).end(JSON.stringify({ name: m[1], tags: page }));
      return;
    }
    if ((m = /^\/v2\/(.+)\/referrers\/(sha256:\w+)$/.exec(path)) !== null && toggles.referrersApi) {
      const subject = m[2];
      const type = url.searchParams.get('artifactType');
      const manifests = [...store.manifests.entries()].flatMap(([digest, { bytes, type: mediaType }]) => {
        const doc = JSON.parse(bytes.toString()) as { subject?: { digest: string }; artifactType?: string; config?: { mediaType: string }; annotations?: Record<string, string> };
        if (doc.subject?.digest !== subject) return [];
        const artifactType = doc.artifactType ?? doc.config?.mediaType;
        return [{ mediaType, digest, size: bytes.length, ...(artifactType === undefined ? {} : { artifactType }), ...(doc.annotations ? { annotations: doc.annotations } : {}) }];
      }).filter((d) => toggles.ignoreFilter || type === null || d.artifactType === type);
      const headers: Record<string, string> = { 'content-type': OCI_INDEX };
      if (type !== null && !toggles.ignoreFilter) headers['oci-filters-applied'] = 'artifactType';
      res.writeHead(200, headers).end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
      return;
    }
    res.writeHead(404).end();
  };
}

describe('oci client: push, tags and referrers', function () {
  this.timeout(30_000);
  let server: FakeServer;
  let client: RegistryClient;
  let store: Store;
  let toggles: Toggles;
  let repo: { registry: string; repository: string };

  beforeEach(async () => {
    store = { blobs: new Map(), manifests: new Map(), tags: new Map(), uploads: new Map() };
    toggles = { referrersApi: false, mount: true, ociSubjectHeader: false, ignoreFilter: false, tagPageLink: (last) => `</v2/app/tags/list?n=2&last=${last}>; rel="next"` };
    server = await startFakeServer(memoryRegistry(toggles, store));
    client = testClient();
    repo = { registry: server.host, repository: 'app' };
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  const methods = (): string[] => server.requests.map((r) => r.method);

  it('pushes monolithically (POST + PUT) and skips an existing blob', async () => {
    const data = Buffer.from('monolithic blob');
    assert.deepEqual(await client.pushBlob(repo, data, { signal: signal() }), { digest: sha256(data), size: data.length, outcome: 'uploaded' });
    assert.deepEqual(methods(), ['HEAD', 'POST', 'PUT']);
    assert.deepEqual(store.blobs.get(sha256(data)), data);
    const again = await client.pushBlob(repo, data, { signal: signal() });
    assert.equal(again.outcome, 'existed');
  });

  it('refuses a stream source whose bytes disagree with its declared size (a file changed after digesting)', async () => {
    const data = Buffer.from('0123456789');
    for (const [size, chunkSize] of [[data.length + 5, undefined], [data.length - 1, undefined], [data.length + 5, 4]] as const) {
      const source = { digest: sha256(data), size, open: async function* () { await Promise.resolve(); yield data; } };
      await rejectsWithCode(client.pushBlob(repo, source, { signal: signal(), ...(chunkSize === undefined ? {} : { chunkSize }) }), 'SIZE_INVALID');
    }
    assert.equal(store.blobs.get(sha256(data)), undefined);
  });

  it('pushes in chunks with Content-Range, from a stream', async () => {
    const data = Buffer.from('0123456789abcdefghijXYZ');
    const source = { digest: sha256(data), size: data.length, open: async function* () { await Promise.resolve(); yield data.subarray(0, 7); yield data.subarray(7); } };
    await client.pushBlob(repo, source, { signal: signal(), chunkSize: 10 });
    assert.deepEqual(methods(), ['HEAD', 'POST', 'PATCH', 'PATCH', 'PATCH', 'PUT']);
    assert.deepEqual(server.requests.filter((r) => r.method === 'PATCH').map((r) => r.headers['content-range']), ['0-9', '10-19', '20-22']);
    assert.match(server.requests.at(-1)?.url ?? '', /_state=next&digest=sha256/);
    assert.deepEqual(store.blobs.get(sha256(data)), data);
  });

  it('mounts across repositories, and uploads when the registry answers 202', async () => {
    const data = Buffer.from('shared');
    await client.pushBlob({ ...repo, repository: 'other' }, data, { signal: signal() });
    server.requests.length = 0;
    store.blobs.clear();
    toggles.mount = false;
    const uploaded = await client.pushBlob(repo, data, { signal: signal(), mountFrom: 'other' });
    assert.equal(uploaded.outcome, 'uploaded');
    assert.match(server.requests[1]?.url ?? '', /mount=sha256%3A\w+&from=other/);
    toggles.mount = true;
    const inner = server.handler;
    // The in-memory store is registry-wide; pretend `third` lacks the blob.
    server.handler = (req, res) => {
      if (req.method === 'HEAD' && req.url.startsWith('/v2/third/blobs/')) { res.writeHead(404).end(); return; }
      return inner(req, res);
    };
    const mounted = await client.pushBlob({ ...repo, repository: 'third' }, data, { signal: signal(), mountFrom: 'app' });
    assert.equal(mounted.outcome, 'mounted');
  });

  it('surfaces registry errors from the upload', async () => {
    const data = Buffer.from('x');
    await rejectsWithCode(client.pushBlob(repo, { digest: sha256('other'), size: 1, open: async function* () { await Promise.resolve(); yield data; } }, { signal: signal() }), 'DIGEST_INVALID');
  });

  it('pushes a manifest by tag, tags it again, deletes it', async () => {
    const layer = Buffer.from('layer');
    const { bytes, digest } = buildManifest(layer);
    const pushed = await client.pushManifest(repo, bytes, { signal: signal(), mediaType: OCI_MANIFEST_TYPE, reference: 'v1' });
    assert.equal(pushed.digest, digest);
    await client.tag({ ...repo, tag: 'v1' }, 'stable', { signal: signal() });
    assert.equal(store.tags.get('stable'), digest);
    assert.deepEqual((await client.fetchManifest({ ...repo, tag: 'stable' }, { signal: signal() })).bytes, bytes);
    await client.deleteManifest(repo, digest, { signal: signal() });
    await rejectsWithCode(client.fetchManifest({ ...repo, digest }, { signal: signal() }), 'MANIFEST_UNKNOWN');
    await rejectsWithCode(client.deleteManifest(repo, digest, { signal: signal() }), 'MANIFEST_UNKNOWN');
    await rejectsWithCode(client.tag({ ...repo, tag: 'v1' }, '../bad', { signal: signal() }), 'TAG_INVALID');
  });

  it('refuses to push what it would refuse to pull', async () => {
    await rejectsWithCode(client.pushManifest(repo, Buffer.from('{"schemaVersion":2,"manifests":[],"layers":[]}'), { signal: signal(), mediaType: OCI_INDEX_TYPE }), 'MANIFEST_AMBIGUOUS');
    assert.equal(server.requests.length, 0);
  });

  describe('tags', () => {
    beforeEach(() => { for (const t of ['a', 'b', 'c', 'd', 'e']) store.tags.set(t, sha256(t)); });
    it('follows Link pagination', async () => {
      assert.deepEqual(await client.listTags(repo, { signal: signal(), pageSize: 2 }), ['a', 'b', 'c', 'd', 'e']);
      assert.equal(server.requests.length, 3);
    });
    it('refuses a cross-origin Link', async () => {
      toggles.tagPageLink = () => '<http://127.0.0.1:1/v2/app/tags/list?n=2>; rel="next"';
      await rejectsWithCode(client.listTags(repo, { signal: signal(), pageSize: 2 }), 'PAGINATION_INVALID');
    });
    it('stops an endless Link chain at 20 pages', async () => {
      server.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', link: `</v2/app/tags/list?page=${server.requests.length}>; rel="next"` });
        res.end('{"name":"app","tags":["x"]}');
      };
      await rejectsWithCode(client.listTags(repo, { signal: signal() }), 'PAGINATION_LIMIT');
      assert.equal(server.requests.length, 20);
    });
    it('an unknown repository → NAME_UNKNOWN', async () => {
      server.handler = (_req, res) => { res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}'); };
      await rejectsWithCode(client.listTags(repo, { signal: signal() }), 'NAME_UNKNOWN');
    });
  });

  describe('referrers', () => {
    const subjectLayer = Buffer.from('subject layer');
    let subject: { bytes: Buffer; digest: string };

    const pushReferrer = async (artifactType: string, note: string): Promise<string> => {
      const { bytes } = buildManifest(Buffer.from(note), {
        artifactType, subject: { mediaType: OCI_MANIFEST_TYPE, digest: subject.digest, size: subject.bytes.length }, annotations: { note },
      });
      return (await client.pushManifest(repo, bytes, { signal: signal(), mediaType: OCI_MANIFEST_TYPE })).digest;
    };

    beforeEach(async () => {
      subject = buildManifest(subjectLayer);
      await client.pushManifest(repo, subject.bytes, { signal: signal(), mediaType: OCI_MANIFEST_TYPE, reference: 'v1' });
    });

    it('without the API: maintains and reads the tag-schema index, deduplicated', async () => {
      const sig = await pushReferrer('application/vnd.dev.cosign.artifact.sig.v1+json', 'sig');
      const sbom = await pushReferrer('application/spdx+json', 'sbom');
      const tagged = store.tags.get(toReferrersTag(subject.digest));
      assert.ok(tagged);
      const index = JSON.parse(store.manifests.get(tagged)?.bytes.toString() ?? '{}') as { mediaType: string; manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[] };
      assert.equal(index.mediaType, OCI_INDEX);
      assert.deepEqual(index.manifests.map((d) => [d.digest, d.artifactType, d.annotations['note']]), [
        [sig, 'application/vnd.dev.cosign.artifact.sig.v1+json', 'sig'], [sbom, 'application/spdx+json', 'sbom'],
      ]);
      // Re-pushing the same referrer does not duplicate it.
      await pushReferrer('application/spdx+json', 'sbom');
      const listed = await client.listReferrers(repo, subject.digest, { signal: signal() });
      assert.deepEqual(listed.map((d) => d.digest), [sig, sbom]);
      assert.equal(client.referrersSupport(server.host), 'tag', 'a 404 for an existing subject means no API');
      const onlySbom = await client.listReferrers(repo, subject.digest, { signal: signal(), artifactType: 'application/spdx+json' });
      assert.deepEqual(onlySbom.map((d) => d.digest), [sbom]);
      assert.ok(!server.requests.slice(-2).some((r) => r.url.includes('/referrers/')), 'capability remembered');
    });

    it('no referrers and no API → empty list', async () => {
      assert.deepEqual(await client.listReferrers(repo, subject.digest, { signal: signal() }), []);
    });

    it('with the API: no fallback tag is written; the filter is applied even when the server ignores it', async () => {
      toggles.referrersApi = true;
      toggles.ociSubjectHeader = true;
      toggles.ignoreFilter = true;
      const sig = await pushReferrer('application/vnd.dev.cosign.artifact.sig.v1+json', 'sig');
      await pushReferrer('application/spdx+json', 'sbom');
      assert.equal(store.tags.has(toReferrersTag(subject.digest)), false);
      assert.equal(client.referrersSupport(server.host), 'api');
      const sigs = await client.listReferrers(repo, subject.digest, { signal: signal(), artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' });
      assert.deepEqual(sigs.map((d) => [d.digest, d.annotations?.['note']]), [[sig, 'sig']]);
      assert.match(server.requests.at(-1)?.url ?? '', /artifactType=application%2Fvnd\.dev\.cosign/);
    });

    it('follows referrers pagination and bounds it', async () => {
      server.handler = (req, res) => {
        if (!req.url.includes('/referrers/')) { res.writeHead(404).end(); return; }
        const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? '0');
        res.writeHead(200, { 'content-type': OCI_INDEX, link: `</v2/app/referrers/${subject.digest}?page=${page + 1}>; rel="next"` });
        res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST_TYPE, digest: sha256(String(page)), size: 1, artifactType: 't' }] }));
      };
      await rejectsWithCode(client.listReferrers(repo, subject.digest, { signal: signal() }), 'PAGINATION_LIMIT');
    });

    it('a referrers answer with a malformed descriptor → MANIFEST_INVALID', async () => {
      server.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': OCI_INDEX }).end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: 'x', digest: 'sha256:../x', size: 1 }] }));
      };
      await rejectsWithCode(client.listReferrers(repo, subject.digest, { signal: signal() }), 'MANIFEST_INVALID');
    });

    it('a 404 NAME_UNKNOWN from the referrers API → NAME_UNKNOWN', async () => {
      server.handler = (_req, res) => { res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}'); };
      await rejectsWithCode(client.listReferrers(repo, subject.digest, { signal: signal() }), 'NAME_UNKNOWN');
    });
  });
});
