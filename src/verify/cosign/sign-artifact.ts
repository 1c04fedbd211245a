/**
 * Signing an artifact with a cosign key, in either of cosign's layouts:
 * `legacy` (the `.sig` tag cosign 2 writes, readable by every cosign and by
 * containers/image) or `bundle` (cosign 3's default, a Sigstore bundle
 * referrer). Offline: nothing goes to a transparency log.
 */
import type { KeyObject } from 'node:crypto';
import type { RegistryClient } from '../../oci/index.ts';
import { DEFAULT_VERIFY_LIMITS } from '../attachments.ts';
import { verifyError } from '../errors.ts';
import type { VerificationSubject, VerifyLimits } from '../types.ts';
import { signBundle } from './sign-bundle.ts';
import { toCosignSigner } from './sign-key.ts';
import { signLegacy } from './sign-legacy.ts';
import type { CosignSignature, CosignSignFormat } from './sign-result.ts';

export interface CosignSignOptions {
  /** ECDSA P-256/384/521 or RSA ≥ 2048 (see readPrivateKey for key files). */
  readonly privateKey: KeyObject;
  readonly format: CosignSignFormat;
  readonly signal: AbortSignal;
  /** For the bundle's `org.opencontainers.image.created`; default the system clock. */
  readonly now?: () => Date;
  /** Caps when reading an existing `.sig` manifest; default DEFAULT_VERIFY_LIMITS. */
  readonly limits?: VerifyLimits;
}

/**
 * Signs `subject.descriptor.digest` (resolve tags first: the digest is what
 * is signed) and stores the signature in `subject.reference`'s repository.
 * Throws SIGNING_FAILED for unusable keys or an existing `.sig` that cannot
 * be appended to; registry errors pass through with their oci codes.
 */
export async function signArtifactWithCosign(
  client: RegistryClient, subject: VerificationSubject, options: CosignSignOptions,
): Promise<CosignSignature> {
  const signer = toCosignSigner(options.privateKey);
  const context = {
    client, signal: options.signal, now: options.now ?? (() => new Date()), limits: options.limits ?? DEFAULT_VERIFY_LIMITS,
  };
  switch (options.format) {
    case 'legacy':
      return signLegacy(client, subject, signer, context);
    case 'bundle':
      return signBundle(client, subject, signer, context);
    default:
      throw verifyError('SIGNING_FAILED', 'unknown cosign signature format', { errorClass: 'stalling' });
  }
}
