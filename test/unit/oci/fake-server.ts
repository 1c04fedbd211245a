// In-process HTTP(S) servers on 127.0.0.1 for edge cases real registries
// cannot produce. Handlers get the request with its body already read.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../../src/shared/index.ts';
import { RegistryClient, type RegistryClientOptions } from '../../../src/oci/index.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export type Handler = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeServer {
  readonly host: string;
  readonly url: string;
  readonly requests: RecordedRequest[];
  handler: Handler;
  close(): Promise<void>;
}

export async function startFakeServer(handler: Handler = (_r, res) => { res.writeHead(404).end(); }): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const fake: { handler: Handler } = { handler };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      Promise.resolve(fake.handler(recorded, res)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `http://${host}`,
    requests,
    get handler() { return fake.handler; },
    set handler(h: Handler) { fake.handler = h; },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

/** A clock whose sleeps return at once and advance time; records every sleep. */
export function fakeClock(start = Date.parse('2026-01-01T00:00:00Z')): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => { sleeps.push(ms); now += ms; return Promise.resolve(); },
  };
}

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A client for plain-HTTP fake servers with a fake clock. */
export function testClient(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({ defaults: { plainHttp: true }, clock: fakeClock(), random: () => 0.5, ...options });
}

export function signal(): AbortSignal {
  return AbortSignal.timeout(20_000);
}

export const OCI_MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';

/** A small OCI manifest with one layer; returns bytes, digest and parts. */
export function buildManifest(layer: Buffer, extra: Record<string, unknown> = {}): { bytes: Buffer; digest: string; config: Buffer } {
  const config = Buffer.from('{}');
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_TYPE,
    config: { mediaType: 'application/vnd.cncf.flux.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    ...extra,
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return { bytes, digest: sha256(bytes), config };
}

/** Asserts that `promise` rejects with a BobError of `code`; returns it. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<Error & { code: string; details: Record<string, unknown>; errorClass: string }> {
  try {
    await promise;
  } catch (error) {
    const coded = error as Error & { code: string; details: Record<string, unknown>; errorClass: string };
    if (coded.code !== code) {
      throw new Error(`expected code ${code}, got ${coded.code}: ${coded.message}`, { cause: error });
    }
    return coded;
  }
  throw new Error(`expected rejection with ${code}, but it resolved`);
}
