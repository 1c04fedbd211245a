// RegistryClientOptions.observer: one report per HTTP response (retries,
// redirect hops, HEAD and token requests included, labelled by purpose),
// content bytes as read, host only, and a throwing observer changes nothing.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import {
  staticCredentials, type Descriptor, type RegistryClient, type ObservedResponse, type RegistryObserver,
} from '../../../src/oci/index.ts';
import {
  OCI_MANIFEST_TYPE, buildManifest, rejectsWithCode, sha256, signal, startFakeServer, testClient, type FakeServer, type RecordedRequest,
} from './fake-server.ts';

const LAYER = Buffer.from('observed layer bytes');
const { bytes: MANIFEST, digest: MANIFEST_DIGEST } = buildManifest(LAYER);
const LAYER_DESC: Descriptor = { mediaType: 'application/octet-stream', digest: sha256(LAYER), size: LAYER.length };

function serve(req: RecordedRequest, res: ServerResponse): void {
  const path = req.url.split('?')[0];
  if (path === '/v2/app/manifests/v1') {
    res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE, 'docker-content-digest': MANIFEST_DIGEST, 'content-length': MANIFEST.length });
    res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    return;
  }
  if (path === `/v2/app/blobs/${LAYER_DESC.digest}`) {
    res.writeHead(200, { 'content-length': LAYER.length }).end(LAYER);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
}

/** An observer that records everything it is told. */
function recorder(): RegistryObserver & { responses: ObservedResponse[]; bytes: Map<string, number> } {
  const responses: ObservedResponse[] = [];
  const bytes = new Map<string, number>();
  return {
    responses,
    bytes,
    onResponse: (response) => { responses.push({ ...response }); },
    onBytes: (host, count) => { bytes.set(host, (bytes.get(host) ?? 0) + count); },
  };
}

