// reliability.md §6 row 40: the artifact server against traversal, encoded
// separators, symlink escapes, hidden temporary files and hostile Range
// headers, on a real loopback server; plus streaming and graceful close.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createArtifactServer } from '../../../src/storage/index.ts';
import type { ArtifactServer, StoredArtifact } from '../../../src/storage/index.ts';
import type { Clock } from '../../../src/shared/index.ts';
import { hexOf, KEY, OBJECT_DIR, rejectsWithCode, storeAt, useScratch, writerOf } from './helpers.ts';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A request through node:http (which sends the path exactly as given). */
async function get(port: number, path: string, options: { method?: string; headers?: Record<string, string>; agent?: Agent } = {}): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }); });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Bytes straight onto a socket: no client-side path normalization or validation. */
async function raw(port: number, target: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.write(Buffer.concat([Buffer.from('GET '), Buffer.from(target), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
  });
}

/** A clock whose sleep ends only when aborted, or at once when `instant`. */
function graceClock(instant: boolean): Clock {
  return {
    now: () => 0,
    sleep: (_ms, signal) => new Promise<void>((resolve, reject) => {
      if (instant) {
        resolve();
        return;
      }
      signal?.addEventListener('abort', () => { reject(new Error('aborted')); }, { once: true });
    }),
  };
}

const SECRET = 'root:x:0:0:sentinel-secret';

describe('storage/artifact server', () => {
  let scratch = '';
  let root = '';
  let server: ArtifactServer | undefined;
  let port = 0;
  let artifact: StoredArtifact;
  const content = 'artifact content 0123456789';
  useScratch((dir) => { scratch = dir; root = join(dir, 'data'); });

  beforeEach(async () => {
    artifact = await storeAt(root).store(KEY, writerOf(content));
    await mkdir(join(scratch, 'outside'));
    await writeFile(join(scratch, 'outside', 'passwd'), SECRET);
    server = createArtifactServer({ root });
    port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('serving', () => {
    it('GET an artifact: 200 with type, length, digest ETag and Last-Modified', async () => {
      const reply = await get(port, `/${artifact.path}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.toString(), content);
      assert.equal(reply.headers['content-type'], 'application/gzip');
      assert.equal(reply.headers['content-length'], String(content.length));
      assert.equal(reply.headers.etag, `"sha256:${hexOf(content)}"`);
      assert.equal(reply.headers['accept-ranges'], 'bytes');
      assert.equal(reply.headers['last-modified'], (await stat(join(root, artifact.path))).mtime.toUTCString());
    });

    it('GET latest.tar.gz follows the in-root link, with the target digest as ETag', async () => {
      const reply = await get(port, `/${OBJECT_DIR}/latest.tar.gz`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.toString(), content);
      assert.equal(reply.headers.etag, `"${artifact.digest}"`);
    });

    it('HEAD: the same headers, no body', async () => {
      const reply = await get(port, `/${artifact.path}`, { method: 'HEAD' });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-length'], String(content.length));
      assert.equal(reply.body.length, 0);
    });

    it('ignores the query string', async () => {
      assert.equal((await get(port, `/${artifact.path}?download=1`)).status, 200);
    });

    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      it(`${method}: 405 with Allow`, async () => {
        const reply = await get(port, `/${artifact.path}`, { method });
        assert.equal(reply.status, 405);
        assert.equal(reply.headers.allow, 'GET, HEAD');
      });
    }

    it('an empty file: 200 with no body', async () => {
      await writeFile(join(root, OBJECT_DIR, 'empty.tar.gz'), '');
      const reply = await get(port, `/${OBJECT_DIR}/empty.tar.gz`);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-length'], '0');
      assert.match(String(reply.headers.etag), /^W\//);
    });
  });

  describe('confinement', () => {
    const traversals: readonly [string, number][] = [
      ['/../outside/passwd', 400],
      ['/../../../../etc/passwd', 400],
      ['/ocirepository/../../outside/passwd', 400],
      ['/%2e%2e/outside/passwd', 400],
      ['/%2E%2E/%2E%2E/etc/passwd', 400],
      ['/.%2e/outside/passwd', 400],
      ['/ocirepository%2F..%2F..%2Foutside%2Fpasswd', 400],
      ['/..%5Coutside%5Cpasswd', 400],
      ['/..\\outside\\passwd', 400],
      ['//etc/passwd', 400],
      ['///outside/passwd', 400],
      ['/ocirepository/apps/podinfo/latest.tar.gz%00.txt', 400],
      ['/%c0%ae%c0%ae/outside/passwd', 400],
      ['http://127.0.0.1/../outside/passwd', 400],
      ['/', 404],
      ['/ocirepository', 404],
      ['/ocirepository/apps/podinfo', 404],
      ['/ocirepository/apps/podinfo/missing.tar.gz', 404],
      ['/ocirepository/apps/podinfo/.tmp-0123456789abcdef', 404],
      ['/etc/passwd', 404],
    ];
    for (const [target, status] of traversals) {
      it(`${target} → ${status}, never the file outside`, async () => {
        await writeFile(join(root, OBJECT_DIR, '.tmp-0123456789abcdef'), 'half written');
        const reply = await raw(port, target);
        assert.equal(reply.status, status, reply.text.split('\r\n')[0]);
        assert.doesNotMatch(reply.text, /sentinel-secret|half written/);
      });
    }

    it('a raw NUL in the request line is refused by the HTTP parser', async () => {
      const reply = await raw(port, Buffer.from('/ocirepository\0/x'));
      assert.equal(reply.status, 400);
    });

    it('symlinks leading out of the root, to directories or to hidden files are 404; in-root file links are served', async () => {
      const dir = join(root, OBJECT_DIR);
      await symlink(join(scratch, 'outside', 'passwd'), join(dir, 'escape.tar.gz'));
      await symlink('../../../../outside/passwd', join(dir, 'relative-escape.tar.gz'));
      await symlink(join(scratch, 'outside'), join(root, 'ocirepository', 'evil'));
      await symlink('.', join(dir, 'self.tar.gz'));
      await writeFile(join(dir, '.tmp-0123456789abcdef'), 'half written');
      await symlink('.tmp-0123456789abcdef', join(dir, 'to-temp.tar.gz'));
      await symlink('loop.tar.gz', join(dir, 'loop.tar.gz'));
      await symlink(artifact.path.split('/').pop() ?? '', join(dir, 'alias.tar.gz'));
      for (const path of [
        `/${OBJECT_DIR}/escape.tar.gz`,
        `/${OBJECT_DIR}/relative-escape.tar.gz`,
        '/ocirepository/evil/passwd',
        `/${OBJECT_DIR}/self.tar.gz`,
        `/${OBJECT_DIR}/to-temp.tar.gz`,
        `/${OBJECT_DIR}/loop.tar.gz`,
      ]) {
        const reply = await get(port, path);
        assert.equal(reply.status, 404, path);
        assert.doesNotMatch(reply.body.toString(), /sentinel-secret|half written/);
      }
      const alias = await get(port, `/${OBJECT_DIR}/alias.tar.gz`);
      assert.equal(alias.status, 200);
      assert.equal(alias.body.toString(), content);
    });

    it('a FIFO or socket-like special file under the root is 404 at once (the open cannot block)', async () => {
      execFileSync('mkfifo', [join(root, OBJECT_DIR, 'fifo.tar.gz')]);
      assert.equal((await get(port, `/${OBJECT_DIR}/fifo.tar.gz`)).status, 404);
    });

    it('a root that does not exist (yet) answers 404', async () => {
      const other = createArtifactServer({ root: join(scratch, 'missing-root') });
      const otherPort = (await other.listen({ host: '127.0.0.1', port: 0 })).port;
      try {
        const reply = await get(otherPort, `/${artifact.path}`);
        assert.equal(reply.status, 404);
      } finally {
        await other.close();
      }
    });
  });

  describe('Range', () => {
    const cases: readonly [string, number, string | undefined, string][] = [
      ['bytes=0-3', 206, `bytes 0-3/${content.length}`, content.slice(0, 4)],
      ['bytes=10-', 206, `bytes 10-${content.length - 1}/${content.length}`, content.slice(10)],
      ['bytes=-5', 206, `bytes ${content.length - 5}-${content.length - 1}/${content.length}`, content.slice(-5)],
      ['bytes=5-100000', 206, `bytes 5-${content.length - 1}/${content.length}`, content.slice(5)],
      [`bytes=${content.length}-`, 416, `bytes */${content.length}`, 'range not satisfiable\n'],
      ['bytes=5-1', 416, `bytes */${content.length}`, 'range not satisfiable\n'],
      ['bytes=0-1,3-4', 416, `bytes */${content.length}`, 'range not satisfiable\n'],
      ['bytes=99999999999999999999-', 416, `bytes */${content.length}`, 'range not satisfiable\n'],
      [`bytes=${'0-1,'.repeat(100)}0-1`, 400, undefined, 'bad request\n'],
      ['pages=1-2', 200, undefined, content],
    ];
    for (const [range, status, contentRange, body] of cases) {
      it(`${range.slice(0, 40)} → ${status}`, async () => {
        const reply = await get(port, `/${artifact.path}`, { headers: { Range: range } });
        assert.equal(reply.status, status);
        assert.equal(reply.headers['content-range'], contentRange);
        assert.equal(reply.body.toString(), body);
        assert.equal(reply.headers['content-length'], String(Buffer.byteLength(body)));
      });
    }

    it('HEAD with a Range: 206 headers, no body', async () => {
      const reply = await get(port, `/${artifact.path}`, { method: 'HEAD', headers: { Range: 'bytes=0-3' } });
      assert.equal(reply.status, 206);
      assert.equal(reply.headers['content-length'], '4');
      assert.equal(reply.body.length, 0);
    });

    it('If-Range: the range when the ETag matches, the whole file when it does not', async () => {
      const matching = await get(port, `/${artifact.path}`, { headers: { Range: 'bytes=0-3', 'If-Range': `"${artifact.digest}"` } });
      assert.equal(matching.status, 206);
      const stale = await get(port, `/${artifact.path}`, { headers: { Range: 'bytes=0-3', 'If-Range': '"sha256:old"' } });
      assert.equal(stale.status, 200);
      assert.equal(stale.body.toString(), content);
    });
  });

  describe('streaming and lifecycle', () => {
    const BIG = 16 * 1024 * 1024;

    let bigDigest: string | undefined;

    /** A sparse 16 MiB file: zeros, then 'tail'. */
    async function bigFile(): Promise<{ path: string; digest: string }> {
      const path = join(root, OBJECT_DIR, 'big.tar.gz');
      const handle = await open(path, 'w');
      await handle.truncate(BIG - 4);
      await handle.write('tail', BIG - 4);
      await handle.close();
      if (bigDigest === undefined) {
        const hash = createHash('sha256');
        const zeros = Buffer.alloc(1024 * 1024);
        for (let offset = 0; offset < BIG - zeros.length; offset += zeros.length) hash.update(zeros);
        hash.update(Buffer.concat([Buffer.alloc(zeros.length - 4), Buffer.from('tail')]));
        bigDigest = hash.digest('hex');
      }
      return { path: `/${OBJECT_DIR}/big.tar.gz`, digest: bigDigest };
    }

    async function openResponse(path: string, agent?: Agent): Promise<IncomingMessage> {
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent: agent ?? false }, resolve);
        req.on('error', reject);
        req.end();
      });
    }

    it('streams a 16 MiB file with backpressure: memory does not grow with the file while the client stalls', async () => {
      const big = await bigFile();
      const before = process.memoryUsage().arrayBuffers;
      const res = await openResponse(big.path);
      res.pause();
      // Let the server run into backpressure; a server buffering the file would now hold 16 MiB.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stalled = process.memoryUsage().arrayBuffers - before;
      assert.ok(stalled < 8 * 1024 * 1024, `server held ${stalled} bytes while the client stalled`);
      const hash = createHash('sha256');
      let received = 0;
      for await (const chunk of res) {
        hash.update(chunk as Buffer);
        received += (chunk as Buffer).length;
      }
      assert.equal(received, BIG);
      assert.equal(hash.digest('hex'), big.digest);
    });

    it('clients that hang up mid-download leave no open descriptors behind', async () => {
      const big = await bigFile();
      const openDescriptors = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
      const before = await openDescriptors();
      for (let index = 0; index < 5; index++) {
        const res = await openResponse(big.path);
        await new Promise<void>((resolve) => {
          res.once('data', () => { res.destroy(); resolve(); });
        });
      }
      // The server notices the hang-ups asynchronously: poll a bounded number of times.
      for (let attempt = 0; attempt < 200 && await openDescriptors() > before; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(await openDescriptors(), before);
      assert.equal((await get(port, `/${artifact.path}`)).status, 200, 'still serving');
    });

    it('close() ends idle keep-alive connections at once and lets a running download finish', async () => {
      await server?.close();
      server = createArtifactServer({ root, clock: graceClock(false), closeGraceMs: 60_000 });
      port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      try {
        const idle = await get(port, `/${artifact.path}`, { agent });
        assert.equal(idle.status, 200);
        const big = await bigFile();
        const running = await openResponse(big.path, agent);
        running.pause();
        let closed = false;
        const closing = server.close().then(() => { closed = true; });
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(closed, false, 'waits for the running download');
        let received = 0;
        for await (const chunk of running) received += (chunk as Buffer).length;
        assert.equal(received, BIG);
        await closing;
        await assert.rejects(get(port, `/${artifact.path}`), { code: 'ECONNREFUSED' });
      } finally {
        agent.destroy();
      }
    });

    it('close() cuts a stalled download once the grace period is over', async () => {
      await server?.close();
      server = createArtifactServer({ root, clock: graceClock(true), closeGraceMs: 1 });
      port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
      const big = await bigFile();
      const stalled = await openResponse(big.path);
      stalled.pause();
      const ended = new Promise<boolean>((resolve) => {
        stalled.once('close', () => { resolve(stalled.complete); });
      });
      await server.close();
      stalled.resume();
      assert.equal(await ended, false, 'the response was cut short');
    });

    it('listen() on a busy port: STORAGE_SERVER_FAILED with the errno', async () => {
      const second = createArtifactServer({ root });
      const error = await rejectsWithCode(second.listen({ host: '127.0.0.1', port }), 'STORAGE_SERVER_FAILED');
      assert.equal(error.details['errno'], 'EADDRINUSE');
      assert.equal(second.address(), undefined);
      await second.close();
    });
  });
});
