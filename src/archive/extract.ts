/**
 * Safe extraction of a tar.gz blob into a directory (research/reliability.md
 * §1.2, §1.7, §6 rows 1-13). The pipeline is
 *
 *   blob -> BlobVerifier (size + digest of every byte read)
 *        -> gunzipStrict (one member, CRC, nothing after it)
 *        -> TarGuard (framing, limits, end marker, trailing zeros only)
 *        -> tar-stream -> allow-list of files and directories -> staging dir
 *
 * and the staging directory replaces the target only after the whole blob
 * was read and matched its digest. Any failure removes the staging directory
 * and leaves the target untouched.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { extract as createTarExtract } from 'tar-stream';
import { toEntryPath } from './entry-path.ts';
import { EntryWriter } from './entry-writer.ts';
import { archiveError, toArchiveError } from './errors.ts';
import { assertExpectedBlob, BlobVerifier, verifyBlobFile } from './expected-blob.ts';
import { gunzipStrict } from './gunzip-strict.ts';
import { resolveLimits } from './limits.ts';
import { PathRegistry } from './path-registry.ts';
import { quotePath } from './quote-path.ts';
import { createStaging } from './staging.ts';
import { waitForDrain } from './stream-util.ts';
import { TarGuard } from './tar-guard.ts';
import { isBobError } from '../shared/index.ts';
import type { Readable } from 'node:stream';
import type { Extract } from 'tar-stream';
import type { ExpectedBlob } from './expected-blob.ts';
import type { ExtractLimits } from './limits.ts';

const READ_CHUNK = 256 * 1024;

export interface ExtractOptions {
  /** Digest and size of the blob (its OCI descriptor). Required: nothing is published unverified. */
  readonly expected: ExpectedBlob;
  /** Overrides for DEFAULT_EXTRACT_LIMITS. */
  readonly limits?: Partial<ExtractLimits>;
  readonly signal?: AbortSignal;
  /**
   * Set when `blob` is a stream that itself errors at its end unless its
   * bytes match `expected` (RegistryClient.openBlob does): the size is still
   * enforced here, the digest is not computed a second time. The staging
   * directory is committed only after the source ended cleanly either way.
   */
  readonly sourceVerified?: boolean;
}

export interface ExtractSummary {
  /** The verified digest of the blob (equals `expected.digest`). */
  readonly digest: string;
  readonly size: number;
  readonly uncompressedSize: number;
  readonly files: number;
  /** Directories created, explicit or implied. */
  readonly directories: number;
}

interface Counts {
  files: number;
  directories: number;
}

/**
 * Extracts the tar.gz `blob` (a file path or a stream) into `target`,
 * replacing its content only on success. Throws BobError with codes
 * ARCHIVE_PATH_INVALID, ARCHIVE_LINK_REJECTED, ARCHIVE_ENTRY_TYPE_UNSUPPORTED,
 * ARCHIVE_TOO_LARGE, ARCHIVE_TOO_MANY_ENTRIES, ARCHIVE_DUPLICATE_ENTRY,
 * ARCHIVE_HEADER_TOO_LARGE, ARCHIVE_CORRUPT (all 'stalling'),
 * ARCHIVE_DIGEST_MISMATCH, ARCHIVE_IO_FAILED, ARCHIVE_ABORTED ('transient'),
 * ARCHIVE_OPTIONS_INVALID, ARCHIVE_TARGET_INVALID. When `blob` is a path and
 * the content is rejected, the file is re-hashed: a blob that does not match
 * `expected` reports ARCHIVE_DIGEST_MISMATCH (cause: the content error), so
 * a damaged download is retried rather than stalled. Callers serialize
 * extractions into one target.
 */
export async function extractArchive(blob: string | Readable, target: string, options: ExtractOptions): Promise<ExtractSummary> {
  try {
    return await extractChecked(blob, target, options);
  } finally {
    // A stream refused before it was read (limits, target) must still be
    // released: its source may be an HTTP body holding a connection open.
    if (typeof blob !== 'string' && !blob.destroyed) blob.destroy();
  }
}

