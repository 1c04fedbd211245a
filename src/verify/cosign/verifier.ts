/**
 * The cosign provider: `cosign verify` (and `verify-attestation` when
 * attestation types are demanded) against bob's Verifier contract.
 *
 * Order as cosign 3: Sigstore bundle referrers first, then the legacy
 * `sha256-<hex>.sig` tag (cosign 3 reads the tag only when it found no
 * bundle at all; bob also reads it when bundles exist but none verified,
 * which never accepts a signature cosign's trust settings would refuse).
 * Every count and size is capped (attachments.ts). Nothing thrown by a
 * hostile signature escapes: it becomes a per-signature attempt.
 */
import { isBobError } from '../../shared/index.ts';
import type { Repository } from '../../oci/index.ts';
import {
  fetchSignatureBlob, fetchTagAttachment, listReferrerArtifacts, type ReferrerArtifact,
} from '../attachments.ts';
import { isRejectionError, RejectionError } from '../errors.ts';
import type {
  RejectionCode, SignatureAttempt, SignatureFormat, Verdict, VerificationContext, VerificationSubject, VerifiedSignature, Verifier,
} from '../types.ts';
import { verifyBundle } from './bundle.ts';
import {
  BUNDLE_MEDIA_TYPES, COSIGN_SIGN_PREDICATE_TYPE, DSSE_ENVELOPE_MEDIA_TYPE, NO_MATCHING_SIGNATURES, PREDICATE_TYPE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from './constants.ts';
import { verifyLegacyAttestation, verifyLegacySignature } from './legacy.ts';
import { toCosignTrust, type CosignTrust, type CosignVerifierOptions } from './trust.ts';

/**
 * From most to least specific: how far a signature got before it failed.
 * A rejection reports the most specific code among its attempts.
 */
const SPECIFICITY: readonly RejectionCode[] = [
  'SUBJECT_MISMATCH', 'IDENTITY_MISMATCH', 'CERTIFICATE_EXPIRED', 'SIGNATURE_EXPIRED', 'TIMESTAMP_INVALID', 'TLOG_INVALID',
  'CERTIFICATE_INVALID', 'SIGNER_UNTRUSTED', 'SIGNATURE_INVALID', 'ATTESTATION_MISSING', 'PAYLOAD_INVALID',
  'SIGNATURE_TOO_LARGE', 'TOO_MANY_SIGNATURES', 'POLICY_REJECTED', 'NO_SIGNATURES',
];

/** The most specific code of `attempts`, or `fallback` when there are none. */
export function mostSpecificCode(attempts: readonly SignatureAttempt[], fallback: RejectionCode): RejectionCode {
  let best: RejectionCode | undefined;
  for (const attempt of attempts) {
    if (best === undefined || SPECIFICITY.indexOf(attempt.code) < SPECIFICITY.indexOf(best)) best = attempt.code;
  }
  return best ?? fallback;
}

interface Collected {
  readonly signatures: VerifiedSignature[];
  readonly attempts: SignatureAttempt[];
  /** Verified attestations by predicate type. */
  readonly attestations: Map<string, VerifiedSignature>;
  /** Failed attempts per demanded predicate type. */
  readonly attestationAttempts: Map<string, SignatureAttempt[]>;
}

function repositoryOf(subject: VerificationSubject): Repository {
  return { registry: subject.reference.registry, repository: subject.reference.repository };
}

function isBundleType(artifactType: string): boolean {
  return BUNDLE_MEDIA_TYPES.includes(artifactType);
}

/** Runs one signature check; a RejectionError (or any stray error from hostile input) becomes an attempt. */
async function attempt<T>(
  attempts: SignatureAttempt[], source: string, format: SignatureFormat, check: () => Promise<T> | T,
): Promise<T | undefined> {
  try {
    return await check();
  } catch (error) {
    if (isRejectionError(error)) {
      attempts.push({ source, format, code: error.code, reason: error.message });
      return undefined;
    }
    // Registry and configuration errors are not a judgement on this signature.
    if (isBobError(error)) throw error;
    attempts.push({ source, format, code: 'PAYLOAD_INVALID', reason: 'malformed signature material' });
    return undefined;
  }
}

function referrerSource(subject: VerificationSubject, artifact: ReferrerArtifact): string {
  return `${subject.reference.registry}/${subject.reference.repository}@${artifact.descriptor.digest}`;
}

async function collectBundles(trust: CosignTrust, subject: VerificationSubject, context: VerificationContext, collected: Collected): Promise<void> {
  const artifacts = await listReferrerArtifacts(subject, isBundleType, context);
  const digest = subject.descriptor.digest;
  for (const artifact of artifacts) {
    const source = referrerSource(subject, artifact);
    const hinted = artifact.manifest.annotations?.['dev.sigstore.bundle.predicateType'];
    const wanted = hinted === undefined || hinted === COSIGN_SIGN_PREDICATE_TYPE || trust.attestations.includes(hinted);
    // An unauthenticated hint only saves work; the verified statement decides below.
    if (!wanted) continue;
    const attempts: SignatureAttempt[] = [];
    const format: SignatureFormat = hinted === undefined || hinted === COSIGN_SIGN_PREDICATE_TYPE ? 'cosign-bundle' : 'cosign-attestation';
    const verified = await attempt(attempts, source, format, async () => {
      const [layer] = artifact.manifest.layers;
      if (artifact.manifest.layers.length !== 1 || layer === undefined || !isBundleType(layer.mediaType)) {
        throw new RejectionError('PAYLOAD_INVALID', 'bundle referrer must have exactly one bundle layer');
      }
      const bytes = await fetchSignatureBlob(repositoryOf(subject), layer, context);
      return verifyBundle(trust, bytes, digest, context.now());
    });
    if (verified === undefined) {
      if (format === 'cosign-bundle') collected.attempts.push(...attempts);
      else if (hinted !== undefined) collected.attestationAttempts.get(hinted)?.push(...attempts);
      continue;
    }
    const { signer, signedAt, predicateType } = verified;
    const base = { signer, source, ...(signedAt === undefined ? {} : { signedAt }) };
    if (predicateType === COSIGN_SIGN_PREDICATE_TYPE) {
      collected.signatures.push({ format: 'cosign-bundle', ...base });
    } else if (trust.attestations.includes(predicateType) && !collected.attestations.has(predicateType)) {
      collected.attestations.set(predicateType, { format: 'cosign-attestation', predicateType, ...base });
    }
  }
}

async function collectLegacySignatures(
  trust: CosignTrust, subject: VerificationSubject, context: VerificationContext, collected: Collected,
): Promise<void> {
  const attachment = await fetchTagAttachment(subject, 'sig', context);
  if (attachment === undefined) return;
  const layers = attachment.layers.filter((layer) => layer.mediaType === SIMPLE_SIGNING_MEDIA_TYPE);
  if (layers.length > context.limits.signatures) {
    throw new RejectionError('TOO_MANY_SIGNATURES', `${attachment.tag} has ${String(layers.length)} signatures, more than the limit of ${String(context.limits.signatures)}`);
  }
  const repository = repositoryOf(subject);
  for (const [index, layer] of layers.entries()) {
    const source = `${subject.reference.registry}/${subject.reference.repository}:${attachment.tag} layer ${String(index)}`;
    const verified = await attempt(collected.attempts, source, 'cosign-legacy', async () => {
      const bytes = await fetchSignatureBlob(repository, layer, context);
      return verifyLegacySignature(trust, { annotations: layer.annotations ?? {}, bytes }, subject.descriptor.digest, context.now());
    });
    if (verified !== undefined) collected.signatures.push({ format: 'cosign-legacy', source, ...verified });
  }
}

async function collectLegacyAttestations(
  trust: CosignTrust, subject: VerificationSubject, context: VerificationContext, collected: Collected,
): Promise<void> {
  const missing = trust.attestations.filter((type) => !collected.attestations.has(type));
  if (missing.length === 0) return;
  const attachment = await fetchTagAttachment(subject, 'att', context);
  if (attachment === undefined) return;
  const layers = attachment.layers.filter((layer) => layer.mediaType === DSSE_ENVELOPE_MEDIA_TYPE);
  if (layers.length > context.limits.signatures) {
    throw new RejectionError('TOO_MANY_SIGNATURES', `${attachment.tag} has ${String(layers.length)} attestations, more than the limit of ${String(context.limits.signatures)}`);
  }
  const repository = repositoryOf(subject);
  for (const type of missing) {
    const attempts = collected.attestationAttempts.get(type) ?? [];
    for (const [index, layer] of layers.entries()) {
      const hinted = layer.annotations?.[PREDICATE_TYPE_ANNOTATION];
      // The annotation is unauthenticated: it only narrows which layers are worth verifying.
      if (hinted !== undefined && hinted !== type) continue;
      const source = `${subject.reference.registry}/${subject.reference.repository}:${attachment.tag} layer ${String(index)}`;
      const verified = await attempt(attempts, source, 'cosign-attestation', async () => {
        const bytes = await fetchSignatureBlob(repository, layer, context);
        return verifyLegacyAttestation(trust, { annotations: layer.annotations ?? {}, bytes }, subject.descriptor.digest, type, context.now());
      });
      if (verified !== undefined) {
        const { signer, signedAt } = verified;
        collected.attestations.set(type, { format: 'cosign-attestation', predicateType: type, signer, source, ...(signedAt === undefined ? {} : { signedAt }) });
        break;
      }
    }
  }
}

async function verifyCosign(trust: CosignTrust, subject: VerificationSubject, context: VerificationContext): Promise<Verdict> {
  const collected: Collected = {
    signatures: [], attempts: [], attestations: new Map(),
    attestationAttempts: new Map(trust.attestations.map((type) => [type, []])),
  };
  try {
    await collectBundles(trust, subject, context, collected);
    if (collected.signatures.length === 0) await collectLegacySignatures(trust, subject, context, collected);
    if (collected.signatures.length > 0) await collectLegacyAttestations(trust, subject, context, collected);
  } catch (error) {
    if (!isRejectionError(error)) throw error;
    return { outcome: 'rejected', provider: 'cosign', code: error.code, reason: error.message, attempts: collected.attempts };
  }
  if (collected.signatures.length === 0) {
    return {
      outcome: 'rejected', provider: 'cosign', code: mostSpecificCode(collected.attempts, 'NO_SIGNATURES'),
      reason: NO_MATCHING_SIGNATURES, attempts: collected.attempts,
    };
  }
  for (const type of trust.attestations) {
    if (collected.attestations.has(type)) continue;
    const attempts = collected.attestationAttempts.get(type) ?? [];
    return {
      outcome: 'rejected', provider: 'cosign', code: mostSpecificCode(attempts, 'ATTESTATION_MISSING'),
      reason: `no matching attestations of type ${type} were found`, attempts,
    };
  }
  return { outcome: 'verified', provider: 'cosign', signatures: [...collected.signatures, ...collected.attestations.values()], warnings: [] };
}

/**
 * A cosign Verifier for `options` (see CosignVerifierOptions). Throws
 * configInvalid now when the keys, identities or trusted root are unusable.
 */
export function createCosignVerifier(options: CosignVerifierOptions): Verifier {
  const trust = toCosignTrust(options);
  return {
    provider: 'cosign',
    verify: async (subject, context) => verifyCosign(trust, subject, context),
  };
}
