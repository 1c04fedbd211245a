/**
 * Storing simple-signing blobs where readers look for them: a file://
 * lookaside directory (the next free `signature-N`, written atomically and
 * never over an existing one) or the registry signature extension
 * (containers/image docker/docker_image_dest.go; research/signatures.md §2,
 * §3.4).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RegistryClient } from '../../oci/index.ts';
import { verifyError } from '../errors.ts';
import type { VerificationSubject } from '../types.ts';
import { MAX_LOOKASIDE_SIGNATURES } from './fetch.ts';
import { parseLookasideBase, toLookasidePath, toLookasideUrl } from './lookaside-url.ts';

export interface WrittenSignature {
  /** `file://…/signature-N`. */
  readonly url: string;
  readonly index: number;
}

/**
 * Writes `blob` as the next free `signature-N` of the subject's digest
 * under the file:// lookaside `base`. The file appears whole or not at all
 * (written aside, then hard-linked into place, which fails rather than
 * overwrite a signature another writer just stored).
 */
export async function writeLookasideSignature(base: string, subject: VerificationSubject, blob: Uint8Array): Promise<WrittenSignature> {
  if (parseLookasideBase(base).protocol !== 'file:') {
    throw verifyError('SIGNING_FAILED', 'only file:// lookaside storage can be written', { errorClass: 'stalling' });
  }
  const first = toLookasidePath(toLookasideUrl(base, subject.reference.repository, subject.descriptor.digest, 1));
  const directory = dirname(first);
  await mkdir(directory, { recursive: true, mode: 0o755 });
  const temporary = join(directory, `.signature-${randomBytes(8).toString('hex')}.tmp`);
  await writeFile(temporary, blob, { mode: 0o644, flag: 'wx' });
  try {
    // One past containers/image's read limit would never be read: stop before it.
    for (let index = 1; index < MAX_LOOKASIDE_SIGNATURES; index++) {
      const url = toLookasideUrl(base, subject.reference.repository, subject.descriptor.digest, index);
      try {
        await link(temporary, toLookasidePath(url));
        return { url: url.href, index };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw verifyError('SIGNING_FAILED', `lookaside already holds ${String(MAX_LOOKASIDE_SIGNATURES - 1)} signatures of ${subject.descriptor.digest}`, {
      errorClass: 'stalling',
    });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Stores `blob` through the registry signature extension under a fresh
 * name `<digest>@<32 random hex>` (the API leaves naming to the client);
 * returns the name.
 */
export async function putExtensionSignature(
  client: RegistryClient, subject: VerificationSubject, blob: Uint8Array, signal: AbortSignal,
): Promise<string> {
  const digest = subject.descriptor.digest;
  const name = `${digest}@${randomBytes(16).toString('hex')}`;
  await client.putExtensionSignature(
    { registry: subject.reference.registry, repository: subject.reference.repository }, digest, { name, content: blob }, { signal },
  );
  return name;
}
