/**
 * One simple-signing signature checked against one manifest, in
 * containers/image's order (signature/simple.go verifyAndExtractSignature,
 * policy_eval_signedby.go): cryptography first, then the strict payload
 * parse, then the digest (manifest.MatchesDigest: the manifest bytes hashed
 * with the algorithm the signature names). The identity check
 * (`signedIdentity`) is the policy engine's and is not done here.
 */
import { createHash } from 'node:crypto';
import { RejectionError } from '../errors.ts';
import type { GpgKeyring } from './keyring.ts';
import { SIMPLE_SIGNING_TYPE, parseSignaturePayload, type SignaturePayload } from './payload.ts';
import { verifySimpleSigningBlob, type VerifyBlobOptions } from './verify-blob.ts';

export interface VerifiedSimpleSignature {
  /** Upper-case hex primary fingerprint of the signer. */
  readonly primaryFingerprint: string;
  readonly payload: SignaturePayload;
}

export interface VerifySignatureOptions extends VerifyBlobOptions {
  /**
   * The manifest bytes as served. When given, a signature naming the same
   * manifest by another algorithm's digest matches too (containers/image
   * hashes the bytes with the signature's algorithm); otherwise the digests
   * are compared as strings.
   */
  readonly manifestBytes?: Uint8Array;
}

function matchesDigest(signed: string, manifestDigest: string, manifestBytes: Uint8Array | undefined): boolean {
  if (signed === manifestDigest) return true;
  if (manifestBytes === undefined) return false;
  const [algorithm = '', hex = ''] = signed.split(':');
  return createHash(algorithm).update(manifestBytes).digest('hex') === hex;
}

/**
 * Verifies `blob` with `keyring` and checks that its payload signs
 * `manifestDigest`. Throws RejectionError: the codes of
 * verifySimpleSigningBlob, PAYLOAD_INVALID, or SUBJECT_MISMATCH when the
 * signature is valid but for another manifest.
 */
export async function verifySimpleSignature(
  blob: Uint8Array, keyring: GpgKeyring, manifestDigest: string, options: VerifySignatureOptions = {},
): Promise<VerifiedSimpleSignature> {
  const verified = await verifySimpleSigningBlob(blob, keyring, options);
  const payload = parseSignaturePayload(verified.payload, SIMPLE_SIGNING_TYPE);
  if (!matchesDigest(payload.dockerManifestDigest, manifestDigest, options.manifestBytes)) {
    throw new RejectionError(
      'SUBJECT_MISMATCH',
      `signature by ${verified.primaryFingerprint} is for manifest ${payload.dockerManifestDigest}, not ${manifestDigest}`,
    );
  }
  return { primaryFingerprint: verified.primaryFingerprint, payload };
}
