/**
 * Reading the files a policy names (keyPath, caPath, rekorPublicKeyPath...)
 * from one trusted directory only. policy.json is plain data that may come
 * from a less trusted place than the keys; a path in it must not be able
 * to read arbitrary files of the controller (an absolute path elsewhere,
 * `../`, or a symlink pointing out of the directory).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { configInvalid } from '../errors.ts';

/** Returns the bytes of a trust-material file named in a policy; throws CONFIG_INVALID when it cannot or must not be read. */
export type TrustedKeyReader = (path: string) => Promise<Uint8Array>;

/** Trust material files are small; anything bigger is not a key or a CA bundle. */
const MAX_TRUSTED_FILE_BYTES = 4 * 1024 * 1024;

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' ? false : !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * A TrustedKeyReader confined to `dir`: relative paths resolve inside it,
 * absolute paths must already point inside it, and the real path (after
 * symlinks) must stay inside its real path.
 */
export function createTrustedKeyReader(dir: string): TrustedKeyReader {
  const root = resolve(dir);
  let realRoot: Promise<string> | undefined;
  return async (path: string): Promise<Uint8Array> => {
    const shown = JSON.stringify(path.slice(0, 200));
    if (path === '' || path.includes('\0')) throw configInvalid(`trusted key path ${shown} is not a file name`);
    const candidate = resolve(root, path);
    if (!isInside(root, candidate)) throw configInvalid(`trusted key path ${shown} is outside the trusted keys directory`);
    realRoot ??= realpath(root);
    let real: string;
    let rootReal: string;
    try {
      rootReal = await realRoot;
      real = await realpath(candidate);
    } catch (error) {
      realRoot = undefined;
      throw configInvalid(`trusted key ${shown} cannot be read`, { cause: error });
    }
    if (!isInside(rootReal, real)) throw configInvalid(`trusted key path ${shown} resolves outside the trusted keys directory`);
    const info = await stat(real).catch((error: unknown) => {
      throw configInvalid(`trusted key ${shown} cannot be read`, { cause: error });
    });
    if (!info.isFile()) throw configInvalid(`trusted key ${shown} is not a regular file`);
    if (info.size > MAX_TRUSTED_FILE_BYTES) throw configInvalid(`trusted key ${shown} is larger than ${String(MAX_TRUSTED_FILE_BYTES)} bytes`);
    try {
      return new Uint8Array(await readFile(real));
    } catch (error) {
      throw configInvalid(`trusted key ${shown} cannot be read`, { cause: error });
    }
  };
}
