// Proxies: explicit option and the environment the caller passes in.
import assert from 'node:assert/strict';
import { buildManifest, OCI_MANIFEST_TYPE, signal, startFakeServer, testClient, type FakeServer } from './fake-server.ts';

const { bytes: MANIFEST } = buildManifest(Buffer.from('x'));

describe('oci transport: proxies', () => {
  let proxy: FakeServer;
  beforeEach(async () => {
    // A forward proxy for plain HTTP targets: requests arrive in absolute form.
    proxy = await startFakeServer((_req, res) => { res.writeHead(200, { 'content-type': OCI_MANIFEST_TYPE }).end(MANIFEST); });
  });
  afterEach(async () => { await proxy.close(); });

  const ref = { registry: 'registry.invalid:5000', repository: 'app', tag: 'v1' };

  it('uses an explicit proxy', async () => {
    const client = testClient({ defaults: { plainHttp: true, proxy: proxy.url } });
    try {
      await client.fetchManifest(ref, { signal: signal() });
      assert.equal(proxy.requests[0]?.url, 'http://registry.invalid:5000/v2/app/manifests/v1');
    } finally { await client.close(); }
  });

  it('uses HTTP_PROXY from the passed environment unless NO_PROXY matches', async () => {
    const viaEnv = testClient({ proxyEnv: { HTTP_PROXY: proxy.url } });
    const bypass = testClient({ proxyEnv: { http_proxy: proxy.url, no_proxy: '.invalid' }, retry: { maxAttempts: 1 } });
    try {
      await viaEnv.fetchManifest(ref, { signal: signal() });
      assert.equal(proxy.requests.length, 1);
      await assert.rejects(bypass.fetchManifest(ref, { signal: signal() }), (e: unknown) => (e as { code?: string }).code === 'NETWORK_ERROR');
      assert.equal(proxy.requests.length, 1);
    } finally {
      await viaEnv.close();
      await bypass.close();
    }
  });
});
