/**
 * Rekor signed entry timestamps (`dev.sigstore.cosign/bundle`) as
 * containers/image checks them (signature/internal/rekor_set.go;
 * research/signatures.md §5.2): the SET must be signed by one of the
 * trusted Rekor keys over the JCS form of its Payload, and the logged
 * `hashedrekord` 0.0.1 body must name exactly our key or certificate,
 * our signature bytes and the SHA-256 of our payload. Only presence in
 * the log is proven; the integrated time is returned for Fulcio.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { decodeStandardBase64 } from '../base64.ts';
import { RejectionError } from '../errors.ts';
import { isJsonObject, parseStrictJson, StrictJsonError, type JsonObject } from '../strict-json.ts';
import { toCanonicalJson } from './canonical-json.ts';
import { decodePem } from './pem.ts';
import { verifySha256Signature } from './public-keys.ts';

function invalid(message: string): RejectionError {
  return new RejectionError('TLOG_INVALID', `Rekor SET: ${message}`);
}

function exact(value: unknown, keys: readonly string[], where: string): JsonObject {
  if (!isJsonObject(value)) throw invalid(`${where} is not a JSON object`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw invalid(`unknown key ${JSON.stringify(key)} in ${where}`);
  for (const key of keys) if (!Object.hasOwn(value, key)) throw invalid(`key ${JSON.stringify(key)} missing in ${where}`);
  return value;
}

/** A Go []byte JSON field; null is Go's nil (empty). */
function bytesField(value: unknown, where: string): Uint8Array {
  if (value === null || value === undefined) return new Uint8Array();
  if (typeof value !== 'string') throw invalid(`${where} is not a base64 string`);
  const bytes = decodeStandardBase64(value);
  if (bytes === undefined) throw invalid(`${where} is not valid base64`);
  return bytes;
}

function objectField(object: JsonObject, key: string, where: string): JsonObject | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalid(`${where}.${key} is not a JSON object`);
  return value;
}

