import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { verifyBlob } from '../../../src/oci/index.ts';
import { createParallelDigester, createStreamDigester } from '../../../src/shared/index.ts';

const BIG = randomBytes(9 * 1024 * 1024 + 123);
const BIG_DIGEST = `sha256:${createHash('sha256').update(BIG).digest('hex')}`;

/** `data` in chunks of the given sizes, in turn, as a network body arrives. */
async function* chunksOf(data: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    yield await Promise.resolve(data.subarray(offset, offset + size));
    offset += size;
  }
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of stream) total += chunk.byteLength;
  return total;
}

describe('shared/parallel-digester', () => {
  it('a stream digester gives the same digest below and above the worker threshold', async () => {
    for (const threshold of [Number.MAX_SAFE_INTEGER, 1024]) {
      const digester = createStreamDigester('sha256', threshold);
      for await (const chunk of chunksOf(BIG, [70_000])) digester.update(chunk);
      assert.equal(await digester.digest(), BIG_DIGEST);
    }
  });

  it('hashes on a worker exactly as on the main thread, whatever the chunking', async () => {
    for (const sizes of [[1], [65536], [1, 4097, 1024 * 1024 + 3, 17]]) {
      const digester = createParallelDigester('sha256');
      for await (const chunk of chunksOf(BIG.subarray(0, sizes[0] === 1 ? 300_000 : BIG.length), sizes)) digester.update(chunk);
      const expected = createHash('sha256').update(BIG.subarray(0, sizes[0] === 1 ? 300_000 : BIG.length)).digest('hex');
      assert.equal(await digester.digest(), `sha256:${expected}`);
    }
  });

  it('sha512 too', async () => {
    const digester = createParallelDigester('sha512');
    digester.update(BIG);
    assert.equal(await digester.digest(), `sha512:${createHash('sha512').update(BIG).digest('hex')}`);
  });

  it('verifyBlob on a large blob passes the right content and rejects a mismatch at the end', async () => {
    assert.equal(await drain(verifyBlob(chunksOf(BIG, [65536]), { digest: BIG_DIGEST, size: BIG.length })), BIG.length);
    const wrong = { digest: `sha256:${'0'.repeat(64)}`, size: BIG.length };
    await assert.rejects(drain(verifyBlob(chunksOf(BIG, [65536]), wrong)), { code: 'BLOB_DIGEST_MISMATCH' });
  });

  it('stops its worker when the read is abandoned', async () => {
    const stream = verifyBlob(chunksOf(BIG, [65536]), { digest: BIG_DIGEST, size: BIG.length });
    await stream.next();
    await stream.return(undefined);
    const digester = createParallelDigester('sha256');
    digester.update(BIG.subarray(0, 10));
    digester.dispose();
  });
});
