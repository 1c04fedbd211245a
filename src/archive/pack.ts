/**
 * Deterministic tar.gz packing: the same tree and options always give the
 * same bytes and digest, so `diff artifact` can compare digests and pushes of
 * unchanged content are no-ops. Headers follow Flux's archive format
 * (research/flux.md §4.2): uid/gid 0, empty uname/gname, one fixed mtime,
 * plus normalized modes (0644 files, 0755 executables and directories).
 * Everything streams with backpressure: memory stays bounded by stream
 * buffers whatever the tree size.
 */
import { pipeline, Readable, Writable } from 'node:stream';
import { DigestTap } from './digest-tap.ts';
import { toFileMode } from './entry-writer.ts';
import { archiveError, toArchiveError } from './errors.ts';
import { GzipFramer } from './gzip-frame.ts';
import { ParallelDeflateRaw } from './parallel-deflate.ts';
import { quotePath } from './quote-path.ts';
import { SMALL_FILE_BYTES, SourceFile } from './source-file.ts';
import { ChunkGatherer, END_OF_ARCHIVE, encodeHeader, entryPadding } from './tar-writer.ts';
import { walkSource } from './walk.ts';
import type { SourceEntry, WalkOptions } from './walk.ts';


export interface PackOptions extends WalkOptions {
  /** mtime of every entry; default the epoch (what `--reproducible` means in Flux). */
  readonly mtime?: Date;
  /** zlib level 0-9; default 6. Same level (and zlib build) means same bytes. */
  readonly compressionLevel?: number;
}

export interface PackSummary {
  /** `sha256:<hex>` of the tar.gz bytes: the OCI layer digest. */
  readonly digest: string;
  /** Bytes of the tar.gz: the OCI layer size. */
  readonly size: number;
  /** `sha256:<hex>` of the uncompressed tar: the OCI config `rootfs.diff_ids` value. */
  readonly diffId: string;
  /** Bytes of the uncompressed tar. */
  readonly uncompressedSize: number;
  /** Files and directories packed. */
  readonly entries: number;
}

export interface PackedArchive {
  /** The tar.gz bytes. Consume it once; it errors with a BobError when packing fails. */
  readonly stream: Readable;
  /** Settles once `stream` has been fully consumed (never if nobody reads it). */
  readonly summary: Promise<PackSummary>;
}

/**
 * Packs `source` (a directory's contents, or a single file) into a
 * deterministic tar.gz. Errors: ARCHIVE_LINK_REJECTED (symlinks without
 * `resolveSymlinks`, or escaping the root), ARCHIVE_PATH_INVALID and
 * ARCHIVE_DUPLICATE_ENTRY (names the extractor would refuse),
 * ARCHIVE_ENTRY_TYPE_UNSUPPORTED (sockets, FIFOs, devices),
 * ARCHIVE_SOURCE_CHANGED, ARCHIVE_IO_FAILED, ARCHIVE_ABORTED.
 */
export function packArchive(source: string, options: PackOptions = {}): PackedArchive {
  const level = options.compressionLevel ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw archiveError('ARCHIVE_OPTIONS_INVALID', 'compression level must be an integer from 0 to 9');
  }
  const mtime = options.mtime ?? new Date(0);
  // ustar mtime is an unsigned octal count of seconds (POSIX ustar).
  if (Number.isNaN(mtime.getTime()) || mtime.getTime() < 0) {
    throw archiveError('ARCHIVE_OPTIONS_INVALID', 'mtime must be a valid date not before 1970');
  }
  let entries = 0;
  const tar = Readable.from(asArchiveErrors(writeTar(walkSource(source, options), Math.floor(mtime.getTime() / 1000), options.signal, (count) => {
    entries = count;
  })), { objectMode: false });
  const uncompressed = new DigestTap('sha256', { crc: true });
  const compressed = new DigestTap('sha256');
  let settle: (error: Error | null) => void = () => undefined;
  const summary = new Promise<PackSummary>((resolve, reject) => {
    settle = (error) => {
      if (error !== null) {
        reject(toArchiveError(error, 'packing'));
        return;
      }
      Promise.all([compressed.digest(), uncompressed.digest()]).then(([digest, diffId]) => {
        resolve({ digest, size: compressed.size, diffId, uncompressedSize: uncompressed.size, entries });
      }, (hashError: unknown) => { reject(toArchiveError(hashError, 'packing')); });
    };
  });
  // Callers that only watch `stream` must not crash on an unhandled rejection.
  summary.catch(() => undefined);
  const stream = pipeline(
    tar,
    uncompressed,
    new ParallelDeflateRaw(level),
    new GzipFramer(uncompressed),
    compressed,
    (error) => {
      settle(error ?? null);
    },
  );
  const { signal } = options;
  if (signal !== undefined) {
    const onAbort = (): void => {
      tar.destroy(archiveError('ARCHIVE_ABORTED', 'packing aborted', { cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => {
      signal.removeEventListener('abort', onAbort);
    });
  }
  return { stream, summary };
}

/** Packs `source` and discards the bytes: the digest `diff artifact` compares with a layer. */
export async function digestArchive(source: string, options: PackOptions = {}): Promise<PackSummary> {
  const { stream, summary } = packArchive(source, options);
  await new Promise<void>((resolve, reject) => {
    pipeline(stream, new Writable({ write: (_chunk, _encoding, done) => { done(); } }), (error) => {
      if (error) reject(error);
      else resolve();
    });
  }).catch(() => undefined);
  return summary;
}

/** Every failure of packing reaches the stream's reader as a coded BobError. */
async function* asArchiveErrors(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* source;
  } catch (error) {
    throw toArchiveError(error, 'packing');
  }
}

async function* writeTar(
  entries: AsyncIterable<SourceEntry>,
  mtime: number,
  signal: AbortSignal | undefined,
  onDone: (count: number) => void,
): AsyncGenerator<Buffer> {
  const gatherer = new ChunkGatherer();
  let count = 0;
  for await (const entry of entries) {
    if (signal?.aborted === true) throw archiveError('ARCHIVE_ABORTED', 'packing aborted', { cause: signal.reason });
    count++;
    if (entry.kind === 'dir') {
      const chunk = gatherer.add(encodeHeader({ name: `${entry.path}/`, type: 'directory', mode: 0o755, size: 0, mtime }));
      if (chunk !== undefined) yield chunk;
      continue;
    }
    const file = SourceFile.open(entry.absolute, entry.path);
    try {
      const header = encodeHeader({ name: entry.path, type: 'file', mode: toFileMode(file.mode), size: file.size, mtime });
      if (file.size <= SMALL_FILE_BYTES) {
        for (const part of [header, file.readAll(), entryPadding(file.size)]) {
          const chunk = gatherer.add(part);
          if (chunk !== undefined) yield chunk;
        }
        continue;
      }
      const before = gatherer.take();
      if (before !== undefined) yield before;
      yield header;
      for await (const chunk of file.chunks(signal)) yield chunk;
      yield entryPadding(file.size);
    } catch (error) {
      throw toArchiveError(error, `reading ${quotePath(entry.path)}`);
    } finally {
      file.close();
    }
  }
  const last = gatherer.take();
  if (last !== undefined) yield last;
  yield END_OF_ARCHIVE;
  onDone(count);
}