function stringField(object: JsonObject, key: string, where: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${where}.${key} is not a string`);
  return value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function parseJson(text: string | Uint8Array, where: string): unknown {
  try {
    return parseStrictJson(text);
  } catch (error) {
    throw invalid(`${where} is not valid JSON${error instanceof StrictJsonError ? `: ${error.message}` : ''}`);
  }
}

/** The parts of a verified hashedrekord 0.0.1 body the caller matches against. */
function readHashedRekord(body: Uint8Array): { publicKey: Uint8Array; signature: Uint8Array; algorithm?: string; hash?: string } {
  const entry = parseJson(body, 'the logged entry');
  if (!isJsonObject(entry)) throw invalid('the logged entry is not a JSON object');
  if (entry['kind'] !== 'hashedrekord') throw invalid(`unsupported entry kind ${JSON.stringify(String(entry['kind']).slice(0, 40))}`);
  const apiVersion = stringField(entry, 'apiVersion', 'entry');
  if (apiVersion === undefined) throw invalid('missing Rekor SET Payload API version');
  if (apiVersion !== '0.0.1') throw invalid(`unsupported Rekor SET Payload hashedrekord version ${JSON.stringify(apiVersion.slice(0, 20))}`);
  const spec = objectField(entry, 'spec', 'entry') ?? {};
  const signature = objectField(spec, 'signature', 'spec');
  if (signature === undefined) throw invalid('Missing "signature" field in hashedrekord');
  const publicKey = objectField(signature, 'publicKey', 'spec.signature');
  if (publicKey === undefined) throw invalid('Missing "signature.publicKey" field in hashedrekord');
  const data = objectField(spec, 'data', 'spec');
  const hash = data === undefined ? undefined : objectField(data, 'hash', 'spec.data');
  const algorithm = hash === undefined ? undefined : stringField(hash, 'algorithm', 'spec.data.hash');
  const value = hash === undefined ? undefined : stringField(hash, 'value', 'spec.data.hash');
  if (data === undefined) throw invalid('Missing "data" field in hashedrekord');
  if (hash === undefined) throw invalid('Missing "data.hash" field in hashedrekord');
  return {
    publicKey: bytesField(publicKey['content'], 'spec.signature.publicKey.content'),
    signature: bytesField(signature['content'], 'spec.signature.content'),
    ...(algorithm === undefined ? {} : { algorithm }),
    ...(value === undefined ? {} : { hash: value }),
  };
}

/** What the SET must be checked against. */
export interface RekorSetInput {
  /** The `dev.sigstore.cosign/bundle` annotation. */
  readonly set: string;
  /** PEM of the signing key (re-marshalled) or the certificate annotation as given. */
  readonly keyOrCertificatePem: string;
  /** The `dev.cosignproject.cosign/signature` annotation (standard base64). */
  readonly base64Signature: string;
  readonly payload: Uint8Array;
}

/**
 * Verifies a Rekor SET against any of `rekorKeys`; returns the integrated
 * time. Throws RejectionError TLOG_INVALID.
 */
export function verifyRekorSet(rekorKeys: readonly KeyObject[], input: RekorSetInput): Date {
  const set = exact(parseJson(input.set, 'the SET'), ['SignedEntryTimestamp', 'Payload'], 'the SET');
  const setSignature = bytesField(set['SignedEntryTimestamp'], 'SignedEntryTimestamp');
  const canonical = toCanonicalJson(set['Payload']);
  if (!rekorKeys.some((key) => verifySha256Signature(key, canonical, setSignature))) {
    throw invalid('cryptographic signature verification of Rekor SET failed');
  }
  // Parse the verified canonical bytes, not the delivered text (as upstream does).
  const payload = exact(parseJson(canonical, 'the SET payload'), ['body', 'integratedTime', 'logIndex', 'logID'], 'the SET payload');
  const integratedTime = payload['integratedTime'];
  if (typeof integratedTime !== 'number' || !Number.isSafeInteger(integratedTime)) throw invalid('integratedTime is not an integer');
  if (typeof payload['logIndex'] !== 'number' || !Number.isSafeInteger(payload['logIndex'])) throw invalid('logIndex is not an integer');
  if (typeof payload['logID'] !== 'string') throw invalid('logID is not a string');
  const rekord = readHashedRekord(bytesField(payload['body'], 'body'));

  const logged = decodePem(Buffer.from(rekord.publicKey).toString('latin1'));
  if (logged === undefined) throw invalid('publicKey in Rekor SET is not in PEM format');
  if (logged.rest.length !== 0) throw invalid('publicKey in Rekor SET has trailing data');
  const ours = decodePem(input.keyOrCertificatePem);
  if (ours === undefined) throw invalid('public key or cert to be matched against publicKey in Rekor SET is not in PEM format');
  if (ours.rest.length !== 0) throw invalid('public key or cert to be matched against publicKey in Rekor SET has trailing data');
  if (!sameBytes(logged.bytes, ours.bytes)) throw invalid('publicKey in Rekor SET does not match');

  const signature = decodeStandardBase64(input.base64Signature);
  if (signature === undefined) throw invalid('the signature annotation is not valid base64');
  if (!sameBytes(rekord.signature, signature)) throw invalid('signature in Rekor SET does not match');

  if (rekord.algorithm === undefined) throw invalid('Missing "data.hash.algorithm" field in hashedrekord');
  if (rekord.algorithm !== 'sha256') throw invalid(`Unexpected "data.hash.algorithm" value ${JSON.stringify(rekord.algorithm.slice(0, 20))}`);
  if (rekord.hash === undefined) throw invalid('Missing "data.hash.value" field in hashedrekord');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(rekord.hash)) throw invalid('Invalid "data.hash.value" field in hashedrekord');
  const expected = createHash('sha256').update(input.payload).digest('hex');
  if (rekord.hash.toLowerCase() !== expected) throw invalid('payload in Rekor SET does not match');
  return new Date(integratedTime * 1000);
}
