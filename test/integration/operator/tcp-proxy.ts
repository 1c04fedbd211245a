// A TCP relay on a fixed loopback port that can be taken down and brought
// back on the same port: "the registry is down, then back" without touching
// the shared registry the other tests use. It counts the bytes it passes from
// the registry and can slow that direction to a trickle ("stop mid-pull").
import { connect, createServer, type Socket } from 'node:net';
import { freePort } from '../../env/ports.ts';

export interface TcpRelay {
  /** 127.0.0.1:<port>, stable across stop() and start(). */
  readonly host: string;
  /** Bytes passed from the registry to clients so far. */
  readonly bytesDown: number;
  /** While true, registry-to-client data flows at about 320 KiB/s (16 KiB chunks, 50 ms apart). */
  throttled: boolean;
  /** Closes the port and cuts every open connection. */
  stop(): Promise<void>;
  /** Listens on the same port again. */
  start(): Promise<void>;
}

export async function startTcpRelay(upstreamHost: string): Promise<TcpRelay> {
  const [upstreamName = '127.0.0.1', upstreamPort = '0'] = upstreamHost.split(':');
  const sockets = new Set<Socket>();
  let bytesDown = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(upstreamPort), upstreamName);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      bytesDown += chunk.length;
      client.write(chunk);
      if (relay.throttled) {
        upstream.pause();
        setTimeout(() => upstream.resume(), 50);
      }
    });
    upstream.on('end', () => client.end());
  });
  const port = await freePort();
  const listen = () => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  await listen();
  const relay: TcpRelay = {
    host: `127.0.0.1:${port}`,
    get bytesDown() { return bytesDown; },
    throttled: false,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    start: listen,
  };
  return relay;
}
