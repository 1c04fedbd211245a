/**
 * A one-way fingerprint of Secret content, so the controller can tell that a
 * Secret changed (rotation: re-verify, new registry client) without keeping
 * or showing its values. SecretData carries no resourceVersion, and content
 * is what matters anyway.
 */
import { createHash, type Hash } from 'node:crypto';
import type { SecretContent } from './ports.ts';

/** Feeds `secret` into `hash` unambiguously: every key and value is length-prefixed, keys sorted. */
export function hashSecret(hash: Hash, secret: SecretContent): void {
  const frame = (bytes: Uint8Array): void => {
    hash.update(`${String(bytes.length)}:`);
    hash.update(bytes);
  };
  frame(Buffer.from(secret.type));
  for (const key of [...secret.data.keys()].sort()) {
    frame(Buffer.from(key));
    frame(secret.data.get(key) ?? new Uint8Array());
  }
}

/** `sha256:<hex>` over `parts` (plain strings) and `secrets`. */
export function toFingerprint(parts: readonly string[], secrets: readonly SecretContent[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${String(Buffer.byteLength(part))}:${part}`);
  for (const secret of secrets) hashSecret(hash, secret);
  return `sha256:${hash.digest('hex')}`;
}
