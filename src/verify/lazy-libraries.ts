/**
 * Libraries loaded on first use rather than at import time: the verify
 * module's barrel is imported by every bobctl verb that verifies or signs,
 * and most runs need neither OpenPGP nor NaCl (bench: openpgp ~130 ms and
 * tweetnacl ~80 ms of a ~600 ms `verify artifact` start-up).
 */
import type * as OpenPgp from 'openpgp';
import type Nacl from 'tweetnacl';

export async function loadOpenpgp(): Promise<typeof OpenPgp> {
  return import('openpgp');
}

export async function loadNacl(): Promise<typeof Nacl> {
  return (await import('tweetnacl')).default;
}
