import assert from 'node:assert/strict';
import { request } from 'node:http';
import { isBobError } from '../../../src/shared/index.ts';
import { createMetricsRegistry, createOperationsServer, PROMETHEUS_TEXT_CONTENT_TYPE } from '../../../src/runtime/index.ts';
import type { OperationsServer } from '../../../src/runtime/index.ts';

interface Reply {
  readonly status: number;
  readonly type: string | undefined;
  readonly body: string;
}

/** One request on a fresh connection (no keep-alive, so close() has nothing to wait for). */
function call(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('runtime/operations-server (loopback HTTP)', () => {
  const registry = createMetricsRegistry();
  const scrapes = registry.counter({ name: 'scrapes_total', help: 'Scrapes.' });
  let ready: boolean | Error = false;
  let alive = true;
  let server: OperationsServer;
  let port = 0;

  before(async () => {
    server = createOperationsServer({
      metrics: registry,
      health: () => alive,
      readiness: () => {
        if (ready instanceof Error) throw ready;
        return Promise.resolve(ready);
      },
      beforeScrape: () => { scrapes.inc({}); },
    });
    port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
  });
  after(async () => { await server.close(); });

  it('serves /metrics in text format 0.0.4', async () => {
    const reply = await call(port, '/metrics');
    assert.deepEqual(reply, { status: 200, type: PROMETHEUS_TEXT_CONTENT_TYPE, body: '# HELP scrapes_total Scrapes.\n# TYPE scrapes_total counter\nscrapes_total 1\n' });
    assert.equal(PROMETHEUS_TEXT_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
  });

  const table: { name: string; setup: () => void; path: string; method?: string; status: number; body: string }[] = [
    { name: 'healthz while alive', setup: () => { alive = true; }, path: '/healthz', status: 200, body: 'ok\n' },
    { name: 'healthz when the check vetoes', setup: () => { alive = false; }, path: '/healthz', status: 500, body: 'unhealthy\n' },
    { name: 'readyz before ready', setup: () => { ready = false; }, path: '/readyz', status: 503, body: 'not ready\n' },
    { name: 'readyz once ready', setup: () => { ready = true; }, path: '/readyz', status: 200, body: 'ok\n' },
    { name: 'readyz with a query', setup: () => { ready = true; }, path: '/readyz?verbose', status: 200, body: 'ok\n' },
    { name: 'readyz when the check throws', setup: () => { ready = new Error('boom'); }, path: '/readyz', status: 503, body: 'not ready\n' },
    { name: 'HEAD has no body', setup: () => { alive = true; }, path: '/healthz', method: 'HEAD', status: 200, body: '' },
    { name: 'POST is refused', setup: () => undefined, path: '/metrics', method: 'POST', status: 405, body: 'method not allowed\n' },
    { name: 'unknown paths are 404', setup: () => undefined, path: '/debug/pprof', status: 404, body: 'not found\n' },
    { name: 'no prefix matching', setup: () => undefined, path: '/metrics/x', status: 404, body: 'not found\n' },
  ];
  for (const c of table) {
    it(c.name, async () => {
      c.setup();
      const reply = await call(port, c.path, c.method);
      assert.equal(reply.status, c.status);
      assert.equal(reply.body, c.body);
    });
  }

  it('reports a port in use as RUNTIME_SERVER_FAILED', async () => {
    const other = createOperationsServer({ metrics: registry, readiness: () => true });
    await assert.rejects(other.listen({ host: '127.0.0.1', port }), (error) => isBobError(error, 'RUNTIME_SERVER_FAILED'));
    assert.equal(other.address(), undefined);
    await other.close();
  });

  it('close() stops listening', async () => {
    const extra = createOperationsServer({ metrics: registry, readiness: () => true });
    const bound = await extra.listen({ host: '127.0.0.1', port: 0 });
    assert.equal((await call(bound.port, '/healthz')).status, 200);
    await extra.close();
    assert.equal(extra.address(), undefined);
    await assert.rejects(call(bound.port, '/healthz'), /ECONNREFUSED/);
  });
});
