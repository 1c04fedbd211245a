/**
 * Names of files being written: `.tmp-<token>` in the object's own
 * directory. Same directory means same filesystem, so the final rename(2)
 * cannot fail with EXDEV (notation CVE-2024-51491); the leading dot keeps
 * them out of the artifact server (which refuses hidden names) and out of
 * GC (which only considers `<hex>.tar.gz`).
 */
import { randomBytes } from 'node:crypto';
import { storageError } from './errors.ts';

/** Prefix of every temporary file and symlink storage creates. */
export const TEMP_PREFIX = '.tmp-';

/** A source of unique tokens for temporary names. */
export type RandomToken = () => string;

const TOKEN_PATTERN = /^[0-9a-z]{8,64}$/;

/** 16 random hex characters. */
export const randomToken: RandomToken = () => randomBytes(8).toString('hex');

/** `.tmp-<token>`; throws STORAGE_OPTIONS_INVALID if the token is not 8-64 of [0-9a-z]. */
export function toTempName(random: RandomToken): string {
  const token = random();
  if (!TOKEN_PATTERN.test(token)) {
    throw storageError('STORAGE_OPTIONS_INVALID', 'random token must be 8 to 64 characters of [0-9a-z]', { details: { field: 'random' } });
  }
  return `${TEMP_PREFIX}${token}`;
}

/** Guard: `name` is a temporary file or link name. */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}
