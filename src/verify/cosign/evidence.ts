/**
 * One signature with everything that vouches for it, whatever layout it
 * came from (a legacy `.sig`/`.att` layer or a Sigstore bundle), and the
 * single place it is judged: signature crypto first, then @sigstore/verify
 * for timestamps, the certificate chain at the proven times, SCTs and
 * transparency-log inclusion bound to this very signature (cosign
 * CVE-2022-23649, GHSA-whqx), then bob's own anchored identity match.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { TransparencyLogEntry } from '@sigstore/bundle';
import type { RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import {
  PolicyError, VerificationError, Verifier, type SignedEntity, type TrustMaterial, type VerifierOptions,
} from '@sigstore/verify';
import { RejectionError } from '../errors.ts';
import { toPublicKey, verifySignatureWithKey, type PublicKey } from '../public-key.ts';
import type { RejectionCode } from '../types.ts';
import { toUnhandledCriticalExtensions } from '../x509-extensions.ts';
import { matchesIdentity, toCertificateIdentity } from './identity.ts';
import type { CosignTrust } from './trust.ts';

type Timestamp = SignedEntity['timestamps'][number];

export interface SignatureEvidence {
  /** `message`: the signature covers `payload` itself; `dsse`: it covers the PAE of the payload. */
  readonly kind: 'message' | 'dsse';
  readonly signature: Uint8Array;
  /** The bytes the signature covers (payload, or DSSE PAE). */
  readonly signedBytes: Uint8Array;
  /** The payload (legacy payload, or the DSSE payload). */
  readonly payload: Uint8Array;
  /** What RFC 3161 timestamps cover: the raw signature (cosign legacy attestations: the envelope). */
  readonly timestamped: Uint8Array;
  readonly certificate?: X509Certificate;
  /** `verificationMaterial.publicKey.hint` of a keyed bundle (unauthenticated). */
  readonly keyHint?: string;
  readonly tlogEntries: readonly TransparencyLogEntry[];
  readonly rfc3161: readonly RFC3161Timestamp[];
}

