// Pulling against hostile servers: reliability.md §6 rows 14–23 and 25.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { staticCredentials, type Descriptor, type RegistryClient } from '../../../src/oci/index.ts';
import { describeError } from '../../../src/shared/index.ts';
import {
  OCI_MANIFEST_TYPE, buildManifest, fakeClock, rejectsWithCode, sha256, signal, startFakeServer, testClient,
  type FakeServer, type RecordedRequest,
} from './fake-server.ts';

const LAYER = Buffer.from('hello, verified world');
const { bytes: MANIFEST, digest: MANIFEST_DIGEST } = buildManifest(LAYER);
const LAYER_DESC: Descriptor = { mediaType: 'application/octet-stream', digest: sha256(LAYER), size: LAYER.length };

type Route = (req: RecordedRequest, res: ServerResponse) => boolean;

/** A well-behaved registry for `app`, with overridable routes tried first. */
function registry(overrides: Route[] = []): (req: RecordedRequest, res: ServerResponse) => void {
  return (req, res) => {
    for (const route of overrides) if (route(req, res)) return;
    const path = req.url.split('?')[0];
    if (path === '/v2/app/manifests/v1' || path === `/v2/app/manifests/${MANIFEST_DIGEST}`) {
      res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE, 'docker-content-digest': MANIFEST_DIGEST, 'content-length': MANIFEST.length });
      res.end(req.method === 'HEAD' ? undefined : MANIFEST);
      return;
    }
    if (path === `/v2/app/blobs/${LAYER_DESC.digest}`) {
      res.writeHead(200, { 'content-length': LAYER.length });
      res.end(req.method === 'HEAD' ? undefined : LAYER);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
  };
}

const route = (method: string, path: string, respond: (res: ServerResponse, req: RecordedRequest) => void): Route => (req, res) => {
  if (req.method !== method || req.url.split('?')[0] !== path) return false;
  respond(res, req);
  return true;
};

