// Auth flows against fake registries and token servers: reliability.md §6
// rows 24 and 26 (token body), the distribution token spec, caches.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticCredentials, type Credential, type RegistryClient } from '../../../src/oci/index.ts';
import { describeError } from '../../../src/shared/index.ts';
import {
  OCI_MANIFEST_TYPE, buildManifest, fakeClock, rejectsWithCode, signal, startFakeServer, testClient, type FakeServer,
} from './fake-server.ts';

const { bytes: MANIFEST } = buildManifest(Buffer.from('layer'));
const PASSWORD = 'pa55-w0rd-secret';

describe('oci client: authentication', function () {
  this.timeout(30_000);
  let registry: FakeServer;
  let tokens: FakeServer;
  let issued: number;
  const clients: RegistryClient[] = [];
  const client = (credential?: Credential, clock = fakeClock()): RegistryClient => {
    const c = testClient({ clock, ...(credential === undefined ? {} : { credentials: staticCredentials({ [registry.host]: credential }) }) });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    issued = 0;
    tokens = await startFakeServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      const expected = `Basic ${Buffer.from(`bob:${PASSWORD}`).toString('base64')}`;
      if (req.headers.authorization !== undefined && req.headers.authorization !== expected) { res.writeHead(401).end(); return; }
      issued++;
      const who = req.headers.authorization === undefined ? 'anon' : 'bob';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: `tok-${who}-${url.searchParams.getAll('scope').join('+')}-${issued}`, expires_in: 300 }));
    });
    registry = await startFakeServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer tok-')) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.url}/token",service="fake",scope="repository:app:pull"` });
        res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE }).end(MANIFEST);
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await registry.close();
    await tokens.close();
  });

  const fetch = (c: RegistryClient, tag = 'v1'): Promise<unknown> => c.fetchManifest({ registry: registry.host, repository: 'app', tag }, { signal: signal() });

  it('gets a bearer token with Basic credentials and scope, then reuses it', async () => {
    const c = client({ kind: 'basic', username: 'bob', password: PASSWORD });
    await fetch(c);
    assert.equal(issued, 1);
    const tokenRequest = tokens.requests[0];
    const url = new URL(tokenRequest?.url ?? '/', 'http://x');
    assert.equal(url.searchParams.get('service'), 'fake');
    assert.deepEqual(url.searchParams.getAll('scope'), ['repository:app:pull']);
    assert.equal(url.searchParams.get('account'), 'bob');
    assert.match(registry.requests[1]?.headers.authorization ?? '', /^Bearer tok-bob-/);
    await fetch(c, 'v2');
    await fetch(c, 'v3');
    assert.equal(issued, 1, 'cached token reused');
    assert.equal(registry.requests.length, 4, 'later requests carry the token up front');
  });

  it('asks for an anonymous token when there are no credentials', async () => {
    await fetch(client());
    assert.equal(tokens.requests[0]?.headers.authorization, undefined);
    assert.match(registry.requests[1]?.headers.authorization ?? '', /^Bearer tok-anon-/);
  });

  it('refreshes after expires_in', async () => {
    const clock = fakeClock();
    const c = client({ kind: 'basic', username: 'bob', password: PASSWORD }, clock);
    await fetch(c);
    clock.now = ((t: number) => () => t)(clock.now() + 301_000);
    await fetch(c);
    assert.equal(issued, 2);
  });

  it('shares one token fetch among concurrent requests', async () => {
    const c = client({ kind: 'basic', username: 'bob', password: PASSWORD });
    await Promise.all([fetch(c), fetch(c), fetch(c), fetch(c)]);
    assert.equal(issued, 1);
  });

  it('retries once after a 401 with a fresh token, then UNAUTHORIZED', async () => {
    registry.handler = (_req, res) => { res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.url}/token"` }).end(); };
    const error = await rejectsWithCode(fetch(client({ kind: 'basic', username: 'bob', password: PASSWORD })), 'UNAUTHORIZED');
    assert.equal(registry.requests.length, 2);
    assert.doesNotMatch(describeError(error), new RegExp(`${PASSWORD}|tok-`));
  });

  it('a token server refusing credentials → UNAUTHORIZED without the password', async () => {
    const error = await rejectsWithCode(fetch(client({ kind: 'basic', username: 'bob', password: 'wrong-secret' })), 'UNAUTHORIZED');
    assert.doesNotMatch(describeError(error), /wrong-secret/);
  });

  it('exchanges an identity token by POSTing a refresh_token grant', async () => {
    tokens.handler = (req, res) => {
      const form = new URLSearchParams(req.body.toString());
      assert.equal(req.method, 'POST');
      assert.equal(form.get('grant_type'), 'refresh_token');
      assert.equal(form.get('refresh_token'), 'refresh-xyz');
      assert.equal(form.get('scope'), 'repository:app:pull');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"tok-oauth"}');
    };
    await fetch(client({ kind: 'refresh-token', token: 'refresh-xyz' }));
    assert.equal(registry.requests[1]?.headers.authorization, 'Bearer tok-oauth');
  });

  it('sends a registry token as is', async () => {
    await fetch(client({ kind: 'access-token', token: 'tok-static' }));
    assert.equal(tokens.requests.length, 0);
    assert.equal(registry.requests[1]?.headers.authorization, 'Bearer tok-static');
  });

  const badTokens: [string, (res: ServerResponse) => void, string][] = [
    ['a 100 MB token response', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (!res.destroyed && sent < 100 * 1024 * 1024) { sent += chunk.length; if (!res.write(chunk)) { res.once('drain', pump); return; } }
        res.end();
      };
      pump();
    }, 'TOKEN_TOO_LARGE'],
    ['no token field', (res) => { res.writeHead(200).end('{"expires_in":300}'); }, 'TOKEN_RESPONSE_INVALID'],
    ['a token with a newline', (res) => { res.writeHead(200).end('{"token":"a\\r\\nX-Evil: 1"}'); }, 'TOKEN_RESPONSE_INVALID'],
    ['not JSON', (res) => { res.writeHead(200).end('<html>'); }, 'TOKEN_RESPONSE_INVALID'],
  ];
  for (const [name, respond, code] of badTokens) {
    it(`${name} → ${code}`, async () => {
      tokens.handler = (_req, res) => { respond(res); };
      await rejectsWithCode(fetch(client()), code);
    });
  }

  describe('row 24: unsafe realms get nothing', () => {
    const realms: [string, string][] = [
      ['ftp scheme', 'ftp://127.0.0.1/token'],
      ['file scheme', 'file:///etc/passwd'],
      ['metadata service', 'http://169.254.169.254/latest/api/token'],
      ['relative realm', '/token'],
    ];
    for (const [name, realm] of realms) {
      it(`${name} → AUTH_REALM_UNSAFE`, async () => {
        registry.handler = (_req, res) => { res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="x"` }).end(); };
        await rejectsWithCode(fetch(client({ kind: 'basic', username: 'bob', password: PASSWORD })), 'AUTH_REALM_UNSAFE');
        assert.equal(tokens.requests.length, 0);
      });
    }
    it('bearer challenge without realm → AUTH_CHALLENGE_INVALID', async () => {
      registry.handler = (_req, res) => { res.writeHead(401, { 'www-authenticate': 'Bearer service="x"' }).end(); };
      await rejectsWithCode(fetch(client()), 'AUTH_CHALLENGE_INVALID');
    });
    it('401 without a challenge → UNAUTHORIZED', async () => {
      registry.handler = (_req, res) => { res.writeHead(401).end(); };
      await rejectsWithCode(fetch(client({ kind: 'basic', username: 'bob', password: PASSWORD })), 'UNAUTHORIZED');
    });

    describe('https registry with an http realm (downgrade)', () => {
      let dir: string;
      let https: Server;
      let host: string;
      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'bob-tls-'));
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
          '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1',
          '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
        https = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
          if (req.headers.authorization === undefined) {
            res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.url}/token",service="x"` }).end();
            return;
          }
          res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE }).end(MANIFEST);
        });
        await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
        host = `127.0.0.1:${(https.address() as AddressInfo).port}`;
      });
      after(async () => {
        https.closeAllConnections();
        await new Promise((resolve) => https.close(resolve));
        rmSync(dir, { recursive: true, force: true });
      });

      it('refuses the realm and sends no credentials', async () => {
        const c = testClient({
          defaults: { ca: readFileSync(join(dir, 'cert.pem')) },
          credentials: staticCredentials({ [host]: { kind: 'basic', username: 'bob', password: PASSWORD } }),
        });
        clients.push(c);
        await rejectsWithCode(c.fetchManifest({ registry: host, repository: 'app', tag: 'v1' }, { signal: signal() }), 'AUTH_REALM_UNSAFE');
        assert.equal(tokens.requests.length, 0);
      });

      it('verifies TLS with the given CA, fails without it, skips with insecure', async () => {
        const anonymous = { registry: host, repository: 'app', tag: 'v1' };
        https.removeAllListeners('request');
        https.on('request', (_req: IncomingMessage, res: ServerResponse) => { res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE }).end(MANIFEST); });
        const withCa = testClient({ defaults: { ca: readFileSync(join(dir, 'cert.pem')) } });
        const without = testClient({ defaults: {} });
        const insecure = testClient({ defaults: { insecure: true } });
        clients.push(withCa, without, insecure);
        await withCa.fetchManifest(anonymous, { signal: signal() });
        await rejectsWithCode(without.fetchManifest(anonymous, { signal: signal() }), 'TLS_ERROR');
        await insecure.fetchManifest(anonymous, { signal: signal() });
      });
    });
  });

  describe('basic auth', () => {
    beforeEach(() => {
      const expected = `Basic ${Buffer.from(`bob:${PASSWORD}`).toString('base64')}`;
      registry.handler = (req, res) => {
        if (req.headers.authorization !== expected) { res.writeHead(401, { 'www-authenticate': 'Basic realm="Registry Realm"' }).end(); return; }
        res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE }).end(MANIFEST);
      };
    });
    it('answers the challenge, then sends Basic up front', async () => {
      const c = client({ kind: 'basic', username: 'bob', password: PASSWORD });
      await fetch(c);
      await fetch(c);
      assert.equal(registry.requests.length, 3);
    });
    it('without credentials → UNAUTHORIZED', async () => {
      await rejectsWithCode(fetch(client()), 'UNAUTHORIZED');
    });
    it('with wrong credentials → UNAUTHORIZED after one retry, password not in the message', async () => {
      const error = await rejectsWithCode(fetch(client({ kind: 'basic', username: 'bob', password: 'nope-secret' })), 'UNAUTHORIZED');
      assert.equal(registry.requests.length, 2);
      assert.doesNotMatch(describeError(error), /nope-secret/);
    });
  });
});
