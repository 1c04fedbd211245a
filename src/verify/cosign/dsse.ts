/**
 * DSSE envelopes and the in-toto statements inside them
 * (research/signatures.md §4.1 `.att`, §4.5): the signature covers
 *   PAE = "DSSEv1" SP len(type) SP type SP len(body) SP body
 * and the statement must name the subject's digest. Everything here runs
 * on attacker-supplied bytes: it returns or throws RejectionError, never
 * anything else (cosign v3.0.5 panics, GHSA-w6c6).
 */
import { RejectionError } from '../errors.ts';
import { decodeStandardBase64 } from '../base64.ts';
import { isJsonObject, parseStrictJson, type JsonObject } from '../strict-json.ts';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPES } from './constants.ts';

export interface DsseEnvelope {
  readonly payloadType: string;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
  /** The pre-authentication encoding the signature covers. */
  readonly pae: Uint8Array;
}

export interface InTotoStatement {
  readonly predicateType: string;
  readonly subjectDigests: readonly string[];
}

/** DSSE PAE (DSSE protocol.md). */
export function toPae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${String(type.length)} `, 'utf8'), type, Buffer.from(` ${String(payload.length)} `, 'utf8'), payload,
  ]);
}

function parseJson(bytes: Uint8Array, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = parseStrictJson(bytes);
  } catch {
    throw new RejectionError('PAYLOAD_INVALID', `${what} is not valid JSON`);
  }
  if (!isJsonObject(parsed)) throw new RejectionError('PAYLOAD_INVALID', `${what} is not a JSON object`);
  return parsed;
}

/** Parses a DSSE envelope JSON with exactly one signature (cosign writes one; sigstore-go requires one). */
export function parseDsseEnvelope(bytes: Uint8Array): DsseEnvelope {
  const envelope = parseJson(bytes, 'DSSE envelope');
  const { payloadType, payload, signatures } = envelope;
  if (typeof payloadType !== 'string' || typeof payload !== 'string' || !Array.isArray(signatures)) {
    throw new RejectionError('PAYLOAD_INVALID', 'DSSE envelope needs payloadType, payload and signatures');
  }
  if (signatures.length !== 1) throw new RejectionError('PAYLOAD_INVALID', `DSSE envelope has ${String(signatures.length)} signatures, expected 1`);
  const [entry] = signatures as unknown[];
  const sig = isJsonObject(entry) ? entry['sig'] : undefined;
  const decodedPayload = decodeStandardBase64(payload);
  const decodedSig = typeof sig === 'string' ? decodeStandardBase64(sig) : undefined;
  if (decodedPayload === undefined || decodedSig === undefined || decodedSig.length === 0) {
    throw new RejectionError('PAYLOAD_INVALID', 'DSSE envelope payload or signature is not canonical standard base64');
  }
  return { payloadType, payload: decodedPayload, signature: decodedSig, pae: toPae(payloadType, decodedPayload) };
}

/**
 * Parses the in-toto statement of a verified envelope: payloadType
 * in-toto, a known statement type, a predicateType, subjects with digests.
 */
export function parseInTotoStatement(payloadType: string, payload: Uint8Array): InTotoStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) throw new RejectionError('PAYLOAD_INVALID', `DSSE payloadType is ${JSON.stringify(payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  const statement = parseJson(payload, 'in-toto statement');
  const type = statement['_type'];
  if (typeof type !== 'string' || !IN_TOTO_STATEMENT_TYPES.includes(type)) {
    throw new RejectionError('PAYLOAD_INVALID', `in-toto statement _type ${JSON.stringify(type ?? null)} is not supported`);
  }
  const predicateType = statement['predicateType'];
  if (typeof predicateType !== 'string' || predicateType === '') throw new RejectionError('PAYLOAD_INVALID', 'in-toto statement has no predicateType');
  const subjects = statement['subject'];
  if (!Array.isArray(subjects)) throw new RejectionError('PAYLOAD_INVALID', 'in-toto statement has no subject list');
  const subjectDigests: string[] = [];
  for (const subject of subjects as unknown[]) {
    const digests = isJsonObject(subject) ? subject['digest'] : undefined;
    if (!isJsonObject(digests)) throw new RejectionError('PAYLOAD_INVALID', 'in-toto statement subject has no digest');
    for (const [algorithm, hex] of Object.entries(digests)) {
      if (typeof hex !== 'string') throw new RejectionError('PAYLOAD_INVALID', 'in-toto statement subject digest is not a string');
      subjectDigests.push(`${algorithm}:${hex}`);
    }
  }
  return { predicateType, subjectDigests };
}

/** Throws SUBJECT_MISMATCH unless the statement names `digest` among its subjects (cosign IntotoSubjectClaimVerifier). */
export function assertStatementNamesDigest(statement: InTotoStatement, digest: string): void {
  if (!statement.subjectDigests.includes(digest)) {
    throw new RejectionError('SUBJECT_MISMATCH', `statement subjects ${statement.subjectDigests.join(', ') || '(none)'} do not include ${digest}`);
  }
}
