/**
 * Visits every object directory under the root
 * (`ocirepository/<namespace>/<name>`), skipping anything whose name is not
 * a valid namespace or name: storage never touches what it could not have
 * created.
 */
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNotAborted, isErrno } from './errors.ts';
import { ARTIFACT_KIND_DIR, isDns1123Label, isDns1123Subdomain } from './object-key.ts';
import type { ObjectKey } from './object-key.ts';

/** Runs `visit` for each object directory, one at a time; returns everything the visits returned. */
export async function sweepObjectDirs(
  root: string,
  visit: (key: ObjectKey, relDir: string) => Promise<string[]>,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const results: string[] = [];
  for (const namespace of await listDirectories(join(root, ARTIFACT_KIND_DIR), isDns1123Label)) {
    for (const name of await listDirectories(join(root, ARTIFACT_KIND_DIR, namespace), isDns1123Subdomain)) {
      assertNotAborted(signal, 'sweeping temporary files');
      results.push(...await visit({ namespace, name }, `${ARTIFACT_KIND_DIR}/${namespace}/${name}`));
    }
  }
  return results;
}

async function listDirectories(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of await opendir(dir)) {
      if (entry.isDirectory() && accept(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return names;
    throw error;
  }
  return names;
}
