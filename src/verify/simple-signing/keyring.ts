/**
 * The trusted GPG keys of a `signedBy` requirement (containers-policy.json(5)
 * keyPath/keyPaths/keyData): binary or ASCII-armored OpenPGP public keys,
 * each input possibly holding several keys, all merged into one keyring as
 * `gpg --import` would (the same key twice becomes one key with the
 * signatures of both, so a later revocation certificate takes effect).
 */
import type { Key, PublicKey } from 'openpgp';
import { loadOpenpgp } from '../lazy-libraries.ts';
import { toSafeText } from '../../shared/index.ts';
import { configInvalid } from '../errors.ts';

/** Trusted OpenPGP keys, by primary fingerprint. */
export interface GpgKeyring {
  readonly keys: readonly PublicKey[];
  /** Primary key fingerprints, upper-case hex, in load order. */
  readonly fingerprints: readonly string[];
}

const ARMOR_BLOCK = /-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g;

function isArmored(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 64)).trimStart();
  return head.startsWith('-----BEGIN PGP');
}

async function readEntry(bytes: Uint8Array, index: number): Promise<Key[]> {
  const what = `GPG key entry ${String(index + 1)}`;
  if (bytes.length === 0) throw configInvalid(`${what} is empty`);
  try {
    const { readKeys } = await loadOpenpgp();
    if (!isArmored(bytes)) return await readKeys({ binaryKeys: bytes });
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const blocks = text.match(ARMOR_BLOCK) ?? [];
    if (blocks.length === 0) throw new Error('no complete armored key block');
    const keys: Key[] = [];
    for (const block of blocks) keys.push(...await readKeys({ armoredKeys: block }));
    return keys;
  } catch (error) {
    const reason = error instanceof Error ? toSafeText(error.message, 160) : 'unreadable';
    throw configInvalid(`${what} is not an OpenPGP public key (binary or ASCII-armored): ${reason}`);
  }
}

/** Reads and merges the keys; an empty list, an empty entry or anything that is not an OpenPGP key throws CONFIG_INVALID. */
export async function loadGpgKeyring(keys: readonly Uint8Array[]): Promise<GpgKeyring> {
  if (keys.length === 0) throw configInvalid('GPG keyring: no public keys given');
  const merged = new Map<string, PublicKey>();
  for (const [index, bytes] of keys.entries()) {
    for (const key of await readEntry(bytes, index)) {
      // A secret key block is accepted as gpg accepts it; only its public part is kept.
      const publicKey = key.isPrivate() ? key.toPublic() : key;
      const fingerprint = publicKey.getFingerprint().toUpperCase();
      const existing = merged.get(fingerprint);
      try {
        merged.set(fingerprint, existing === undefined ? publicKey : await existing.update(publicKey));
      } catch (error) {
        const reason = error instanceof Error ? toSafeText(error.message, 160) : 'merge failed';
        throw configInvalid(`GPG key entry ${String(index + 1)}: key ${fingerprint} cannot be merged: ${reason}`);
      }
    }
  }
  return { keys: [...merged.values()], fingerprints: [...merged.keys()] };
}
