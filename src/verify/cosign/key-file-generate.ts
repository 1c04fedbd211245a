/**
 * A new cosign key pair, as `cosign generate-key-pair` makes it: ECDSA
 * P-256 (research/signatures.md §4.4), the private key encrypted into
 * cosign.key's format, the public key as PEM `PUBLIC KEY` for cosign.pub.
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { encryptPrivateKey, toPublicKeyPem, type EncryptOptions } from './key-file.ts';

export interface GeneratedKeyPair {
  /** cosign.key: PEM `ENCRYPTED SIGSTORE PRIVATE KEY`. */
  readonly privateKeyPem: string;
  /** cosign.pub: PEM `PUBLIC KEY`. */
  readonly publicKeyPem: string;
}

/** Generates an ECDSA P-256 key pair and encrypts the private key with `password` (may be empty, as in cosign). */
export async function generateCosignKeyPair(password: string, options: EncryptOptions = {}): Promise<GeneratedKeyPair> {
  const { privateKey } = await new Promise<{ privateKey: KeyObject }>((resolve, reject) => {
    generateKeyPair('ec', { namedCurve: 'P-256' }, (error, _publicKey, key) => {
      if (error === null) resolve({ privateKey: key });
      else reject(error);
    });
  });
  return { privateKeyPem: await encryptPrivateKey(privateKey, password, options), publicKeyPem: toPublicKeyPem(privateKey) };
}
