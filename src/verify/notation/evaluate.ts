/**
 * One signature envelope judged under one trust policy statement, without
 * I/O, in notation-go's order (verifier/verifier.go; research/signatures.md
 * §6.6): integrity → authenticity (trust store, then trusted identity) →
 * expiry → authentic timestamp → revocation → target artifact. Each check
 * failure is enforced (the signature does not count) or logged (a warning)
 * as the statement's level and overrides say; integrity and the target
 * artifact are always enforced.
 *
 * Revocation (OCSP/CRL) is not checked: bob verifies offline, so the
 * revocation action is treated as "skip" whatever the level says.
 */
import type { Descriptor } from '../../oci/index.ts';
import type { RejectionCode } from '../types.ts';
import type { Certificate } from './certificate.ts';
import { NOTATION_COSE_MEDIA_TYPE, NOTATION_JWS_MEDIA_TYPE, SIGNING_SCHEME_X509 } from './constants.ts';
import { parseCoseEnvelope } from './cose.ts';
import { DistinguishedNameError, isSubsetOf, toCertificateSubject } from './distinguished-name.ts';
import { EnvelopeError, verifyEnvelopeIntegrity, type Envelope, type EnvelopeFormat } from './envelope.ts';
import { parseJwsEnvelope } from './jws.ts';
import { isSameArtifact, parsePayload } from './payload.ts';
import { TimestampError, verifyTimestampToken } from './timestamp.ts';
import type { TrustPolicyStatement, ValidationType } from './trust-policy.ts';
import type { LoadedTrustStore } from './trust-store.ts';

export interface EvaluationInput {
  readonly envelope: Uint8Array;
  /** The signature layer's media type. */
  readonly mediaType: string;
  readonly statement: TrustPolicyStatement;
  readonly trustStore: LoadedTrustStore;
  /** The artifact being verified. */
  readonly descriptor: Descriptor;
  readonly now: Date;
}

export type Evaluation =
  | {
    readonly outcome: 'verified';
    readonly format: EnvelopeFormat;
    /** Leaf certificate subject. */
    readonly signer: string;
    readonly signedAt?: Date;
    /** Failures the level only logs. */
    readonly warnings: readonly string[];
    readonly userMetadata: Readonly<Record<string, string>>;
  }
  | {
    readonly outcome: 'failed';
    readonly format: EnvelopeFormat | undefined;
    readonly check: ValidationType | 'target';
    readonly code: RejectionCode;
    readonly reason: string;
    readonly warnings: readonly string[];
  };

interface CheckFailure {
  readonly code: RejectionCode;
  readonly reason: string;
}

interface CheckResult {
  readonly failure?: CheckFailure;
  readonly signedAt?: Date;
}

function asResult(failure: CheckFailure | undefined): CheckResult {
  return failure === undefined ? {} : { failure };
}

function formatOf(mediaType: string): EnvelopeFormat | undefined {
  if (mediaType === NOTATION_JWS_MEDIA_TYPE) return 'jws';
  if (mediaType === NOTATION_COSE_MEDIA_TYPE) return 'cose';
  return undefined;
}