describe('oci client: the request observer', function () {
  this.timeout(20_000);
  let server: FakeServer;
  const clients: RegistryClient[] = [];
  const client = (observer: RegistryObserver, extra: Parameters<typeof testClient>[0] = {}): RegistryClient => {
    const c = testClient({ observer, ...extra });
    clients.push(c);
    return c;
  };

  beforeEach(async () => { server = await startFakeServer(serve); });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
  });

  it('reports every response by host, method and status, and counts manifest and blob bytes as read', async () => {
    const seen = recorder();
    const c = client(seen);
    const repo = { registry: server.host, repository: 'app' };
    await c.resolve({ ...repo, tag: 'v1' }, { signal: signal() });
    await c.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() });
    await c.fetchBlobBytes(repo, LAYER_DESC, { signal: signal(), maxBytes: 1024 });
    await rejectsWithCode(c.fetchManifest({ ...repo, tag: 'missing' }, { signal: signal() }), 'MANIFEST_UNKNOWN');
    assert.deepEqual(seen.responses, [
      { host: server.host, method: 'HEAD', status: 200, purpose: 'registry' },
      { host: server.host, method: 'GET', status: 200, purpose: 'registry' },
      { host: server.host, method: 'GET', status: 200, purpose: 'registry' },
      { host: server.host, method: 'GET', status: 404, purpose: 'registry' },
    ]);
    // The error body and the HEAD count nothing.
    assert.deepEqual([...seen.bytes], [[server.host, MANIFEST.length + LAYER.length]]);
  });

  it('reports each retry and labels token requests, on the token server\'s host', async () => {
    const tokens = await startFakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'tok-1', expires_in: 300 }));
    });
    try {
      let busy = 1;
      server.handler = (req, res) => {
        if (req.headers.authorization !== 'Bearer tok-1') {
          res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.url}/token",service="fake"` }).end();
          return;
        }
        if (busy-- > 0) {
          res.writeHead(503).end();
          return;
        }
        serve(req, res);
      };
      const seen = recorder();
      const c = client(seen, { credentials: staticCredentials({ [server.host]: { kind: 'basic', username: 'bob', password: 'pw-s3cret' } }) });
      await c.fetchManifest({ registry: server.host, repository: 'app', tag: 'v1' }, { signal: signal() });
      assert.deepEqual(seen.responses, [
        { host: server.host, method: 'GET', status: 401, purpose: 'registry' },
        { host: tokens.host, method: 'GET', status: 200, purpose: 'token' },
        { host: server.host, method: 'GET', status: 503, purpose: 'registry' },
        { host: server.host, method: 'GET', status: 200, purpose: 'registry' },
      ]);
      assert.deepEqual([...seen.bytes], [[server.host, MANIFEST.length]], 'token bodies are not content');
    } finally {
      await tokens.close();
    }
  });

  it('reports both hops of a redirect and credits blob bytes to the host that sent them, with no path or query anywhere', async () => {
    const cdn = await startFakeServer((_req, res) => { res.writeHead(200).end(LAYER); });
    try {
      server.handler = (req, res) => {
        if (req.url.startsWith('/v2/app/blobs/')) {
          res.writeHead(302, { location: `${cdn.url}/blob?X-Amz-Signature=secret-sig` }).end();
          return;
        }
        serve(req, res);
      };
      const seen = recorder();
      await client(seen).fetchBlobBytes({ registry: server.host, repository: 'app' }, LAYER_DESC, { signal: signal(), maxBytes: 1024 });
      assert.deepEqual(seen.responses, [
        { host: server.host, method: 'GET', status: 302, purpose: 'registry' },
        { host: cdn.host, method: 'GET', status: 200, purpose: 'registry' },
      ]);
      assert.deepEqual([...seen.bytes], [[cdn.host, LAYER.length]]);
      assert.doesNotMatch(JSON.stringify(seen.responses), /secret-sig|blobs|\/v2/);
    } finally {
      await cdn.close();
    }
  });

  it('labels lookaside signature reads and counts their bytes', async () => {
    server.handler = (req, res) => {
      if (req.url === '/sigs/signature-1') res.writeHead(200).end('sig-bytes');
      else res.writeHead(404).end();
    };
    const seen = recorder();
    const c = client(seen);
    const found = await c.fetchLookasideSignature(new URL(`${server.url}/sigs/signature-1`), { signal: signal(), maxBytes: 1024 });
    assert.equal(Buffer.from(found?.bytes ?? []).toString(), 'sig-bytes');
    assert.equal(await c.fetchLookasideSignature(new URL(`${server.url}/sigs/signature-2`), { signal: signal(), maxBytes: 1024 }), undefined);
    assert.deepEqual(seen.responses.map((r) => [r.method, r.status, r.purpose]), [['GET', 200, 'lookaside'], ['GET', 404, 'lookaside']]);
    assert.deepEqual([...seen.bytes], [[server.host, 'sig-bytes'.length]]);
  });

  it('an observer that throws changes nothing: same results, same errors', async () => {
    const c = client({
      onResponse: () => { throw new Error('observer broke'); },
      onBytes: () => { throw new Error('observer broke'); },
    });
    const repo = { registry: server.host, repository: 'app' };
    assert.equal((await c.resolve({ ...repo, tag: 'v1' }, { signal: signal() })).digest, MANIFEST_DIGEST);
    assert.deepEqual(Buffer.from(await c.fetchBlobBytes(repo, LAYER_DESC, { signal: signal(), maxBytes: 1024 })), LAYER);
    await rejectsWithCode(c.fetchManifest({ ...repo, tag: 'missing' }, { signal: signal() }), 'MANIFEST_UNKNOWN');
  });

  it('onBytes is optional', async () => {
    const responses: ObservedResponse[] = [];
    const c = client({ onResponse: (r) => { responses.push(r); } });
    await c.fetchBlobBytes({ registry: server.host, repository: 'app' }, LAYER_DESC, { signal: signal(), maxBytes: 1024 });
    assert.equal(responses.length, 1);
  });
});
