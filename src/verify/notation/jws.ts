/**
 * The JWS envelope (`application/jose+json`): flattened JWS JSON
 * serialization (RFC 7515 §7.2.2) as notation-core-go signature/jws reads
 * and writes it (research/signatures.md §6.3). `payload`, `protected` and
 * `signature` are base64url without padding; `x5c` and the timestamp are
 * standard base64 (Go's []byte in JSON). Parsed strictly: duplicate keys,
 * non-canonical base64 and unknown top-level members are refused.
 */
import type { KeyObject } from 'node:crypto';
import { decodeStandardBase64, decodeUrlBase64, encodeStandardBase64, encodeUrlBase64 } from '../base64.ts';
import { isJsonObject, parseStrictJson, StrictJsonError, type JsonObject } from '../strict-json.ts';
import { isSignatureAlgorithm, signData, type SignatureAlgorithm } from './algorithms.ts';
import {
  HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY, HEADER_SIGNING_AGENT, HEADER_SIGNING_SCHEME, HEADER_SIGNING_TIME,
  HEADER_TIMESTAMP_SIGNATURE, NOTATION_PAYLOAD_MEDIA_TYPE, SIGNING_SCHEME_X509,
} from './constants.ts';
import { EnvelopeError, parseRfc3339, toSignedAttributes, type Envelope } from './envelope.ts';

const TOP_LEVEL_KEYS = ['payload', 'protected', 'header', 'signature'];

function parseJson(bytes: Uint8Array | string, what: string): JsonObject {
  let value: unknown;
  try {
    value = parseStrictJson(bytes);
  } catch (error) {
    if (error instanceof StrictJsonError) throw new EnvelopeError(`${what} is not valid JSON: ${error.message}`);
    throw error;
  }
  if (!isJsonObject(value)) throw new EnvelopeError(`${what} is not a JSON object`);
  return value;
}

function readUrlBase64(envelope: JsonObject, key: string): { text: string; bytes: Uint8Array } {
  const text = envelope[key];
  if (typeof text !== 'string') throw new EnvelopeError(`JWS "${key}" must be a string`);
  const bytes = decodeUrlBase64(text);
  if (bytes === undefined) throw new EnvelopeError(`JWS "${key}" is not canonical unpadded base64url`);
  return { text, bytes };
}

function readTime(headers: JsonObject, key: string): Date | undefined {
  if (!Object.hasOwn(headers, key)) return undefined;
  const value = headers[key];
  const date = typeof value === 'string' ? parseRfc3339(value) : undefined;
  if (date === undefined) throw new EnvelopeError(`"${key}" header must be an RFC 3339 date-time`);
  return date;
}

function readUnprotected(header: unknown): { chain: Uint8Array[]; timestampToken?: Uint8Array; signingAgent?: string } {
  if (!isJsonObject(header)) throw new EnvelopeError('JWS "header" must be a JSON object');
  const x5c = header['x5c'];
  if (!Array.isArray(x5c) || x5c.length === 0) throw new EnvelopeError('certificate chain is not present');
  const chain = x5c.map((entry: unknown, index) => {
    const der = typeof entry === 'string' ? decodeStandardBase64(entry) : undefined;
    if (der === undefined) throw new EnvelopeError(`"x5c"[${String(index)}] is not canonical standard base64`);
    return der;
  });
  const result: { chain: Uint8Array[]; timestampToken?: Uint8Array; signingAgent?: string } = { chain };
  if (Object.hasOwn(header, HEADER_TIMESTAMP_SIGNATURE)) {
    const value = header[HEADER_TIMESTAMP_SIGNATURE];
    const token = typeof value === 'string' ? decodeStandardBase64(value) : undefined;
    if (token === undefined) throw new EnvelopeError(`"${HEADER_TIMESTAMP_SIGNATURE}" is not canonical standard base64`);
    result.timestampToken = token;
  }
  if (Object.hasOwn(header, HEADER_SIGNING_AGENT)) {
    const value = header[HEADER_SIGNING_AGENT];
    if (typeof value !== 'string') throw new EnvelopeError(`"${HEADER_SIGNING_AGENT}" must be a string`);
    result.signingAgent = value;
  }
  return result;
}