function checkAuthenticity(chain: readonly Certificate[], envelope: Envelope, input: EvaluationInput): CheckFailure | undefined {
  const { statement, trustStore } = input;
  const storeType = envelope.signingScheme === SIGNING_SCHEME_X509 ? 'ca' : 'signingAuthority';
  const trusted = statement.trustStores
    .filter((store) => store.type === storeType)
    .flatMap((store) => trustStore.get(`${store.type}:${store.name}`) ?? []);
  if (trusted.length === 0) {
    return { code: 'SIGNER_UNTRUSTED', reason: `no trusted certificates are found to verify authenticity: trust policy ${JSON.stringify(statement.name)} has no "${storeType}" trust store for signing scheme ${envelope.signingScheme}` };
  }
  // Pinning, not path building: the chain is already valid (§6.5); one of its certificates must be a trusted one.
  const pinned = chain.some((certificate) => trusted.some((anchor) => Buffer.from(anchor.der).equals(Buffer.from(certificate.der))));
  if (!pinned) return { code: 'SIGNER_UNTRUSTED', reason: 'signature is not produced by a trusted signer' };
  const identities = statement.trustedIdentities;
  if (identities.kind === 'any') return undefined;
  const [leaf] = chain;
  if (leaf === undefined) return { code: 'SIGNATURE_INVALID', reason: 'certificate chain is not present' };
  const mismatch = {
    code: 'IDENTITY_MISMATCH' as const,
    reason: `signing certificate from the digital signature does not match the X.509 trusted identities ${JSON.stringify(identities.names.map((name) => name.text))} defined in the trust policy ${JSON.stringify(statement.name)}`,
  };
  let subject;
  try {
    subject = toCertificateSubject(leaf);
  } catch (error) {
    if (!(error instanceof DistinguishedNameError)) throw error;
    return { code: mismatch.code, reason: `${mismatch.reason}: error while parsing the certificate subject from the digital signature: ${error.message}` };
  }
  return identities.names.some((identity) => isSubsetOf(identity.name, subject)) ? undefined : mismatch;
}

function checkExpiry(envelope: Envelope, now: Date): CheckFailure | undefined {
  if (envelope.expiry !== undefined && now.getTime() >= envelope.expiry.getTime()) {
    return { code: 'SIGNATURE_EXPIRED', reason: `digital signature has expired on ${JSON.stringify(envelope.expiry.toISOString())}` };
  }
  return undefined;
}

/** Every chain certificate valid now, or at the authentic signing time when one is given. */
function checkValidAt(chain: readonly Certificate[], time: Date, signingTime: boolean): CheckFailure | undefined {
  for (const certificate of chain) {
    const early = time.getTime() < certificate.notBefore.getTime();
    const late = time.getTime() > certificate.notAfter.getTime();
    if (!early && !late) continue;
    if (signingTime) {
      return { code: 'CERTIFICATE_EXPIRED', reason: `certificate "${certificate.subject}" was not valid when the digital signature was produced at ${JSON.stringify(time.toISOString())}` };
    }
    return early
      ? { code: 'CERTIFICATE_EXPIRED', reason: `certificate "${certificate.subject}" is not valid yet, it will be valid from ${JSON.stringify(certificate.notBefore.toISOString())}` }
      : { code: 'CERTIFICATE_EXPIRED', reason: `certificate "${certificate.subject}" is not valid anymore, it was expired at ${JSON.stringify(certificate.notAfter.toISOString())}` };
  }
  return undefined;
}

