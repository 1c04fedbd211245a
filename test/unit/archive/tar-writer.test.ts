import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { END_OF_ARCHIVE, encodeHeader, entryPadding } from '../../../src/archive/tar-writer.ts';

async function namesOf(archive: Buffer): Promise<{ name: string; size: number; type: string }[]> {
  const parser = extract();
  const seen: { name: string; size: number; type: string }[] = [];
  const done = (async () => {
    for await (const entry of parser) {
      seen.push({ name: entry.header.name, size: entry.header.size, type: entry.header.type });
      entry.resume();
    }
  })();
  Readable.from([archive]).pipe(parser);
  await done;
  return seen;
}

function archiveOf(names: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const name of names) {
    const content = Buffer.from(name.slice(0, 7));
    parts.push(encodeHeader({ name, type: 'file', mode: 0o644, size: content.length, mtime: 0 }), content, entryPadding(content.length));
  }
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}

describe('archive/tar-writer', () => {
  it('writes names of every length a parser reads back: ustar, prefix split and pax (record lengths across digit carries)', async () => {
    const names: string[] = [];
    for (let length = 1; length <= 320; length++) names.push('n'.repeat(length));
    names.push(`${'d'.repeat(150)}/${'f'.repeat(99)}`, `${'d'.repeat(160)}/f`, `caf\u00e9/${'\u65e5'.repeat(40)}.yaml`);
    const read = await namesOf(archiveOf(names));
    assert.deepEqual(read.map((e) => e.name), names);
    assert.ok(read.every((e) => e.type === 'file' && e.size === Buffer.byteLength(e.name.slice(0, 7))));
  });

  it('writes directories with typeflag 5 and a fixed, valid checksum', async () => {
    const header = encodeHeader({ name: 'dir/', type: 'directory', mode: 0o755, size: 0, mtime: 0 });
    assert.equal(header.length, 512);
    assert.equal(String.fromCharCode(header[156] ?? 0), '5');
    assert.deepEqual(await namesOf(Buffer.concat([header, END_OF_ARCHIVE])), [{ name: 'dir/', size: 0, type: 'directory' }]);
    assert.deepEqual(header, encodeHeader({ name: 'dir/', type: 'directory', mode: 0o755, size: 0, mtime: 0 }));
  });
});
