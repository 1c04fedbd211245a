/**
 * The COSE envelope (`application/cose`): a tagged COSE_Sign1 (RFC 9052
 * §4.2, CBOR tag 18) as notation-core-go signature/cose and go-cose read
 * and write it (research/signatures.md §6.4). The signature covers
 * Sig_structure = ["Signature1", protected (exact received bytes), h'',
 * payload], built here by hand; the protected header is never re-encoded.
 */
import { signData, COSE_ALGORITHM_IDS, SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './algorithms.ts';
import {
  CborError, decodeCbor, encodeCbor, getCborEntry, hasCborEntry, isCborArray, isCborMap, isCborTag,
  type CborKey, type CborMap, type CborValue,
} from './cbor.ts';
import {
  HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY, HEADER_SIGNING_AGENT, HEADER_SIGNING_SCHEME, HEADER_SIGNING_TIME,
  HEADER_TIMESTAMP_SIGNATURE, NOTATION_PAYLOAD_MEDIA_TYPE, SIGNING_SCHEME_X509,
} from './constants.ts';
import { EnvelopeError, toSignedAttributes, type Envelope } from './envelope.ts';
import type { EnvelopeSigningInput } from './jws.ts';

const COSE_SIGN1_TAG = 18;
const EPOCH_TIME_TAG = 1;
const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_CONTENT_TYPE = 3;
const LABEL_X5CHAIN = 33;
/** Labels that may only appear in the protected bucket (RFC 9052 §3.1). */
const PROTECTED_ONLY: readonly CborKey[] = [LABEL_ALG, LABEL_CRIT];

function decode(bytes: Uint8Array, what: string): CborValue {
  try {
    return decodeCbor(bytes);
  } catch (error) {
    if (error instanceof CborError) throw new EnvelopeError(`${what} is not valid CBOR: ${error.message}`);
    throw error;
  }
}

function toAlgorithm(value: CborValue): SignatureAlgorithm {
  const algorithm = SIGNATURE_ALGORITHMS.find((name) => COSE_ALGORITHM_IDS[name] === value);
  if (algorithm === undefined) throw new EnvelopeError(`signature algorithm ${JSON.stringify(value ?? null)} is not supported`);
  return algorithm;
}

/** Tag 1 with an integer epoch (notation writes whole seconds; go-cose's decoder requires the tag). */
function readTime(headers: CborMap, label: string): Date | undefined {
  if (!hasCborEntry(headers, label)) return undefined;
  const value = getCborEntry(headers, label);
  if (!isCborTag(value) || value.tag !== EPOCH_TIME_TAG
    || typeof value.value !== 'number' || !Number.isSafeInteger(value.value)) {
    throw new EnvelopeError(`"${label}" header must be a CBOR tag 1 epoch time`);
  }
  return new Date(value.value * 1000);
}

function readCritical(headers: CborMap): (string | number)[] | undefined {
  if (!hasCborEntry(headers, LABEL_CRIT)) return undefined;
  const value = getCborEntry(headers, LABEL_CRIT);
  if (!isCborArray(value) || !value.every((entry) => typeof entry === 'string' || typeof entry === 'number')) {
    throw new EnvelopeError('"crit" header must be an array of labels');
  }
  return value as (string | number)[];
}

function readUnprotected(headers: CborMap): { chain: Uint8Array[]; timestampToken?: Uint8Array; signingAgent?: string } {
  // notation reads the chain only from the unprotected bucket, and only as an array.
  const x5chain = getCborEntry(headers, LABEL_X5CHAIN);
  if (!isCborArray(x5chain) || x5chain.length === 0) throw new EnvelopeError('certificate chain is not present');
  const chain = x5chain.map((entry) => {
    if (!(entry instanceof Uint8Array)) throw new EnvelopeError('x5chain entries must be byte strings');
    return entry;
  });
  const result: { chain: Uint8Array[]; timestampToken?: Uint8Array; signingAgent?: string } = { chain };
  if (hasCborEntry(headers, HEADER_TIMESTAMP_SIGNATURE)) {
    const token = getCborEntry(headers, HEADER_TIMESTAMP_SIGNATURE);
    if (!(token instanceof Uint8Array)) throw new EnvelopeError(`"${HEADER_TIMESTAMP_SIGNATURE}" must be a byte string`);
    result.timestampToken = token;
  }
  if (hasCborEntry(headers, HEADER_SIGNING_AGENT)) {
    const agent = getCborEntry(headers, HEADER_SIGNING_AGENT);
    if (typeof agent !== 'string') throw new EnvelopeError(`"${HEADER_SIGNING_AGENT}" must be a text string`);
    result.signingAgent = agent;
  }
  return result;
}

/** The CBOR bytes a COSE_Sign1 signature covers (RFC 9052 §4.4). */
export function toSigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

/** Parses a COSE envelope; throws EnvelopeError for anything notation would not accept. */
export function parseCoseEnvelope(bytes: Uint8Array): Envelope {
  const message = decode(bytes, 'COSE envelope');
  if (!isCborTag(message) || message.tag !== COSE_SIGN1_TAG) {
    throw new EnvelopeError('COSE envelope is not a tagged COSE_Sign1 message');
  }
  const body = message.value;
  if (!isCborArray(body) || body.length !== 4) throw new EnvelopeError('COSE_Sign1 must be an array of 4 items');
  const [protectedBytes, unprotectedHeaders, payload, signature] = body;
  if (!(protectedBytes instanceof Uint8Array)) throw new EnvelopeError('COSE protected header must be a byte string');
  if (unprotectedHeaders === undefined || !isCborMap(unprotectedHeaders)) {
    throw new EnvelopeError('COSE unprotected header must be a map');
  }
  if (!(payload instanceof Uint8Array)) throw new EnvelopeError('COSE payload must be present (detached payloads are not supported)');
  if (!(signature instanceof Uint8Array)) throw new EnvelopeError('COSE signature must be a byte string');
  const headers = protectedBytes.length === 0 ? { kind: 'map' as const, entries: [] } : decode(protectedBytes, 'COSE protected header');
  if (!isCborMap(headers)) throw new EnvelopeError('COSE protected header must be a map');
  for (const [label] of unprotectedHeaders.entries) {
    if (PROTECTED_ONLY.includes(label)) throw new EnvelopeError(`COSE header ${JSON.stringify(label)} must be protected`);
    if (hasCborEntry(headers, label)) throw new EnvelopeError(`COSE header ${JSON.stringify(label)} is in both the protected and unprotected buckets`);
  }
  const algorithm = toAlgorithm(getCborEntry(headers, LABEL_ALG));
  const unprotected = readUnprotected(unprotectedHeaders);
  const attributes = toSignedAttributes({
    names: new Set(headers.entries.map(([label]) => String(label))),
    contentType: getCborEntry(headers, LABEL_CONTENT_TYPE),
    signingScheme: getCborEntry(headers, HEADER_SIGNING_SCHEME),
    signingTime: readTime(headers, HEADER_SIGNING_TIME),
    authenticSigningTime: readTime(headers, HEADER_AUTHENTIC_SIGNING_TIME),
    expiry: readTime(headers, HEADER_EXPIRY),
    critical: readCritical(headers),
  });
  return {
    format: 'cose',
    algorithm,
    ...attributes,
    payload,
    certificateChain: unprotected.chain,
    signature,
    signedBytes: toSigStructure(protectedBytes, payload),
    saltRule: 'digest',
    ...(unprotected.timestampToken === undefined ? {} : { timestampToken: unprotected.timestampToken }),
    ...(unprotected.signingAgent === undefined ? {} : { signingAgent: unprotected.signingAgent }),
  };
}

/** Text labels in CTAP2 canonical order (shorter encoding first, then bytewise), as go-cose emits them. */
function compareLabels(a: string, b: string): number {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length ? Buffer.compare(left, right) : left.length - right.length;
}

/** Builds a tagged COSE_Sign1 envelope the way notation-core-go does. */
export function signCoseEnvelope(input: EnvelopeSigningInput): Uint8Array {
  const epoch = (date: Date): CborValue => ({ kind: 'tag', tag: EPOCH_TIME_TAG, value: Math.floor(date.getTime() / 1000) });
  const textHeaders: [string, CborValue][] = [
    [HEADER_SIGNING_SCHEME, SIGNING_SCHEME_X509],
    [HEADER_SIGNING_TIME, epoch(input.signingTime)],
  ];
  if (input.expiry !== undefined) textHeaders.push([HEADER_EXPIRY, epoch(input.expiry)]);
  textHeaders.sort(([a], [b]) => compareLabels(a, b));
  const protectedBytes = encodeCbor({
    kind: 'map',
    entries: [
      [LABEL_ALG, COSE_ALGORITHM_IDS[input.algorithm]],
      [LABEL_CRIT, input.expiry === undefined ? [HEADER_SIGNING_SCHEME] : [HEADER_SIGNING_SCHEME, HEADER_EXPIRY]],
      [LABEL_CONTENT_TYPE, NOTATION_PAYLOAD_MEDIA_TYPE],
      ...textHeaders,
    ],
  });
  const signature = signData(input.algorithm, input.key, toSigStructure(protectedBytes, input.payload));
  return encodeCbor({
    kind: 'tag',
    tag: COSE_SIGN1_TAG,
    value: [
      protectedBytes,
      { kind: 'map', entries: [[LABEL_X5CHAIN, [...input.certificateChain]], [HEADER_SIGNING_AGENT, input.signingAgent]] },
      input.payload,
      signature,
    ],
  });
}