function checkAuthenticTimestamp(chain: readonly Certificate[], envelope: Envelope, input: EvaluationInput): CheckResult {
  const { statement, now } = input;
  if (envelope.signingScheme !== SIGNING_SCHEME_X509) {
    // The signing authority vouches for the signing time (authenticSigningTime).
    const time = envelope.authenticSigningTime;
    if (time === undefined) return { failure: { code: 'SIGNATURE_INVALID', reason: 'authentic signing time is missing' } };
    const failure = checkValidAt(chain, time, true);
    return failure === undefined ? { signedAt: time } : { failure };
  }
  const tsaStores = statement.trustStores.filter((store) => store.type === 'tsa');
  let useTimestamp = tsaStores.length > 0;
  if (useTimestamp && statement.verifyTimestamp === 'afterCertExpiry') {
    useTimestamp = chain.some((certificate) => now.getTime() > certificate.notAfter.getTime());
  }
  if (!useTimestamp) {
    return asResult(checkValidAt(chain, now, false));
  }
  if (envelope.timestampToken === undefined) {
    return { failure: { code: 'TIMESTAMP_INVALID', reason: 'no timestamp countersignature was found in the signature envelope' } };
  }
  const roots = tsaStores.flatMap((store) => input.trustStore.get(`${store.type}:${store.name}`) ?? []);
  let time: { readonly earliest: Date; readonly latest: Date };
  try {
    time = verifyTimestampToken(envelope.timestampToken, envelope.signature, roots);
  } catch (error) {
    if (error instanceof TimestampError) return { failure: { code: 'TIMESTAMP_INVALID', reason: `failed to verify the timestamp countersignature: ${error.message}` } };
    throw error;
  }
  for (const certificate of chain) {
    if (time.earliest.getTime() < certificate.notBefore.getTime()) {
      return { failure: { code: 'CERTIFICATE_EXPIRED', reason: `timestamp can be before certificate "${certificate.subject}" validity period, it will be valid from ${JSON.stringify(certificate.notBefore.toISOString())}` } };
    }
    if (time.latest.getTime() > certificate.notAfter.getTime()) {
      return { failure: { code: 'CERTIFICATE_EXPIRED', reason: `timestamp can be after certificate "${certificate.subject}" validity period, it was expired at ${JSON.stringify(certificate.notAfter.toISOString())}` } };
    }
  }
  return { signedAt: time.earliest };
}

/** Judges one envelope; never throws for a bad signature (only for programming errors). */
export function evaluateSignature(input: EvaluationInput): Evaluation {
  const format = formatOf(input.mediaType);
  const warnings: string[] = [];
  const fail = (check: ValidationType | 'target', failure: CheckFailure): Evaluation => ({ outcome: 'failed', format, check, ...failure, warnings });
  if (format === undefined) {
    return fail('integrity', { code: 'SIGNATURE_INVALID', reason: `signature envelope format with media type ${JSON.stringify(input.mediaType)} is not supported` });
  }
  let chain: readonly Certificate[];
  let envelope: Envelope;
  try {
    envelope = format === 'jws' ? parseJwsEnvelope(input.envelope) : parseCoseEnvelope(input.envelope);
    ({ chain } = verifyEnvelopeIntegrity(envelope));
  } catch (error) {
    if (error instanceof EnvelopeError) return fail('integrity', { code: error.code, reason: error.message });
    throw error;
  }
  const { statement } = input;
  let signedAt: Date | undefined;
  const steps: readonly [ValidationType, () => CheckResult][] = [
    ['authenticity', () => asResult(checkAuthenticity(chain, envelope, input))],
    ['expiry', () => asResult(checkExpiry(envelope, input.now))],
    ['authenticTimestamp', () => checkAuthenticTimestamp(chain, envelope, input)],
  ];
  for (const [check, run] of steps) {
    const action = statement.actions[check];
    if (action === 'skip') continue;
    const result = run();
    if (result.signedAt !== undefined) signedAt = result.signedAt;
    if (result.failure === undefined) continue;
    if (action === 'enforce') return fail(check, result.failure);
    warnings.push(`${check} validation failed (logged by trust policy ${JSON.stringify(statement.name)}, level ${statement.level}): ${result.failure.reason}`);
  }
  let target;
  try {
    target = parsePayload(envelope.payload);
  } catch (error) {
    if (error instanceof EnvelopeError) return fail('target', { code: error.code, reason: error.message });
    throw error;
  }
  if (!isSameArtifact(target, input.descriptor)) {
    return fail('target', {
      code: 'SUBJECT_MISMATCH',
      reason: `content descriptor mismatch: the signature is for ${target.mediaType} ${target.digest} (${String(target.size)} bytes), not for ${input.descriptor.mediaType} ${input.descriptor.digest} (${String(input.descriptor.size)} bytes)`,
    });
  }
  const [leaf] = chain;
  return {
    outcome: 'verified', format, signer: leaf?.subject ?? '', warnings, userMetadata: target.annotations,
    ...(signedAt === undefined ? {} : { signedAt }),
  };
}