describe('oci client: pulling from hostile registries', function () {
  this.timeout(30_000);
  let server: FakeServer;
  let client: RegistryClient;
  let dir: string;
  let repo: { registry: string; repository: string };

  beforeEach(async () => {
    server = await startFakeServer(registry());
    client = testClient();
    dir = mkdtempSync(join(tmpdir(), 'bob-pull-'));
    repo = { registry: server.host, repository: 'app' };
  });
  afterEach(async () => {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const nothingWritten = (): void => { assert.deepEqual(readdirSync(dir), []); };

  it('resolves, fetches by digest and writes a verified blob', async () => {
    const resolved = await client.resolve({ ...repo, tag: 'v1' }, { signal: signal() });
    assert.deepEqual(resolved, { mediaType: OCI_MANIFEST_TYPE, digest: MANIFEST_DIGEST, size: MANIFEST.length });
    assert.equal(server.requests[0]?.method, 'HEAD');
    const fetched = await client.fetchManifestByDescriptor(repo, resolved, { signal: signal() });
    assert.ok(fetched.manifest.kind === 'manifest');
    const layer = fetched.manifest.layers[0];
    assert.ok(layer);
    const file = join(dir, 'layer');
    await client.fetchBlobToFile(repo, layer, file, { signal: signal() });
    assert.deepEqual(readFileSync(file), LAYER);
    assert.deepEqual(readdirSync(dir), ['layer']);
    assert.deepEqual(Buffer.from(await client.fetchBlobBytes(repo, layer, { signal: signal(), maxBytes: 100 })), LAYER);
  });

  it('returns the computed digest when fetched by tag without Docker-Content-Digest', async () => {
    server.handler = registry([route('GET', '/v2/app/manifests/v2', (res) => { res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE }).end(MANIFEST); })]);
    const fetched = await client.fetchManifest({ ...repo, tag: 'v2' }, { signal: signal() });
    assert.equal(fetched.descriptor.digest, MANIFEST_DIGEST);
  });

  it('falls back from HEAD to GET when HEAD has no usable digest', async () => {
    server.handler = registry([route('HEAD', '/v2/app/manifests/v1', (res) => { res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE, 'docker-content-digest': 'sha256:../../x' }).end(); })]);
    const resolved = await client.resolve({ ...repo, tag: 'v1' }, { signal: signal() });
    assert.equal(resolved.digest, MANIFEST_DIGEST);
    assert.deepEqual(server.requests.map((r) => r.method), ['HEAD', 'GET']);
  });

  describe('row 14–16: blob bytes, sizes and digests', () => {
    const cases: [string, (res: ServerResponse) => void, string][] = [
      ['same length, other bytes', (res) => { res.writeHead(200).end(Buffer.alloc(LAYER.length, 0x41)); }, 'BLOB_DIGEST_MISMATCH'],
      ['one byte too many (chunked)', (res) => { res.writeHead(200, { 'transfer-encoding': 'chunked' }); res.write(LAYER); res.end('x'); }, 'BLOB_SIZE_MISMATCH'],
      ['one byte short (chunked)', (res) => { res.writeHead(200, { 'transfer-encoding': 'chunked' }).end(LAYER.subarray(1)); }, 'BLOB_SIZE_MISMATCH'],
      ['Content-Length disagrees', (res) => { res.writeHead(200, { 'content-length': LAYER.length + 5 }).end(Buffer.concat([LAYER, Buffer.from('12345')])); }, 'BLOB_SIZE_MISMATCH'],
      ['Docker-Content-Digest disagrees', (res) => { res.writeHead(200, { 'docker-content-digest': sha256('other') }).end(LAYER); }, 'BLOB_DIGEST_MISMATCH'],
      ['404', (res) => { res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"BLOB_UNKNOWN"}]}'); }, 'BLOB_UNKNOWN'],
    ];
    for (const [name, respond, code] of cases) {
      it(`${name} → ${code}, nothing written`, async () => {
        server.handler = registry([route('GET', `/v2/app/blobs/${LAYER_DESC.digest}`, respond)]);
        await rejectsWithCode(client.fetchBlobToFile(repo, LAYER_DESC, join(dir, 'layer'), { signal: signal() }), code);
        nothingWritten();
      });
    }

    const sizes: [string, number, number | undefined, string][] = [
      ['2^62', 2 ** 62, undefined, 'DESCRIPTOR_INVALID'],
      ['negative', -1, undefined, 'DESCRIPTOR_INVALID'],
      ['fractional', 1.5, undefined, 'DESCRIPTOR_INVALID'],
      ['over maxBytes', 1000, 999, 'BLOB_TOO_LARGE'],
    ];
    for (const [name, size, maxBytes, code] of sizes) {
      it(`size ${name} → ${code} before any request`, async () => {
        const options = maxBytes === undefined ? { signal: signal() } : { signal: signal(), maxBytes };
        await rejectsWithCode(client.fetchBlobToFile(repo, { ...LAYER_DESC, size }, join(dir, 'layer'), options), code);
        assert.equal(server.requests.length, 0);
        nothingWritten();
      });
    }

    it('size 0 with content → BLOB_SIZE_MISMATCH', async () => {
      const empty = { ...LAYER_DESC, digest: sha256(''), size: 0 };
      server.handler = registry([route('GET', `/v2/app/blobs/${empty.digest}`, (res) => { res.writeHead(200).end('surprise'); })]);
      await rejectsWithCode(client.fetchBlobToFile(repo, empty, join(dir, 'layer'), { signal: signal() }), 'BLOB_SIZE_MISMATCH');
      nothingWritten();
    });

    it('the streaming reader fails at the end on a digest mismatch', async () => {
      server.handler = registry([route('GET', `/v2/app/blobs/${LAYER_DESC.digest}`, (res) => { res.writeHead(200).end(Buffer.alloc(LAYER.length)); })]);
      const stream = await client.openBlobReadable(repo, LAYER_DESC, { signal: signal() });
      await assert.rejects(stream.toArray(), (e: unknown) => (e as { code?: string }).code === 'BLOB_DIGEST_MISMATCH');
    });
  });

  describe('row 17: oversized manifests', () => {
    it('declared > 4 MiB → MANIFEST_TOO_LARGE', async () => {
      server.handler = registry([route('GET', '/v2/app/manifests/big', (res) => { res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE, 'content-length': 5 * 1024 * 1024 }); res.write('{'); })]);
      await rejectsWithCode(client.fetchManifest({ ...repo, tag: 'big' }, { signal: signal() }), 'MANIFEST_TOO_LARGE');
    });
    it('endless chunked body is cut at the cap', async () => {
      let sent = 0;
      server.handler = registry([route('GET', '/v2/app/manifests/endless', (res) => {
        res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (!res.destroyed && sent < 64 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) { res.once('drain', pump); return; }
          }
          res.end();
        };
        pump();
      })]);
      await rejectsWithCode(client.fetchManifest({ ...repo, tag: 'endless' }, { signal: signal() }), 'MANIFEST_TOO_LARGE');
      assert.ok(sent < 32 * 1024 * 1024, `server pushed ${sent} bytes`);
    });
    it('descriptor size > 4 MiB → MANIFEST_TOO_LARGE before any request', async () => {
      await rejectsWithCode(client.fetchManifestByDescriptor(repo, { mediaType: OCI_MANIFEST_TYPE, digest: MANIFEST_DIGEST, size: 5 * 1024 * 1024 }, { signal: signal() }), 'MANIFEST_TOO_LARGE');
      assert.equal(server.requests.length, 0);
    });
  });

  describe('row 18: confusing documents', () => {
    const doc = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
    const manifestDoc = JSON.parse(MANIFEST.toString()) as Record<string, unknown>;
    const cases: [string, Buffer, string, string][] = [
      ['manifests + layers', doc({ ...manifestDoc, manifests: [] }), OCI_MANIFEST_TYPE, 'MANIFEST_AMBIGUOUS'],
      ['mediaType ≠ Content-Type', MANIFEST, 'application/vnd.oci.image.index.v1+json', 'MANIFEST_MEDIA_TYPE_MISMATCH'],
      ['unknown schemaVersion', doc({ ...manifestDoc, schemaVersion: 3 }), OCI_MANIFEST_TYPE, 'MANIFEST_UNSUPPORTED'],
      ['schema1', doc({ schemaVersion: 1, name: 'app', tag: 'v1', fsLayers: [] }), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'MANIFEST_UNSUPPORTED'],
    ];
    for (const [name, body, contentType, code] of cases) {
      it(`${name} → ${code}`, async () => {
        server.handler = registry([route('GET', '/v2/app/manifests/odd', (res) => { res.writeHead(200, { 'content-type': contentType }).end(body); })]);
        await rejectsWithCode(client.fetchManifest({ ...repo, tag: 'odd' }, { signal: signal() }), code);
      });
    }
    it('a descriptor expecting an index gets a manifest → MANIFEST_MEDIA_TYPE_MISMATCH', async () => {
      await rejectsWithCode(client.fetchManifestByDescriptor(repo, { mediaType: 'application/vnd.oci.image.index.v1+json', digest: MANIFEST_DIGEST, size: MANIFEST.length }, { signal: signal() }), 'MANIFEST_MEDIA_TYPE_MISMATCH');
    });
  });

  describe('row 19: HEAD says A, GET gives B', () => {
    const other = buildManifest(Buffer.from('evil')).bytes;
    it('GET by digest returning other bytes → MANIFEST_DIGEST_MISMATCH', async () => {
      server.handler = registry([route('GET', `/v2/app/manifests/${MANIFEST_DIGEST}`, (res) => { res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE }).end(other); })]);
      const resolved = await client.resolve({ ...repo, tag: 'v1' }, { signal: signal() });
      await rejectsWithCode(client.fetchManifestByDescriptor(repo, { ...resolved, size: other.length }, { signal: signal() }), 'MANIFEST_DIGEST_MISMATCH');
    });
    it('Docker-Content-Digest naming B on a tag fetch → MANIFEST_DIGEST_MISMATCH', async () => {
      server.handler = registry([route('GET', '/v2/app/manifests/v1', (res) => { res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE, 'docker-content-digest': sha256(other) }).end(MANIFEST); })]);
      await rejectsWithCode(client.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() }), 'MANIFEST_DIGEST_MISMATCH');
    });
    it('HEAD by digest answering another digest → MANIFEST_DIGEST_MISMATCH', async () => {
      server.handler = registry([route('HEAD', `/v2/app/manifests/${MANIFEST_DIGEST}`, (res) => {
        res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE, 'docker-content-digest': sha256(other), 'content-length': 10 }).end();
      })]);
      await rejectsWithCode(client.resolve({ ...repo, digest: MANIFEST_DIGEST }, { signal: signal() }), 'MANIFEST_DIGEST_MISMATCH');
    });
  });

  describe('row 20: malformed names never reach a URL', () => {
    it('bad digests and tags are refused before any request', async () => {
      await rejectsWithCode(client.fetchBlobToFile(repo, { ...LAYER_DESC, digest: 'sha256:../../etc/passwd' }, join(dir, 'x'), { signal: signal() }), 'DIGEST_INVALID');
      await rejectsWithCode(client.fetchManifest({ ...repo, tag: '../x' }, { signal: signal() }), 'REFERENCE_INVALID');
      await rejectsWithCode(client.fetchManifest({ registry: server.host, repository: '../etc' }, { signal: signal() }), 'NAME_INVALID');
      assert.equal(server.requests.length, 0);
      nothingWritten();
    });
    it('a tag list entry `../x` → TAG_INVALID', async () => {
      server.handler = registry([route('GET', '/v2/app/tags/list', (res) => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"app","tags":["v1","../x"]}'); })]);
      await rejectsWithCode(client.listTags(repo, { signal: signal() }), 'TAG_INVALID');
    });
  });

  describe('row 22–23: redirects', () => {
    let cdn: FakeServer;
    beforeEach(async () => { cdn = await startFakeServer((_r, res) => { res.writeHead(200).end(LAYER); }); });
    afterEach(async () => { await cdn.close(); });

    it('follows a 302 to another host without Authorization or cookies, and still verifies', async () => {
      const authed = testClient({ credentials: staticCredentials({ [server.host]: { kind: 'basic', username: 'u', password: 'sekret' } }) });
      server.handler = registry([(req, res) => {
        if (req.headers.authorization === undefined) { res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end(); return true; }
        return false;
      }, route('GET', `/v2/app/blobs/${LAYER_DESC.digest}`, (res) => { res.writeHead(302, { location: `${cdn.url}/blob?X-Amz-Signature=abc` }).end(); })]);
      try {
        const file = join(dir, 'layer');
        await authed.fetchBlobToFile(repo, LAYER_DESC, file, { signal: signal() });
        assert.deepEqual(readFileSync(file), LAYER);
        assert.equal(cdn.requests.length, 1);
        assert.equal(cdn.requests[0]?.headers.authorization, undefined);
        assert.equal(cdn.requests[0]?.headers.cookie, undefined);
        assert.equal(cdn.requests[0]?.url, '/blob?X-Amz-Signature=abc');
        cdn.handler = (_r, res) => { res.writeHead(200).end(Buffer.alloc(LAYER.length)); };
        const error = await rejectsWithCode(authed.fetchBlobToFile(repo, LAYER_DESC, join(dir, 'layer2'), { signal: signal() }), 'BLOB_DIGEST_MISMATCH');
        assert.doesNotMatch(describeError(error), /sekret|X-Amz/);
      } finally {
        await authed.close();
      }
    });

    it('a 401 from the redirect target gets no credentials → UNAUTHORIZED', async () => {
      const authed = testClient({ credentials: staticCredentials({ [server.host]: { kind: 'basic', username: 'u', password: 'sekret' } }) });
      cdn.handler = (_r, res) => { res.writeHead(401, { 'www-authenticate': 'Basic realm="cdn"' }).end(); };
      server.handler = registry([route('GET', `/v2/app/blobs/${LAYER_DESC.digest}`, (res) => { res.writeHead(307, { location: `${cdn.url}/blob` }).end(); })]);
      try {
        await rejectsWithCode(authed.fetchBlobToFile(repo, LAYER_DESC, join(dir, 'layer'), { signal: signal() }), 'UNAUTHORIZED');
        assert.ok(cdn.requests.every((r) => r.headers.authorization === undefined));
        nothingWritten();
      } finally {
        await authed.close();
      }
    });

    const unsafe: [string, string, string][] = [
      ['file:', 'file:///etc/passwd', 'REDIRECT_UNSAFE'],
      ['link-local metadata', 'http://169.254.169.254/latest/meta-data/', 'REDIRECT_UNSAFE'],
      ['gopher', 'gopher://127.0.0.1/x', 'REDIRECT_UNSAFE'],
    ];
    for (const [name, location, code] of unsafe) {
      it(`refuses a redirect to ${name}`, async () => {
        server.handler = registry([route('GET', `/v2/app/blobs/${LAYER_DESC.digest}`, (res) => { res.writeHead(302, { location }).end(); })]);
        await rejectsWithCode(client.fetchBlobToFile(repo, LAYER_DESC, join(dir, 'layer'), { signal: signal() }), code);
        nothingWritten();
      });
    }

    it('refuses a redirect whose body never ends, and close() still returns', async function () {
      this.timeout(10_000); // a hang here is the bug: close() used to wait on the unread body
      server.handler = registry([route('GET', `/v2/app/blobs/${LAYER_DESC.digest}`, (res) => {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        const more = (): void => { if (!res.destroyed && res.write(Buffer.alloc(16 * 1024))) setImmediate(more); };
        res.on('drain', more);
        more();
      })]);
      await rejectsWithCode(client.fetchBlobToFile(repo, LAYER_DESC, join(dir, 'layer'), { signal: signal() }), 'REDIRECT_UNSAFE');
      await client.close();
      nothingWritten();
    });

    it('refuses more than 5 hops → REDIRECT_LIMIT', async () => {
      server.handler = (req, res) => { res.writeHead(302, { location: `/hop${req.url.length}` }).end(); };
      await rejectsWithCode(client.fetchBlobToFile(repo, LAYER_DESC, join(dir, 'layer'), { signal: signal() }), 'REDIRECT_LIMIT');
      assert.equal(server.requests.length, 6);
    });
  });

  describe('row 25: rate limits, storms and resets', () => {
    it('waits Retry-After seconds, then succeeds', async () => {
      const clock = fakeClock();
      const logged: string[] = [];
      const c = testClient({ clock, logger: { debug: (message, fields) => { logged.push(`${message} ${JSON.stringify(fields)}`); } } });
      let calls = 0;
      server.handler = registry([(req, res) => {
        if (req.method !== 'GET' || calls++ > 0) return false;
        res.writeHead(429, { 'retry-after': '5' }).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
        return true;
      }]);
      try {
        await c.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() });
        assert.deepEqual(clock.sleeps, [5000]);
        assert.equal(logged.length, 1);
        assert.match(logged[0] ?? '', /retryable status.*"status":429.*"delayMs":5000/);
      } finally { await c.close(); }
    });

    it('honours an HTTP-date Retry-After', async () => {
      const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
      const c = testClient({ clock });
      let calls = 0;
      server.handler = registry([(_req, res) => {
        if (calls++ > 0) return false;
        res.writeHead(503, { 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }).end();
        return true;
      }]);
      try {
        await c.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() });
        assert.deepEqual(clock.sleeps, [7000]);
      } finally { await c.close(); }
    });

    it('Retry-After beyond the cap → RATE_LIMITED at once, carrying retry-after', async () => {
      const clock = fakeClock();
      const c = testClient({ clock });
      server.handler = (_req, res) => { res.writeHead(429, { 'retry-after': '86400' }).end(); };
      try {
        const error = await rejectsWithCode(c.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() }), 'RATE_LIMITED');
        assert.equal(error.details['retryAfterSeconds'], 86400);
        assert.equal(error.errorClass, 'transient');
        assert.equal(server.requests.length, 1);
        assert.deepEqual(clock.sleeps, []);
      } finally { await c.close(); }
    });

    it('garbage Retry-After falls back to bounded backoff; a 503 storm ends in REGISTRY_UNAVAILABLE', async () => {
      const clock = fakeClock();
      const c = testClient({ clock });
      server.handler = (_req, res) => { res.writeHead(503, { 'retry-after': 'soon-ish' }).end(); };
      try {
        await rejectsWithCode(c.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() }), 'REGISTRY_UNAVAILABLE');
        assert.equal(server.requests.length, 5);
        assert.equal(clock.sleeps.length, 4);
        assert.ok(clock.sleeps.every((ms) => ms > 0 && ms <= 10_000));
        assert.ok(clock.sleeps.reduce((a, b) => a + b, 0) <= 60_000);
      } finally { await c.close(); }
    });

    it('does not retry a 404 or a 400', async () => {
      server.handler = (_req, res) => { res.writeHead(400).end(); };
      await rejectsWithCode(client.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() }), 'HTTP_ERROR');
      assert.equal(server.requests.length, 1);
    });

    it('ECONNRESET mid-blob restarts the download; persistent resets fail clean', async () => {
      let resets = 1;
      server.handler = registry([route('GET', `/v2/app/blobs/${LAYER_DESC.digest}`, (res) => {
        if (resets-- > 0) {
          res.writeHead(200, { 'content-length': LAYER.length });
          res.write(LAYER.subarray(0, 5));
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        }
        res.writeHead(200).end(LAYER);
      })]);
      const file = join(dir, 'layer');
      await client.fetchBlobToFile(repo, LAYER_DESC, file, { signal: signal() });
      assert.deepEqual(readFileSync(file), LAYER);
      rmSync(file);
      resets = 100;
      const error = await rejectsWithCode(client.fetchBlobToFile(repo, LAYER_DESC, file, { signal: signal() }), 'NETWORK_ERROR');
      assert.equal(error.errorClass, 'transient');
      nothingWritten();
    });

    it('a connection refused is retried, then NETWORK_ERROR', async () => {
      const clock = fakeClock();
      const c = testClient({ clock });
      try {
        await rejectsWithCode(c.fetchManifest({ registry: '127.0.0.1:1', repository: 'app', tag: 'v1' }, { signal: signal() }), 'NETWORK_ERROR');
        assert.equal(clock.sleeps.length, 4);
      } finally { await c.close(); }
    });

    it('an aborted signal → ABORTED', async () => {
      server.handler = () => { /* never answers */ };
      await rejectsWithCode(client.fetchManifest({ ...repo, tag: 'v1' }, { signal: AbortSignal.timeout(100) }), 'ABORTED');
    });
  });

  describe('row 26: bounded bodies', () => {
    it('a 100 MB error body is read only up to the cap', async () => {
      let sent = 0;
      server.handler = (_req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (!res.destroyed && sent < 100 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) { res.once('drain', pump); return; }
          }
          res.end();
        };
        pump();
      };
      await rejectsWithCode(client.fetchManifest({ ...repo, tag: 'v1' }, { signal: signal() }), 'MANIFEST_UNKNOWN');
      assert.ok(sent < 50 * 1024 * 1024, `server pushed ${sent} bytes`);
    });
  });
});
