/**
 * The `signedBy` requirement on simple-signing (GPG) signatures
 * (containers/image signature/policy_eval_signedby.go; research/signatures.md
 * §1.3, §3). Only keyType GPGKeys is implemented upstream; the other
 * three parse but reject every signature. Order per signature: crypto
 * (exactly one signature by a trusted key, not expired or revoked) →
 * strict payload parse → docker-manifest-digest equal to the subject →
 * signedIdentity.
 */
import { configInvalid, RejectionError } from '../errors.ts';
import {
  loadGpgKeyring, parseSignaturePayload, SIMPLE_SIGNING_TYPE, verifySimpleSigningBlob, type GpgKeyring,
} from '../simple-signing/index.ts';
import { matchesSignedIdentity } from './identity-match.ts';
import type { SignedByRequirement, SignedIdentity } from './policy-types.ts';
import type { SigstoreAcceptance, SigstoreExpectation } from './sigstore-signed.ts';
import type { TrustedKeyReader } from './trusted-keys.ts';

/** A signedBy requirement with its keyring loaded (undefined for the unimplemented key types). */
export interface SignedByTrust {
  readonly keyType: SignedByRequirement['keyType'];
  readonly keyring?: GpgKeyring;
  readonly signedIdentity: SignedIdentity;
}

/** Reads and merges the requirement's keys. Throws CONFIG_INVALID naming the field. */
export async function prepareSignedByTrust(requirement: SignedByRequirement, readTrustedKey: TrustedKeyReader): Promise<SignedByTrust> {
  if (requirement.keyType !== 'GPGKeys') return { keyType: requirement.keyType, signedIdentity: requirement.signedIdentity };
  const keys: Uint8Array[] = [];
  for (const source of requirement.keys) {
    if (source.kind === 'data') {
      keys.push(source.data);
      continue;
    }
    try {
      keys.push(await readTrustedKey(source.path));
    } catch (error) {
      throw configInvalid(`policy.json ${source.at}: the key file cannot be read`, { cause: error });
    }
  }
  if (keys.length === 0) throw configInvalid(`policy.json ${requirement.at}: No public keys imported`, { details: { field: requirement.at } });
  try {
    return { keyType: requirement.keyType, keyring: await loadGpgKeyring(keys), signedIdentity: requirement.signedIdentity };
  } catch (error) {
    throw configInvalid(`policy.json ${requirement.at}: the GPG keys cannot be loaded`, { cause: error });
  }
}

/**
 * Accepts one simple-signing blob under `trust`, or throws RejectionError:
 * SIGNATURE_INVALID / SIGNER_UNTRUSTED / SIGNATURE_EXPIRED (crypto),
 * PAYLOAD_INVALID, SUBJECT_MISMATCH, IDENTITY_MISMATCH.
 */
export async function acceptSimpleSignature(trust: SignedByTrust, blob: Uint8Array, expected: SigstoreExpectation): Promise<SigstoreAcceptance> {
  if (trust.keyring === undefined) throw new RejectionError('SIGNER_UNTRUSTED', `Unimplemented "keyType" value ${JSON.stringify(trust.keyType)}`);
  const verified = await verifySimpleSigningBlob(blob, trust.keyring, { now: expected.now });
  const payload = parseSignaturePayload(verified.payload, SIMPLE_SIGNING_TYPE);
  if (payload.dockerManifestDigest !== expected.digest) {
    throw new RejectionError('SUBJECT_MISMATCH', `Signature for digest ${payload.dockerManifestDigest} does not match`);
  }
  if (!matchesSignedIdentity(trust.signedIdentity, expected.intended, payload.dockerReference)) {
    throw new RejectionError('IDENTITY_MISMATCH', `Signature for identity ${JSON.stringify(payload.dockerReference.slice(0, 300))} is not accepted`);
  }
  return { signer: `GPG ${verified.primaryFingerprint}` };
}
