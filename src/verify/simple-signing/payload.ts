/**
 * The signed payload of simple signing and of cosign's simple-signing
 * layers (containers-signature(5); containers/image signature/simple.go and
 * signature/internal/sigstore_payload.go; research/signatures.md §3.1, §4.3):
 *
 *   {"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":…},"type":…},
 *    "optional":{"creator":…,"timestamp":…}}
 *
 * Read as strictly as containers/image reads it: exact key sets in
 * `critical`, duplicate keys anywhere refused, unknown keys in `optional`
 * ignored. Only ever parsed after the cryptographic check.
 */
import { RejectionError } from '../errors.ts';
import { StrictJsonError, checkKeys, isJsonObject, parseStrictJson, type JsonObject } from '../strict-json.ts';

export const SIMPLE_SIGNING_TYPE = 'atomic container signature';
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

export type SignaturePayloadType = typeof SIMPLE_SIGNING_TYPE | typeof COSIGN_SIGNATURE_TYPE;

/** What a payload claims; the caller compares both with what it verifies. */
export interface SignaturePayload {
  readonly dockerManifestDigest: string;
  readonly dockerReference: string;
  readonly creator?: string;
  /** Seconds since the epoch. */
  readonly timestamp?: number;
}

// go-digest's registered algorithms with their encoded forms (digest.Parse + Validate).
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

function invalid(message: string): RejectionError {
  return new RejectionError('PAYLOAD_INVALID', `invalid signature payload: ${message}`);
}

/** `object` must have exactly `keys` (containers/image ParanoidUnmarshalJSONObjectExactFields). */
function exactObject(value: unknown, keys: readonly string[], where: string): JsonObject {
  if (!isJsonObject(value)) throw invalid(`${where} is not a JSON object`);
  const { unknown, missing } = checkKeys(value, keys, keys);
  if (unknown.length > 0) throw invalid(`unknown key ${JSON.stringify(unknown[0])} in ${where}`);
  if (missing.length > 0) throw invalid(`key ${JSON.stringify(missing[0])} missing in ${where}`);
  return value;
}

function stringField(object: JsonObject, key: string, where: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw invalid(`${where}.${key} is not a string`);
  return value;
}

function parseOptional(value: unknown, type: SignaturePayloadType): Pick<SignaturePayload, 'creator' | 'timestamp'> {
  // cosign writes `"optional": null` when there are no annotations; simple signing never does.
  if (value === null && type === COSIGN_SIGNATURE_TYPE) return {};
  if (!isJsonObject(value)) throw invalid('optional is not a JSON object');
  let creator: string | undefined;
  let timestamp: number | undefined;
  // A null field is Go's zero value (json.Unmarshal leaves the target alone): treated as absent.
  const rawCreator = value['creator'];
  if (rawCreator !== undefined && rawCreator !== null) {
    if (typeof rawCreator !== 'string') throw invalid('optional.creator is not a string');
    creator = rawCreator;
  }
  const raw = value['timestamp'];
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'number') throw invalid('optional.timestamp is not a number');
    if (!Number.isInteger(raw)) throw invalid('optional.timestamp is not an integer');
    timestamp = raw;
  }
  return { ...(creator === undefined ? {} : { creator }), ...(timestamp === undefined ? {} : { timestamp }) };
}

/**
 * Parses a verified payload of the given type. Throws RejectionError
 * PAYLOAD_INVALID on invalid JSON, duplicate keys, a missing or unknown key
 * in `critical`, a wrong type, a non-integer timestamp or a malformed digest.
 */
export function parseSignaturePayload(payload: Uint8Array, type: SignaturePayloadType): SignaturePayload {
  let document: unknown;
  try {
    document = parseStrictJson(payload);
  } catch (error) {
    throw invalid(error instanceof StrictJsonError ? error.message : 'not JSON');
  }
  const top = exactObject(document, ['critical', 'optional'], 'the payload');
  const optional = parseOptional(top['optional'], type);
  const critical = exactObject(top['critical'], ['type', 'image', 'identity'], 'critical');
  const signatureType = stringField(critical, 'type', 'critical');
  if (signatureType !== type) throw invalid(`unrecognized signature type ${JSON.stringify(signatureType.slice(0, 80))}`);
  const image = exactObject(critical['image'], ['docker-manifest-digest'], 'critical.image');
  const dockerManifestDigest = stringField(image, 'docker-manifest-digest', 'critical.image');
  if (!DIGEST.test(dockerManifestDigest)) {
    throw invalid(`docker-manifest-digest ${JSON.stringify(dockerManifestDigest.slice(0, 140))} is not a valid digest`);
  }
  const identity = exactObject(critical['identity'], ['docker-reference'], 'critical.identity');
  const dockerReference = stringField(identity, 'docker-reference', 'critical.identity');
  return { dockerManifestDigest, dockerReference, ...optional };
}

/** A JSON string as Go's encoding/json writes it (HTML-safe: <, >, & and U+2028/2029 escaped). */
function toGoJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface PayloadFields {
  readonly dockerManifestDigest: string;
  readonly dockerReference: string;
  readonly creator: string;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

/**
 * The payload bytes exactly as skopeo / containers/image write them
 * (signature/simple.go MarshalJSON through json.Marshal of maps: compact,
 * keys sorted, HTML-safe escaping).
 */
export function toSimpleSigningPayload(fields: PayloadFields): Uint8Array {
  if (!Number.isSafeInteger(fields.timestamp)) throw new RangeError('timestamp must be an integer number of seconds');
  const text = '{"critical":{"identity":{"docker-reference":' + toGoJsonString(fields.dockerReference) + '},'
    + '"image":{"docker-manifest-digest":' + toGoJsonString(fields.dockerManifestDigest) + '},'
    + '"type":' + toGoJsonString(SIMPLE_SIGNING_TYPE) + '},'
    + '"optional":{"creator":' + toGoJsonString(fields.creator) + ',"timestamp":' + String(fields.timestamp) + '}}';
  return new TextEncoder().encode(text);
}