export interface SignerResult {
  readonly signer: string;
  readonly signedAt?: Date;
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function bufferEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** @sigstore/verify's view of the evidence; the signature check is bob's (cosign's encodings). */
function toSignedEntity(
  evidence: SignatureEvidence, key: SignedEntity['key'], verified: boolean, timestamps: Timestamp[], includeTlog: boolean,
): SignedEntity {
  const payloadDigest = sha256(evidence.payload);
  const signedDigest = sha256(evidence.signedBytes);
  return {
    signature: {
      signature: Buffer.from(evidence.timestamped),
      compareSignature: (signature) => bufferEqual(signature, evidence.signature),
      compareDigest: (digest) => bufferEqual(digest, payloadDigest),
      compareSignedDigest: (digest) => bufferEqual(digest, evidence.kind === 'message' ? payloadDigest : signedDigest),
      verifySignature: () => verified,
    },
    key,
    tlogEntries: includeTlog ? [...evidence.tlogEntries] : [],
    timestamps,
  };
}

function toTimestamps(trust: CosignTrust, evidence: SignatureEvidence): Timestamp[] {
  const timestamps: Timestamp[] = [];
  if (!trust.ignoreTlog) {
    for (const entry of evidence.tlogEntries) {
      if (entry.integratedTime !== '' && entry.integratedTime !== '0') timestamps.push({ $case: 'transparency-log', tlogEntry: entry });
    }
  }
  // A timestamp no configured authority can check does not count (cosign only verifies them against TSAs it knows).
  if (trust.material.timestampAuthorities.length > 0) {
    for (const timestamp of evidence.rfc3161) timestamps.push({ $case: 'timestamp-authority', timestamp });
  }
  return timestamps;
}

/** A stand-in observer timestamp: "now", as sigstore-go's WithCurrentTime when no time was proven. */
function currentTime(now: Date): Timestamp {
  const entry: TransparencyLogEntry = {
    logIndex: '0', logId: { keyId: Buffer.alloc(0) }, kindVersion: { kind: '', version: '' },
    // @sigstore/verify reads a time only from entries with a promise; this one is never checked as a tlog entry.
    integratedTime: String(Math.floor(now.getTime() / 1000)), inclusionPromise: { signedEntryTimestamp: Buffer.alloc(0) }, inclusionProof: undefined,
    canonicalizedBody: Buffer.alloc(0),
  };
  return { $case: 'transparency-log', tlogEntry: entry };
}

function toRejectionCode(error: VerificationError): RejectionCode {
  switch (error.code) {
    case 'TIMESTAMP_ERROR':
      return 'TIMESTAMP_INVALID';
    case 'CERTIFICATE_ERROR': {
      const cause: unknown = error.cause;
      return cause instanceof Error && cause.message.includes('expired') ? 'CERTIFICATE_EXPIRED' : 'CERTIFICATE_INVALID';
    }
    case 'PUBLIC_KEY_ERROR':
      return 'SIGNER_UNTRUSTED';
    case 'SIGNATURE_ERROR':
      return 'SIGNATURE_INVALID';
    default:
      return 'TLOG_INVALID';
  }
}

function runSigstore(material: TrustMaterial, options: VerifierOptions, entity: SignedEntity): void {
  try {
    new Verifier(material, options).verify(entity);
  } catch (error) {
    if (error instanceof VerificationError) {
      const cause: unknown = error.cause;
      const detail = cause instanceof Error ? `: ${cause.message}` : '';
      throw new RejectionError(toRejectionCode(error), `${error.message}${detail}`);
    }
    if (error instanceof PolicyError) throw new RejectionError('IDENTITY_MISMATCH', error.message);
    throw new RejectionError('PAYLOAD_INVALID', `malformed verification material: ${error instanceof Error ? error.message : 'unreadable'}`);
  }
}

function provenTime(entity: SignedEntity): Date | undefined {
  let earliest: Date | undefined;
  for (const timestamp of entity.timestamps) {
    const time = timestamp.$case === 'timestamp-authority'
      ? timestamp.timestamp.signingTime
      : new Date(Number(timestamp.tlogEntry.integratedTime) * 1000);
    if (earliest === undefined || time < earliest) earliest = time;
  }
  return earliest;
}

function keyFingerprint(key: PublicKey): string {
  return `sha256:${Buffer.from(key.hint, 'base64').toString('hex')}`;
}

function assertTlogPresent(trust: CosignTrust, evidence: SignatureEvidence): void {
  if (!trust.ignoreTlog && evidence.tlogEntries.length === 0) {
    throw new RejectionError('TLOG_INVALID', 'no transparency log entry (required unless the transparency log is ignored)');
  }
  if (trust.useSignedTimestamps && (evidence.rfc3161.length === 0 || trust.material.timestampAuthorities.length === 0)) {
    throw new RejectionError('TIMESTAMP_INVALID', 'no RFC 3161 timestamp from a trusted timestamp authority');
  }
}

function checkKeyed(trust: CosignTrust, evidence: SignatureEvidence): SignerResult {
  const key = trust.keys.find((candidate) => verifySignatureWithKey(candidate, evidence.signedBytes, evidence.signature));
  if (key === undefined) {
    // With keys a signature that does not verify and a signature by another key look the same;
    // a bundle's (unauthenticated) key hint tells them apart when it names no configured key.
    const hint = evidence.keyHint;
    if (hint !== undefined && !trust.keys.some((candidate) => candidate.hint === hint)) {
      throw new RejectionError('SIGNER_UNTRUSTED', `signed by key sha256:${Buffer.from(hint, 'base64').toString('hex')}, not a configured key`);
    }
    throw new RejectionError('SIGNATURE_INVALID', 'signature does not verify with any configured public key');
  }
  assertTlogPresent(trust, evidence);
  const material: TrustMaterial = {
    ...trust.material,
    publicKey: () => ({ publicKey: key.keyObject, validFor: () => true }),
  };
  const entity = toSignedEntity(evidence, { $case: 'public-key', hint: key.hint }, true, toTimestamps(trust, evidence), !trust.ignoreTlog);
  runSigstore(material, { tlogThreshold: trust.ignoreTlog ? 0 : 1, ctlogThreshold: 0, timestampThreshold: 0 }, entity);
  const signedAt = provenTime(entity);
  return { signer: `key ${key.name} (${keyFingerprint(key)})`, ...(signedAt === undefined ? {} : { signedAt }) };
}

const EXT_KEY_USAGE = '2.5.29.37';
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** cosign verifies the chain for ExtKeyUsageCodeSigning; Go treats a leaf without the extension as unrestricted. */
function allowsCodeSigning(certificate: X509Certificate): boolean {
  const extension = certificate.extension(EXT_KEY_USAGE);
  if (extension === undefined) return true;
  const usages = extension.valueObj.subs[0]?.subs ?? [];
  return usages.some((usage) => usage.tag.isOID() && [CODE_SIGNING, ANY_EXTENDED_KEY_USAGE].includes(usage.toOID()));
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.issuer.equals(parent.subject) && child.verify(parent);
  } catch {
    return false;
  }
}

/**
 * RFC 5280 §4.2 as cosign applies it: ValidateAndUnpackCertWithIntermediates
 * drops only the SAN from the leaf's unhandled critical extensions, then Go's
 * x509.Verify refuses any other one on every certificate of the chain
 * (isValid, for the leaf, the intermediates and the root). @sigstore/verify
 * does not look at criticality, so bob checks the leaf and the certificates
 * above it in each trusted authority that issued it; one clean authority suffices.
 */
function assertCriticalExtensionsHandled(certificate: X509Certificate, authorities: TrustMaterial['certificateAuthorities']): void {
  const [leafExtension] = toUnhandledCriticalExtensions(certificate.extensions);
  if (leafExtension !== undefined) {
    throw new RejectionError('CERTIFICATE_INVALID', `Failed to verify certificate chain: certificate has an unhandled critical extension ${leafExtension}`);
  }
  const problems: (string | undefined)[] = [];
  for (const authority of authorities) {
    const issuer = authority.certChain.findIndex((candidate) => issuedBy(certificate, candidate));
    if (issuer < 0) continue;
    problems.push(authority.certChain.slice(issuer).flatMap((member) => toUnhandledCriticalExtensions(member.extensions))[0]);
  }
  const [first] = problems;
  if (first !== undefined && problems.every((problem) => problem !== undefined)) {
    throw new RejectionError('CERTIFICATE_INVALID', `Failed to verify certificate chain: certificate authority has an unhandled critical extension ${first}`);
  }
}

function checkKeyless(trust: CosignTrust, evidence: SignatureEvidence, now: Date): SignerResult {
  const { certificate } = evidence;
  if (certificate === undefined) throw new RejectionError('SIGNER_UNTRUSTED', 'signed with a bare key; keyless verification needs a certificate');
  let leafKey: PublicKey;
  try {
    leafKey = toPublicKey('certificate', createPublicKey({ key: certificate.publicKey, format: 'der', type: 'spki' }));
  } catch {
    throw new RejectionError('CERTIFICATE_INVALID', 'certificate holds an unsupported public key');
  }
  if (!verifySignatureWithKey(leafKey, evidence.signedBytes, evidence.signature)) {
    throw new RejectionError('SIGNATURE_INVALID', 'signature does not verify with the certificate key');
  }
  if (!allowsCodeSigning(certificate)) throw new RejectionError('CERTIFICATE_INVALID', 'certificate is not valid for code signing');
  assertCriticalExtensionsHandled(certificate, trust.material.certificateAuthorities);
  assertTlogPresent(trust, evidence);
  const timestamps = toTimestamps(trust, evidence);
  const proven = timestamps.length > 0;
  // Without a proven time (only possible when the tlog is ignored) the certificate is judged now, like cosign.
  if (!proven) timestamps.push(currentTime(now));
  const entity = toSignedEntity(evidence, { $case: 'certificate', certificate }, true, timestamps, !trust.ignoreTlog);
  runSigstore(trust.material, {
    tlogThreshold: trust.ignoreTlog ? 0 : 1, ctlogThreshold: trust.ignoreSct ? 0 : 1, timestampThreshold: 1,
  }, entity);
  let identity;
  try {
    identity = toCertificateIdentity(certificate);
  } catch {
    throw new RejectionError('CERTIFICATE_INVALID', 'certificate has a malformed identity extension');
  }
  if (!matchesIdentity(trust.identities, identity)) {
    throw new RejectionError(
      'IDENTITY_MISMATCH',
      `certificate identity ${identity.sans.join(', ') || '(none)'} (issuer ${identity.issuer ?? '(none)'}) matches no configured identity`,
    );
  }
  const signedAt = proven ? provenTime(entity) : undefined;
  return {
    signer: `${identity.sans[0] ?? '(no SAN)'} (issuer ${identity.issuer ?? '(none)'})`,
    ...(signedAt === undefined ? {} : { signedAt }),
  };
}

/** Judges one signature under `trust`; throws RejectionError with the most specific code when it does not count. */
export function checkSignature(trust: CosignTrust, evidence: SignatureEvidence, now: Date): SignerResult {
  return trust.mode === 'keyed' ? checkKeyed(trust, evidence) : checkKeyless(trust, evidence, now);
}
