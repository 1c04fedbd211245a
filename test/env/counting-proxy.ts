// A plain-HTTP reverse proxy on loopback that forwards everything to one
// registry and records each request, so tests can count what a client sent
// (e.g. that a warm re-pull costs one HEAD).
import { createServer, request } from 'node:http';
import { freePort } from './ports.ts';

export interface CountingProxy {
  /** 127.0.0.1:<port>: use it as the registry host in references. */
  readonly host: string;
  readonly requests: { method: string; path: string }[];
  stop(): Promise<void>;
}

export async function startCountingProxy(upstreamHost: string): Promise<CountingProxy> {
  const requests: { method: string; path: string }[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '' });
    const upstream = request({
      host: upstreamHost.split(':')[0], port: Number(upstreamHost.split(':')[1]), method: req.method, path: req.url,
      headers: { ...req.headers, host: upstreamHost },
    }, (upstreamRes) => {
      const headers = { ...upstreamRes.headers };
      // Upload locations are absolute URLs of the upstream; keep clients on the proxy.
      if (typeof headers.location === 'string') headers.location = headers.location.replace(`//${upstreamHost}`, `//${proxyHost}`);
      res.writeHead(upstreamRes.statusCode ?? 502, headers);
      upstreamRes.pipe(res);
    });
    upstream.on('error', () => { res.destroy(); });
    req.pipe(upstream);
  });
  const port = await freePort();
  const proxyHost = `127.0.0.1:${port}`;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: proxyHost,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}
