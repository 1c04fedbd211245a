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
import { createDeflateRaw } from 'node:zlib';
import { pack as createTarPack } from 'tar-stream';
import { DigestTap } from './digest-tap.ts';
import { toFileMode } from './entry-writer.ts';
import { archiveError, toArchiveError } from './errors.ts';
import { GzipFramer } from './gzip-frame.ts';
import { quotePath } from './quote-path.ts';
import { waitForDrain } from './stream-util.ts';
import { SMALL_FILE_BYTES, SourceFile } from './source-file.ts';
import { walkSource } from './walk.ts';
import type { Header, Pack } from 'tar-stream';
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
  const tar = createTarPack();
  let entries = 0;
  produceTar(walkSource(source, options), tar, mtime, options.signal)
    .then((count) => {
      entries = count;
    })
    .catch((error: unknown) => {
      tar.destroy(toArchiveError(error, 'packing'));
    });
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
    Readable.from(tar, { objectMode: false }),
    uncompressed,
    createDeflateRaw({ level }),
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

async function produceTar(
  entries: AsyncIterable<SourceEntry>,
  tar: Pack,
  mtime: Date,
  signal: AbortSignal | undefined,
): Promise<number> {
  let count = 0;
  for await (const entry of entries) {
    signal?.throwIfAborted();
    if (entry.kind === 'dir') {
      await startEntry(tar, toHeader(`${entry.path}/`, 'directory', 0o755, 0, mtime)).done;
    } else {
      await addFile(tar, entry, mtime, signal);
    }
    count++;
  }
  tar.finalize();
  return count;
}

async function addFile(tar: Pack, entry: SourceEntry, mtime: Date, signal: AbortSignal | undefined): Promise<void> {
  const file = SourceFile.open(entry.absolute, entry.path);
  try {
    const header = toHeader(entry.path, 'file', toFileMode(file.mode), file.size, mtime);
    if (file.size <= SMALL_FILE_BYTES) {
      await startEntry(tar, header, file.readAll()).done;
      return;
    }
    const { sink, done } = startEntry(tar, header);
    for await (const chunk of file.chunks(signal)) {
      if (!sink.write(chunk)) await waitForDrain(sink);
    }
    sink.end(undefined);
    await done;
  } catch (error) {
    throw toArchiveError(error, `reading ${quotePath(entry.path)}`);
  } finally {
    file.close();
  }
}

function toHeader(name: string, type: 'file' | 'directory', mode: number, size: number, mtime: Date): Header {
  return { name, type, mode, size, mtime, uid: 0, gid: 0, uname: '', gname: '', linkname: '', devmajor: 0, devminor: 0 };
}

type Sink = ReturnType<Pack['entry']>;

// Adds an entry to `tar`; with `content` the entry is complete, else write its data to `sink` and end it.
function startEntry(tar: Pack, header: Header, content?: Buffer): { sink: Sink; done: Promise<void> } {
  let settle: (error?: Error | null) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => {
      if (error) reject(error);
      else resolve();
    };
  });
  done.catch(() => undefined);
  const callback = (error?: Error | null): void => {
    settle(error);
  };
  const sink = content === undefined ? tar.entry(header, callback) : tar.entry(header, content, callback);
  return { sink, done };
}
