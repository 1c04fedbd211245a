/**
 * Finding the simple-signing signatures of a manifest, in containers/image's
 * order (docker/docker_image_src.go GetSignaturesWithFormat;
 * research/signatures.md §2, §3.4): when the registry announces the
 * signature API extension its list is used INSTEAD of lookaside storage;
 * otherwise lookaside `signature-1, -2, …` is read until the first missing
 * one. (cosign attachments, read additionally when `use-sigstore-attachments`
 * is set, are the policy engine's business.)
 */
import { open } from 'node:fs/promises';
import { isBobError, redactUrl, toSafeText } from '../../shared/index.ts';
import type { Repository } from '../../oci/index.ts';
import { decodeStandardBase64 } from '../base64.ts';
import { configInvalid, RejectionError } from '../errors.ts';
import type { VerificationContext, VerificationSubject } from '../types.ts';
import { toLookasideBlob, type LookasideBlobFormat } from './blob-format.ts';
import { toLookasidePath, toLookasideUrl } from './lookaside-url.ts';

/** containers/image maxLookasideSignatures: signature-128 is the last one looked at, and its presence is an error. */
export const MAX_LOOKASIDE_SIGNATURES = 128;
/** containers/image iolimits.MaxSignatureBodySize, and MaxSignatureListBodySize for the extension's list. */
export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
/** Extension entries looked at; containers/image has no count limit there, only the 4 MiB body. */
export const MAX_EXTENSION_SIGNATURES = 128;

const EXTENSION_SCHEMA_VERSION = 2;
const EXTENSION_TYPE_ATOMIC = 'atomic';

/** A signature blob and where it came from. */
export interface FetchedSignature {
  /** A lookaside URL, or the registry extension entry. */
  readonly source: string;
  readonly format: LookasideBlobFormat;
  /** simple-signing: the OpenPGP signed message; sigstore-json: the JSON document. */
  readonly blob: Uint8Array;
}

export interface FetchSignatureOptions {
  /** The lookaside base URL (registries.d `lookaside`) for this image; none: lookaside is not read. */
  readonly lookaside?: string;
}

function repositoryOf(subject: VerificationSubject): Repository {
  return { registry: subject.reference.registry, repository: subject.reference.repository };
}

async function fromExtension(subject: VerificationSubject, context: VerificationContext): Promise<FetchedSignature[]> {
  const repository = repositoryOf(subject);
  const digest = subject.descriptor.digest;
  const entries = await context.client.listExtensionSignatures(repository, digest, { signal: context.signal, maxBytes: MAX_SIGNATURE_BYTES });
  const where = `${repository.registry}/${repository.repository} signature extension`;
  const result: FetchedSignature[] = [];
  for (const [index, entry] of entries.entries()) {
    // Go decodes every entry's []byte content while unmarshalling: one bad entry fails the list.
    const blob = entry.content === undefined ? new Uint8Array(0) : decodeStandardBase64(entry.content);
    if (blob === undefined) throw new RejectionError('SIGNATURE_INVALID', `${where}: entry ${String(index + 1)} has invalid base64 content`);
    if (entry.schemaVersion !== EXTENSION_SCHEMA_VERSION || entry.type !== EXTENSION_TYPE_ATOMIC) continue;
    if (result.length >= MAX_EXTENSION_SIGNATURES) {
      throw new RejectionError('TOO_MANY_SIGNATURES', `${where}: more than ${String(MAX_EXTENSION_SIGNATURES)} signatures of ${digest}`);
    }
    const name = entry.name === undefined ? `entry ${String(index + 1)}` : toSafeText(entry.name, 200);
    result.push({ source: `${where}: ${name}`, format: 'simple-signing', blob });
  }
  return result;
}

/** A local lookaside file, at most `maxBytes`; undefined when it does not exist. */
async function readLookasideFile(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw configInvalid(`lookaside ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new RejectionError('SIGNATURE_TOO_LARGE', `lookaside ${path} is larger than ${String(maxBytes)} bytes`);
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, total);
  } catch (error) {
    if (error instanceof RejectionError) throw error;
    throw configInvalid(`lookaside ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  } finally {
    await handle.close();
  }
}

async function readLookasideUrl(url: URL, context: VerificationContext): Promise<Uint8Array | undefined> {
  if (url.protocol === 'file:') return readLookasideFile(toLookasidePath(url), MAX_SIGNATURE_BYTES);
  try {
    const found = await context.client.fetchLookasideSignature(url, { signal: context.signal, maxBytes: MAX_SIGNATURE_BYTES });
    if (found === undefined) return undefined;
    if (found.contentType !== undefined && /^\s*text\/html\s*(?:;|$)/i.test(found.contentType)) {
      // containers/image only warns: the lookaside spec sets no Content-Type rule, and HTML fails format detection anyway.
      context.warn?.(`lookaside signature ${redactUrl(url)} has Content-Type ${toSafeText(found.contentType, 80)}`);
    }
    return found.bytes;
  } catch (error) {
    if (isBobError(error, 'BLOB_TOO_LARGE')) {
      throw new RejectionError('SIGNATURE_TOO_LARGE', `lookaside signature ${redactUrl(url)} is larger than ${String(MAX_SIGNATURE_BYTES)} bytes`);
    }
    throw error;
  }
}

async function fromLookaside(subject: VerificationSubject, base: string, context: VerificationContext): Promise<FetchedSignature[]> {
  const result: FetchedSignature[] = [];
  for (let index = 1; ; index++) {
    if (index > MAX_LOOKASIDE_SIGNATURES) {
      throw new RejectionError(
        'TOO_MANY_SIGNATURES',
        `lookaside storage lists ${String(MAX_LOOKASIDE_SIGNATURES)} or more signatures of ${subject.descriptor.digest}`,
      );
    }
    const url = toLookasideUrl(base, subject.reference.repository, subject.descriptor.digest, index);
    const blob = await readLookasideUrl(url, context);
    if (blob === undefined) return result;
    const source = url.protocol === 'file:' ? url.href : redactUrl(url);
    let classified;
    try {
      classified = toLookasideBlob(blob);
    } catch (error) {
      if (error instanceof RejectionError) throw new RejectionError(error.code, `${source}: ${error.message}`);
      throw error;
    }
    result.push({ source, format: classified.format, blob: classified.data });
  }
}

/**
 * Every signature blob stored for the subject's manifest digest: from the
 * registry's signature extension when it announces one, else from lookaside
 * storage (simple-signing and sigstore-json blobs). Throws RejectionError
 * for an unrecognized blob, too many or too large signatures; registry and
 * HTTP failures pass through as oci errors.
 */
export async function fetchSignatureBlobs(
  subject: VerificationSubject, options: FetchSignatureOptions, context: VerificationContext,
): Promise<FetchedSignature[]> {
  if (await context.client.supportsSignatureExtension(subject.reference.registry, { signal: context.signal })) {
    return fromExtension(subject, context);
  }
  if (options.lookaside === undefined) return [];
  return fromLookaside(subject, options.lookaside, context);
}

/** The simple-signing blobs among fetchSignatureBlobs's results, each with its source. */
export async function fetchSimpleSignatures(
  subject: VerificationSubject, options: FetchSignatureOptions, context: VerificationContext,
): Promise<{ source: string; blob: Uint8Array }[]> {
  const all = await fetchSignatureBlobs(subject, options, context);
  return all.filter((signature) => signature.format === 'simple-signing').map(({ source, blob }) => ({ source, blob }));
}
