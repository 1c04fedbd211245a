// The brief's scale cases: 5,000 small files and 100 MB round trip, and the
// 100 MB one streams (no whole-payload buffer). Speed is `npm run bench`'s
// business, never asserted here.
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extractArchive, listTree, packArchive } from '../../../src/archive/index.ts';
import { useScratch } from './helpers.ts';

const MIB = 1024 * 1024;

async function roundTrip(source: string, root: string): Promise<{ peakBuffers: number }> {
  let peakBuffers = 0;
  const baseline = process.memoryUsage().arrayBuffers;
  const timer = setInterval(() => {
    peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers - baseline);
  }, 5);
  try {
    const { stream, summary } = packArchive(source);
    await pipeline(stream, createWriteStream(join(root, 'blob.tgz')));
    const { digest, size } = await summary;
    await extractArchive(join(root, 'blob.tgz'), join(root, 'out'), { expected: { digest, size } });
    return { peakBuffers };
  } finally {
    clearInterval(timer);
  }
}

describe('archive at scale', function () {
  this.timeout(120_000);
  let root = '';
  useScratch((dir) => { root = dir; });

  it('packs and extracts 5,000 small files', async () => {
    const source = join(root, 'src');
    for (let d = 0; d < 50; d++) await mkdir(join(source, `d${d}`), { recursive: true });
    await Promise.all(Array.from({ length: 5000 }, (_, i) => writeFile(join(source, `d${i % 50}`, `f${i}.yaml`), `name: f${i}\n`.repeat(100))));
    await roundTrip(source, root);
    const [a, b] = await Promise.all([listTree(source), listTree(join(root, 'out'))]);
    assert.equal(a.digest, b.digest);
    assert.equal(b.entries.length, 5050);
  });

  it('streams 100 MB with bounded memory', async () => {
    const source = join(root, 'src');
    await mkdir(source);
    const block = Buffer.alloc(MIB);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31 + (i >> 10)) % 251;
    for (let f = 0; f < 4; f++) {
      const out = createWriteStream(join(source, `big${f}.bin`));
      for (let i = 0; i < 25; i++) {
        block[0] = i;
        if (!out.write(Buffer.from(block))) await new Promise<void>((resolve) => {
            out.once('drain', () => {
              resolve();
            });
          });
      }
      await new Promise<void>((resolve) => {
        out.end(() => {
          resolve();
        });
      });
    }
    const { peakBuffers } = await roundTrip(source, root);
    // The 100 MB payload is never held in memory at once. What is: deflate
    // blocks in flight on each core, hash batches queued for the worker
    // threads (4 MiB each), 1 MiB inflate and write batches, and whatever the
    // garbage collector has not returned yet (more on a busy machine).
    assert.ok(peakBuffers < 80 * MIB, `peak buffers ${Math.round(peakBuffers / MIB)} MiB`);
    const [a, b] = await Promise.all([listTree(source), listTree(join(root, 'out'))]);
    assert.equal(a.digest, b.digest);
  });
});
