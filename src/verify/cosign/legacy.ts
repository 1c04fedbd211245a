/**
 * Legacy cosign signatures and attestations: one layer of the
 * `sha256-<hex>.sig` / `.att` tag with its annotations
 * (research/signatures.md §4.1, §4.2). Pure functions over bytes; the
 * registry reading is in verifier.ts.
 *
 * A `.sig` layer is the simple-signing payload, signed (base64 in the
 * `dev.cosignproject.cosign/signature` annotation) directly; an `.att`
 * layer is a DSSE envelope (the annotation is empty). Either may carry a
 * certificate, a Rekor SET (`dev.sigstore.cosign/bundle`) and an RFC 3161
 * timestamp over the raw signature (for attestations, over the envelope:
 * cosign VerifyRFC3161Timestamp).
 */
import type { TransparencyLogEntry } from '@sigstore/bundle';
import { RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import { decodeStandardBase64 } from '../base64.ts';
import { RejectionError } from '../errors.ts';
import { isJsonObject, parseStrictJson, type JsonObject } from '../strict-json.ts';
import {
  BUNDLE_ANNOTATION, CERTIFICATE_ANNOTATION, RFC3161_ANNOTATION, SIGNATURE_ANNOTATION,
} from './constants.ts';
import { assertStatementNamesDigest, parseDsseEnvelope, parseInTotoStatement } from './dsse.ts';
import { checkSignature, type SignerResult } from './evidence.ts';
import { assertPayloadNamesDigest } from './payload.ts';
import type { CosignTrust } from './trust.ts';

export interface LegacyLayer {
  readonly annotations: Readonly<Record<string, string>>;
  /** The layer blob: a payload (`.sig`) or a DSSE envelope (`.att`). */
  readonly bytes: Uint8Array;
}

export interface VerifiedAttestation extends SignerResult {
  readonly predicateType: string;
}

const CERTIFICATE_PEM = /^\s*-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*/;

function parseJsonObject(text: string, what: string, code: 'TLOG_INVALID' | 'TIMESTAMP_INVALID'): JsonObject {
  let parsed: unknown;
  try {
    parsed = parseStrictJson(text);
  } catch {
    throw new RejectionError(code, `${what} is not valid JSON`);
  }
  if (!isJsonObject(parsed)) throw new RejectionError(code, `${what} is not a JSON object`);
  return parsed;
}

function isSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The Rekor SET annotation as a transparency-log entry with an inclusion
 * promise: {"SignedEntryTimestamp":b64,"Payload":{"body":b64,"integratedTime":n,"logIndex":n,"logID":hex}}
 * (research/signatures.md §5.2). The entry's body is bound to this
 * signature later (@sigstore/verify verifyTLogBody).
 */
export function toSetEntry(annotation: string): TransparencyLogEntry {
  const bundle = parseJsonObject(annotation, 'Rekor bundle annotation', 'TLOG_INVALID');
  const set = bundle['SignedEntryTimestamp'];
  const payload = bundle['Payload'];
  if (typeof set !== 'string' || !isJsonObject(payload)) throw new RejectionError('TLOG_INVALID', 'Rekor bundle needs SignedEntryTimestamp and Payload');
  const { body, integratedTime, logIndex, logID } = payload;
  const setBytes = decodeStandardBase64(set);
  const bodyBytes = typeof body === 'string' ? decodeStandardBase64(body) : undefined;
  if (setBytes === undefined || bodyBytes === undefined || !isSafeInteger(integratedTime) || !isSafeInteger(logIndex)
    || typeof logID !== 'string' || !/^[0-9a-f]{64}$/.test(logID)) {
    throw new RejectionError('TLOG_INVALID', 'Rekor bundle payload is malformed');
  }
  const entryBody = parseJsonObject(Buffer.from(bodyBytes).toString('utf8'), 'Rekor entry body', 'TLOG_INVALID');
  const { kind, apiVersion } = entryBody;
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') throw new RejectionError('TLOG_INVALID', 'Rekor entry body has no kind/apiVersion');
  return {
    logIndex: String(logIndex),
    logId: { keyId: Buffer.from(logID, 'hex') },
    kindVersion: { kind, version: apiVersion },
    integratedTime: String(integratedTime),
    inclusionPromise: { signedEntryTimestamp: Buffer.from(setBytes) },
    inclusionProof: undefined,
    canonicalizedBody: Buffer.from(bodyBytes),
  };
}

/** The RFC 3161 annotation: {"SignedRFC3161Timestamp":"<b64 DER TimeStampResp>"}. */
export function toRfc3161Timestamp(annotation: string): RFC3161Timestamp {
  const parsed = parseJsonObject(annotation, 'RFC 3161 timestamp annotation', 'TIMESTAMP_INVALID');
  const value = parsed['SignedRFC3161Timestamp'];
  const der = typeof value === 'string' ? decodeStandardBase64(value) : undefined;
  if (der === undefined || der.length === 0) throw new RejectionError('TIMESTAMP_INVALID', 'RFC 3161 timestamp is not canonical base64');
  try {
    return RFC3161Timestamp.parse(Buffer.from(der));
  } catch {
    throw new RejectionError('TIMESTAMP_INVALID', 'RFC 3161 timestamp is malformed');
  }
}

function toCertificate(annotations: LegacyLayer['annotations'], trust: CosignTrust): X509Certificate | undefined {
  // With keys cosign ignores any certificate on the layer.
  if (trust.mode === 'keyed') return undefined;
  const pem = annotations[CERTIFICATE_ANNOTATION];
  if (pem === undefined || pem === '') return undefined;
  if (!CERTIFICATE_PEM.test(pem)) throw new RejectionError('CERTIFICATE_INVALID', 'certificate annotation is not one PEM certificate');
  try {
    return X509Certificate.parse(pem);
  } catch {
    throw new RejectionError('CERTIFICATE_INVALID', 'certificate annotation is not a valid X.509 certificate');
  }
}

function toVouchers(layer: LegacyLayer, trust: CosignTrust): {
  certificate: X509Certificate | undefined; tlogEntries: TransparencyLogEntry[]; rfc3161: RFC3161Timestamp[];
} {
  const set = layer.annotations[BUNDLE_ANNOTATION];
  const timestamp = layer.annotations[RFC3161_ANNOTATION];
  return {
    certificate: toCertificate(layer.annotations, trust),
    // Ignoring the tlog means not reading it at all, as cosign does.
    tlogEntries: set === undefined || trust.ignoreTlog ? [] : [toSetEntry(set)],
    rfc3161: timestamp === undefined ? [] : [toRfc3161Timestamp(timestamp)],
  };
}

/**
 * Verifies one `.sig` layer against `digest`: signature crypto, trust
 * (key or certificate, tlog, timestamps, identity), then the payload claim.
 */
export function verifyLegacySignature(trust: CosignTrust, layer: LegacyLayer, digest: string, now: Date): SignerResult {
  const encoded = layer.annotations[SIGNATURE_ANNOTATION];
  if (encoded === undefined || encoded === '') throw new RejectionError('SIGNATURE_INVALID', 'layer has no signature annotation');
  const signature = decodeStandardBase64(encoded);
  if (signature === undefined) throw new RejectionError('SIGNATURE_INVALID', 'signature annotation is not canonical standard base64');
  const { certificate, tlogEntries, rfc3161 } = toVouchers(layer, trust);
  const result = checkSignature(trust, {
    kind: 'message', signature, signedBytes: layer.bytes, payload: layer.bytes, timestamped: signature,
    ...(certificate === undefined ? {} : { certificate }), tlogEntries, rfc3161,
  }, now);
  assertPayloadNamesDigest(layer.bytes, digest);
  return result;
}

/**
 * Verifies one `.att` layer (a DSSE envelope) against `digest` and the
 * demanded predicate type: the signed statement, not the annotation, must
 * carry it (CVE-2022-35929).
 */
export function verifyLegacyAttestation(
  trust: CosignTrust, layer: LegacyLayer, digest: string, predicateType: string, now: Date,
): VerifiedAttestation {
  const envelope = parseDsseEnvelope(layer.bytes);
  const { certificate, tlogEntries, rfc3161 } = toVouchers(layer, trust);
  const result = checkSignature(trust, {
    kind: 'dsse', signature: envelope.signature, signedBytes: envelope.pae, payload: envelope.payload, timestamped: layer.bytes,
    ...(certificate === undefined ? {} : { certificate }), tlogEntries, rfc3161,
  }, now);
  const statement = parseInTotoStatement(envelope.payloadType, envelope.payload);
  if (statement.predicateType !== predicateType) {
    throw new RejectionError('ATTESTATION_MISSING', `attestation is of type ${statement.predicateType}, not ${predicateType}`);
  }
  assertStatementNamesDigest(statement, digest);
  return { ...result, predicateType };
}