async function extractChecked(blob: string | Readable, target: string, options: ExtractOptions): Promise<ExtractSummary> {
  const limits = resolveLimits(options.limits);
  assertExpectedBlob(options.expected);
  if (options.expected.size > limits.maxCompressedBytes) {
    throw archiveError('ARCHIVE_TOO_LARGE', `blob size exceeds ${limits.maxCompressedBytes} bytes`, {
      details: { limit: limits.maxCompressedBytes },
    });
  }
  if (options.signal?.aborted === true) {
    throw archiveError('ARCHIVE_ABORTED', 'extraction aborted', { cause: options.signal.reason });
  }
  const staging = await createStaging(target);
  try {
    const verifyHere = typeof blob === 'string' || options.sourceVerified !== true;
    const summary = await extractInto(blob, staging.directory, options.expected, limits, options.signal, verifyHere);
    options.signal?.throwIfAborted();
    await staging.commit();
    return summary;
  } catch (error) {
    await staging.discard();
    throw await attribute(toArchiveError(error, 'extracting archive'), blob, options.expected);
  }
}

async function extractInto(
  blob: string | Readable,
  directory: string,
  expected: ExpectedBlob,
  limits: ExtractLimits,
  signal: AbortSignal | undefined,
  hash: boolean,
): Promise<ExtractSummary> {
  const source = typeof blob === 'string' ? createReadStream(blob, { highWaterMark: READ_CHUNK }) : blob;
  const guard = new TarGuard(limits);
  const writer = new EntryWriter(directory, new PathRegistry(limits.maxEntries));
  const counts: Counts = { files: 0, directories: 0 };
  await pipeline(
    source,
    new BlobVerifier(expected, hash),
    gunzipStrict,
    guard,
    (tar: AsyncIterable<Buffer>) => unpack(tar, writer, limits, counts),
    signal === undefined ? {} : { signal },
  );
  return {
    digest: expected.digest,
    size: expected.size,
    uncompressedSize: guard.total,
    files: counts.files,
    directories: counts.directories,
  };
}

// Feeds tar bytes into tar-stream and handles its entries, concurrently; the
// first failure of either side destroys the parser so the other side ends.
async function unpack(tar: AsyncIterable<Buffer>, writer: EntryWriter, limits: ExtractLimits, counts: Counts): Promise<void> {
  const parser = createTarExtract();
  const fail = (error: unknown): never => {
    parser.destroy(error instanceof Error ? error : new Error('extraction failed'));
    throw error;
  };
  const feeding = (async (): Promise<void> => {
    for await (const chunk of tar) {
      if (!parser.write(chunk)) await waitForDrain(parser);
    }
    parser.end(undefined);
  })().catch(fail);
  const consuming = consume(parser, writer, limits, counts).catch(fail);
  await Promise.all([feeding, consuming]);
}

async function consume(parser: Extract, writer: EntryWriter, limits: ExtractLimits, counts: Counts): Promise<void> {
  for await (const entry of parser) {
    const { header } = entry;
    // tar-stream reports unknown typeflags as null despite its types.
    const type = header.type as string | null;
    if (type === 'symlink' || type === 'link') {
      // Links are how every extraction escape in §6 rows 3-5 starts
      // (CVE-2021-32803, oras GHSA-fxhp/m37j): none are created, not even
      // Flux's empty placeholder for hardlinks.
      throw archiveError('ARCHIVE_LINK_REJECTED', `entry ${quotePath(header.name)}: ${type === 'link' ? 'hard links' : 'symlinks'} are not allowed`);
    }
    if (type !== 'file' && type !== 'directory') {
      throw archiveError('ARCHIVE_ENTRY_TYPE_UNSUPPORTED', `entry ${quotePath(header.name)}: unsupported entry type ${type ?? 'unknown'}`);
    }
    const path = toEntryPath(header.name, limits);
    if (type === 'directory') {
      if (path !== undefined) counts.directories += writer.writeDirectory(path);
      continue;
    }
    if (path === undefined) throw archiveError('ARCHIVE_PATH_INVALID', `entry ${quotePath(header.name)}: a file cannot be the root`);
    counts.directories += await writer.writeFile(path, header.mode, header.size, entry as AsyncIterable<Buffer>);
    counts.files++;
  }
}

// A content error in a blob that is not the expected one is a damaged
// download (transient), not hostile content (stalling).
async function attribute(error: Error, blob: string | Readable, expected: ExpectedBlob): Promise<Error> {
  if (typeof blob !== 'string' || !isBobError(error) || error.errorClass !== 'stalling') return error;
  try {
    await verifyBlobFile(blob, expected);
  } catch (verification) {
    if (isBobError(verification, 'ARCHIVE_DIGEST_MISMATCH')) {
      return archiveError('ARCHIVE_DIGEST_MISMATCH', verification.message, { cause: error, details: verification.details });
    }
  }
  return error;
}
