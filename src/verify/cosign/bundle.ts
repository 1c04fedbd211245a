/**
 * cosign 3 Sigstore bundles (research/signatures.md §4.5): a bundle v0.3
 * JSON whose content is a DSSE envelope of an in-toto statement about the
 * image — predicateType `https://sigstore.dev/cosign/sign/v1` for a
 * signature, the attestation's type for `cosign attest`. Pure function over
 * the bundle bytes; verifier.ts reads it from the referrer.
 */
import { assertBundleV02, bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { Bundle as ProtoBundle } from '@sigstore/protobuf-specs';
import { RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import { RejectionError } from '../errors.ts';
import { parseStrictJson } from '../strict-json.ts';
import { assertStatementNamesDigest, parseInTotoStatement, toPae } from './dsse.ts';
import { assertBundleBytesFields } from './bundle-bytes.ts';
import { checkSignature, type SignerResult } from './evidence.ts';
import type { CosignTrust } from './trust.ts';

export interface VerifiedBundle extends SignerResult {
  /** The statement's predicateType: COSIGN_SIGN_PREDICATE_TYPE for a signature. */
  readonly predicateType: string;
}

function isV03(mediaType: string): boolean {
  return mediaType === 'application/vnd.dev.sigstore.bundle.v0.3+json' || mediaType === 'application/vnd.dev.sigstore.bundle+json;version=0.3';
}

/**
 * Parses bundle JSON strictly (duplicate keys refused, bytes fields
 * base64 as protojson reads it), then as a Sigstore
 * bundle with the checks of its version; `allowCertificateChain` lifts only
 * the v0.3 "leaf certificate, not a chain" rule (--allow-certificate-chain).
 */
export function parseBundle(bytes: Uint8Array, allowCertificateChain = false): Bundle {
  let json: unknown;
  try {
    json = parseStrictJson(bytes);
  } catch {
    throw new RejectionError('PAYLOAD_INVALID', 'bundle is not valid JSON');
  }
  // Before fromJSON, whose base64 decoder skips characters Go's protojson refuses.
  assertBundleBytesFields(json);
  let proto: ProtoBundle;
  try {
    proto = ProtoBundle.fromJSON(json);
  } catch {
    throw new RejectionError('PAYLOAD_INVALID', 'not a Sigstore bundle');
  }
  if (isV03(proto.mediaType) && proto.verificationMaterial?.content?.$case === 'x509CertificateChain') {
    // sigstore-go (cosign 3) refuses chains in v0.3 bundles unless --allow-certificate-chain.
    if (!allowCertificateChain) {
      throw new RejectionError('CERTIFICATE_INVALID', 'v0.3 bundle carries a certificate chain, which is refused unless allowCertificateChain is set');
    }
    try {
      // v0.2's rules are v0.3's minus the chain ban (@sigstore/bundle validate.ts).
      assertBundleV02(proto);
      return proto;
    } catch (error) {
      throw new RejectionError('PAYLOAD_INVALID', `not a Sigstore bundle: ${error instanceof Error ? error.message : 'invalid'}`);
    }
  }
  try {
    return bundleFromJSON(json);
  } catch (error) {
    throw new RejectionError('PAYLOAD_INVALID', `not a Sigstore bundle: ${error instanceof Error ? error.message : 'invalid'}`);
  }
}

function toCertificate(bundle: Bundle): X509Certificate | undefined {
  const material = bundle.verificationMaterial.content;
  let raw: Buffer | undefined;
  if (material.$case === 'certificate') raw = material.certificate.rawBytes;
  else if (material.$case === 'x509CertificateChain') raw = material.x509CertificateChain.certificates[0]?.rawBytes;
  if (raw === undefined) return undefined;
  try {
    return X509Certificate.parse(Buffer.from(raw));
  } catch {
    throw new RejectionError('CERTIFICATE_INVALID', 'bundle certificate is not a valid X.509 certificate');
  }
}

function toTimestamps(bundle: Bundle): RFC3161Timestamp[] {
  return (bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []).map((timestamp) => {
    try {
      return RFC3161Timestamp.parse(Buffer.from(timestamp.signedTimestamp));
    } catch {
      throw new RejectionError('TIMESTAMP_INVALID', 'bundle RFC 3161 timestamp is malformed');
    }
  });
}

/**
 * Verifies one bundle against `digest`: DSSE signature crypto, trust (key
 * or certificate, tlog, timestamps, identity), then the statement, whose
 * subjects must include the digest. Returns the statement's predicateType;
 * the caller decides whether that is what it asked for.
 */
export function verifyBundle(trust: CosignTrust, bytes: Uint8Array, digest: string, now: Date): VerifiedBundle {
  const bundle = parseBundle(bytes, trust.allowCertificateChain);
  if (bundle.content.$case !== 'dsseEnvelope') {
    throw new RejectionError('PAYLOAD_INVALID', 'bundle holds a message signature, which says nothing about an image');
  }
  const envelope = bundle.content.dsseEnvelope;
  const [entry] = envelope.signatures;
  if (envelope.signatures.length !== 1 || entry === undefined) {
    throw new RejectionError('PAYLOAD_INVALID', `bundle envelope has ${String(envelope.signatures.length)} signatures, expected 1`);
  }
  const material = bundle.verificationMaterial.content;
  const certificate = toCertificate(bundle);
  const payload = new Uint8Array(envelope.payload);
  const result = checkSignature(trust, {
    kind: 'dsse',
    signature: new Uint8Array(entry.sig),
    signedBytes: toPae(envelope.payloadType, payload),
    payload,
    timestamped: new Uint8Array(entry.sig),
    ...(certificate === undefined ? {} : { certificate }),
    ...(material.$case === 'publicKey' ? { keyHint: material.publicKey.hint } : {}),
    tlogEntries: trust.ignoreTlog ? [] : bundle.verificationMaterial.tlogEntries,
    rfc3161: toTimestamps(bundle),
  }, now);
  const statement = parseInTotoStatement(envelope.payloadType, payload);
  assertStatementNamesDigest(statement, digest);
  return { ...result, predicateType: statement.predicateType };
}