/** Parses a JWS envelope; throws EnvelopeError for anything notation would not accept. */
export function parseJwsEnvelope(bytes: Uint8Array): Envelope {
  const envelope = parseJson(bytes, 'JWS envelope');
  const unknown = Object.keys(envelope).filter((key) => !TOP_LEVEL_KEYS.includes(key));
  if (unknown.length > 0) throw new EnvelopeError(`JWS envelope has unsupported members ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  const payload = readUrlBase64(envelope, 'payload');
  const protectedHeader = readUrlBase64(envelope, 'protected');
  const signature = readUrlBase64(envelope, 'signature');
  const unprotected = readUnprotected(envelope['header']);
  const headers = parseJson(protectedHeader.bytes, 'JWS protected header');
  const algorithm = headers['alg'];
  if (!isSignatureAlgorithm(algorithm)) throw new EnvelopeError(`signature algorithm ${JSON.stringify(algorithm)} is not supported`);
  const critical = headers['crit'];
  if (critical !== undefined && (!Array.isArray(critical) || !critical.every((entry) => typeof entry === 'string'))) {
    throw new EnvelopeError('"crit" header must be an array of strings');
  }
  const attributes = toSignedAttributes({
    names: new Set(Object.keys(headers)),
    contentType: headers['cty'],
    signingScheme: headers[HEADER_SIGNING_SCHEME],
    signingTime: readTime(headers, HEADER_SIGNING_TIME),
    authenticSigningTime: readTime(headers, HEADER_AUTHENTIC_SIGNING_TIME),
    expiry: readTime(headers, HEADER_EXPIRY),
    critical,
  });
  return {
    format: 'jws',
    algorithm,
    ...attributes,
    payload: payload.bytes,
    certificateChain: unprotected.chain,
    signature: signature.bytes,
    signedBytes: new TextEncoder().encode(`${protectedHeader.text}.${payload.text}`),
    saltRule: 'auto',
    ...(unprotected.timestampToken === undefined ? {} : { timestampToken: unprotected.timestampToken }),
    ...(unprotected.signingAgent === undefined ? {} : { signingAgent: unprotected.signingAgent }),
  };
}

/** RFC 3339 at second precision in UTC, as Go marshals a truncated time.Time. */
export function toRfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface EnvelopeSigningInput {
  readonly algorithm: SignatureAlgorithm;
  readonly key: KeyObject;
  readonly payload: Uint8Array;
  readonly certificateChain: readonly Uint8Array[];
  readonly signingTime: Date;
  readonly expiry?: Date;
  readonly signingAgent: string;
}

/**
 * Builds a JWS envelope the way notation-core-go does: protected header
 * members in Go's sorted map order, `crit` listing the signing scheme (and
 * expiry when set), signing time truncated to seconds.
 */
export function signJwsEnvelope(input: EnvelopeSigningInput): Uint8Array {
  const headers: Record<string, unknown> = {
    alg: input.algorithm,
    crit: input.expiry === undefined ? [HEADER_SIGNING_SCHEME] : [HEADER_SIGNING_SCHEME, HEADER_EXPIRY],
    cty: NOTATION_PAYLOAD_MEDIA_TYPE,
    ...(input.expiry === undefined ? {} : { [HEADER_EXPIRY]: toRfc3339Seconds(input.expiry) }),
    [HEADER_SIGNING_SCHEME]: SIGNING_SCHEME_X509,
    [HEADER_SIGNING_TIME]: toRfc3339Seconds(input.signingTime),
  };
  const protectedText = encodeUrlBase64(new TextEncoder().encode(JSON.stringify(headers)));
  const payloadText = encodeUrlBase64(input.payload);
  const signature = signData(input.algorithm, input.key, new TextEncoder().encode(`${protectedText}.${payloadText}`));
  return new TextEncoder().encode(JSON.stringify({
    payload: payloadText,
    protected: protectedText,
    header: {
      x5c: input.certificateChain.map((der) => encodeStandardBase64(der)),
      [HEADER_SIGNING_AGENT]: input.signingAgent,
    },
    signature: encodeUrlBase64(signature),
  }));
}
