// Builders for hostile and well-formed test archives, generated in memory
// (never downloaded, never committed), and the assertions every hostile
// case shares: the coded error, an untouched target, no staging left over.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { extractArchive } from '../../../src/archive/index.ts';
import { isBobError } from '../../../src/shared/index.ts';
import type { Header } from 'tar-stream';
import type { ExtractLimits } from '../../../src/archive/index.ts';

export interface TarItem {
  readonly header: Partial<Header> & { name: string };
  readonly content?: string | Buffer;
}

/** A tar built by tar-stream's packer (which writes whatever names and types it is given). */
export async function tarOf(items: readonly TarItem[]): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of packer) chunks.push(chunk as Buffer);
  })();
  for (const item of items) {
    const header = { mtime: new Date(0), ...item.header };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => {
        if (error) reject(error);
        else resolve();
      };
      if (item.content === undefined) packer.entry(header, done);
      else packer.entry(header, item.content, done);
    });
  }
  packer.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export interface RawHeader {
  readonly name: string;
  readonly type?: string;
  readonly size?: number;
  readonly mode?: number;
  readonly linkname?: string;
  /** Raw 12 bytes for the size field (base-256, garbage...). */
  readonly sizeField?: Buffer;
  readonly prefix?: string;
  readonly badChecksum?: boolean;
}

/** One hand-built 512-byte ustar header (POSIX.1-1988 layout). */
export function rawHeader(spec: RawHeader): Buffer {
  const block = Buffer.alloc(512);
  block.write(spec.name, 0, 100, 'utf8');
  block.write(`${(spec.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  if (spec.sizeField === undefined) block.write(`${(spec.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  else spec.sizeField.copy(block, 124, 0, 12);
  block.write('00000000000\0', 136, 'latin1');
  block.write(spec.type ?? '0', 156, 'latin1');
  if (spec.linkname !== undefined) block.write(spec.linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 'latin1');
  if (spec.prefix !== undefined) block.write(spec.prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  if (spec.badChecksum === true) sum += 1;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** `data` padded with zeros to a multiple of 512. */
export function padded(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  const size = Math.ceil(bytes.length / 512) * 512;
  return Buffer.concat([bytes, Buffer.alloc(size - bytes.length)]);
}

/** A PAX extended header (typeflag x or g) with `records`, data included. */
export function paxHeader(records: Readonly<Record<string, string>>, type = 'x'): Buffer {
  let data = '';
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) length++;
    data += `${length}${body}`;
  }
  return Buffer.concat([rawHeader({ name: 'PaxHeader', type, size: Buffer.byteLength(data) }), padded(data)]);
}

/** The end-of-archive marker: two zero blocks. */
export const END = Buffer.alloc(1024);

/** A regular file entry: header plus padded data. */
export function rawFile(name: string, content: string | Buffer, extra: Partial<RawHeader> = {}): Buffer {
  const data = Buffer.from(content);
  return Buffer.concat([rawHeader({ name, size: data.length, ...extra }), padded(data)]);
}

/** gzip with Node's zlib (one member). */
export function gzip(data: Buffer): Buffer {
  return gzipSync(data);
}

/** A gzip member with the optional header fields (FEXTRA, FNAME, FCOMMENT, FHCRC) set. */
export function gzipWithHeaderFields(data: Buffer): Buffer {
  const fixed = Buffer.from([0x1f, 0x8b, 0x08, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 0x03]);
  const extra = Buffer.from([4, 0, 0x41, 0x42, 2, 0]);
  const header = Buffer.concat([fixed, extra, Buffer.from('name.tar\0comment\0')]);
  const hcrc = Buffer.alloc(2);
  hcrc.writeUInt16LE(crc32(header) & 0xffff);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length, 4);
  return Buffer.concat([header, hcrc, deflateRawSync(data), trailer]);
}

/** The OCI descriptor facts of `blob`. */
export function expectedOf(blob: Buffer): { digest: string; size: number } {
  return { digest: `sha256:${createHash('sha256').update(blob).digest('hex')}`, size: blob.length };
}

/** A fresh scratch directory, removed by the returned cleanup. */
export async function scratch(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bob-archive-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A fresh scratch directory for each test of the enclosing describe, removed after it. */
export function useScratch(onDirectory: (dir: string) => void): void {
  let cleanup: () => Promise<void> = () => Promise.resolve();
  beforeEach(async () => {
    const created = await scratch();
    cleanup = created.cleanup;
    onDirectory(created.dir);
  });
  afterEach(async () => {
    await cleanup();
  });
}

export interface FailureCase {
  readonly blob: Buffer;
  readonly code: string;
  readonly limits?: Partial<ExtractLimits>;
  readonly expected?: { digest: string; size: number };
  readonly errorClass?: 'stalling' | 'transient';
}

/**
 * Extracts `blob` over a target holding `previous.txt`, asserts the error
 * code and class, that the target still holds exactly `previous.txt`, and
 * that no staging or backup directory is left beside it.
 */
export async function assertExtractionFails(root: string, spec: FailureCase): Promise<Error> {
  const blobPath = join(root, 'blob.tgz');
  const target = join(root, 'target');
  await writeFile(blobPath, spec.blob);
  await mkdir(target, { recursive: true });
  await writeFile(join(target, 'previous.txt'), 'previous content');
  const options = { expected: spec.expected ?? expectedOf(spec.blob), ...(spec.limits ? { limits: spec.limits } : {}) };
  const error = await extractArchive(blobPath, target, options).then(
    () => assert.fail(`expected ${spec.code}`),
    (caught: unknown) => caught,
  );
  assert.ok(isBobError(error), `not a BobError: ${String(error)}`);
  assert.equal(error.code, spec.code, `code (message: ${error.message})`);
  assert.equal(error.errorClass, spec.errorClass ?? 'stalling');
  assert.deepEqual(await readdir(target), ['previous.txt'], 'target changed');
  assert.equal(await readFile(join(target, 'previous.txt'), 'utf8'), 'previous content');
  assert.deepEqual((await readdir(root)).sort(), ['blob.tgz', 'target'], 'staging left behind');
  return error;
}

/** A tree spec: file content (string), `{ content, mode }`, or null for an empty directory. */
export type TreeSpec = Readonly<Record<string, string | { readonly content: string; readonly mode: number } | null>>;

/** Writes `spec` under `root` (creating parents). */
export async function writeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [path, value] of Object.entries(spec)) {
    const absolute = join(root, path);
    if (value === null) {
      await mkdir(absolute, { recursive: true });
      continue;
    }
    await mkdir(dirname(absolute), { recursive: true });
    const content = typeof value === 'string' ? value : value.content;
    await writeFile(absolute, content);
    if (typeof value !== 'string') await chmod(absolute, value.mode);
  }
}

/** All bytes of a readable. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
