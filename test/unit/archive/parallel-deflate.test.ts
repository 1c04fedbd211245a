import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { ParallelDeflateRaw } from '../../../src/archive/parallel-deflate.ts';
import { collect } from './helpers.ts';

async function deflate(chunks: readonly Buffer[], concurrency?: number): Promise<Buffer> {
  return collect(Readable.from(chunks).pipe(new ParallelDeflateRaw(6, concurrency)));
}

describe('archive/parallel-deflate', () => {
  const text = Buffer.from('kind: ConfigMap\nmetadata: {name: honey}\n'.repeat(120_000));
  const mixed = Buffer.concat([randomBytes(1_500_000), text, randomBytes(10)]);

  it('produces one deflate stream that inflates to the input, across block boundaries', async () => {
    for (const input of [Buffer.alloc(0), Buffer.from('x'), text, mixed]) {
      const pieces = [input.subarray(0, 7), input.subarray(7, 1_048_580), input.subarray(1_048_580)];
      assert.deepEqual(inflateRawSync(await deflate(pieces)), input);
    }
  });

  it('gives the same bytes however the input is chunked and however many threads run', async () => {
    const one = await deflate([mixed], 1);
    assert.deepEqual(await deflate([mixed.subarray(0, 3), mixed.subarray(3)], 4), one);
  });

  it('uses the previous block as dictionary: repetitive input across blocks still compresses', async () => {
    assert.ok((await deflate([text])).length < text.length / 50);
  });
});
