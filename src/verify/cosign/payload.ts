/**
 * The legacy signature payload, "cosign container image signature"
 * (research/signatures.md §4.3; sigstore pkg/signature/payload):
 *   {"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":"sha256:…"},
 *    "type":"cosign container image signature"},"optional":{…}|null}
 * cosign's claim check (SimpleClaimVerifier) binds only
 * `critical.image.docker-manifest-digest`; `docker-reference` is ignored
 * (SIGNATURE_SPEC.md). Read strictly: duplicate keys would let one payload
 * name two digests (§8 pitfall 4).
 */
import { RejectionError } from '../errors.ts';
import { isJsonObject, parseStrictJson, StrictJsonError } from '../strict-json.ts';
import { COSIGN_PAYLOAD_TYPE } from './constants.ts';

/**
 * Checks a payload whose signature already verified: well-formed, of
 * cosign's type, naming `digest`. Throws RejectionError PAYLOAD_INVALID or
 * SUBJECT_MISMATCH.
 */
export function assertPayloadNamesDigest(payload: Uint8Array, digest: string): void {
  let parsed: unknown;
  try {
    parsed = parseStrictJson(payload);
  } catch (error) {
    throw new RejectionError('PAYLOAD_INVALID', `payload is not valid JSON: ${error instanceof StrictJsonError ? error.message : 'unreadable'}`);
  }
  const critical = isJsonObject(parsed) ? parsed['critical'] : undefined;
  if (!isJsonObject(critical)) throw new RejectionError('PAYLOAD_INVALID', 'payload has no "critical" object');
  if (critical['type'] !== COSIGN_PAYLOAD_TYPE) {
    throw new RejectionError('PAYLOAD_INVALID', `payload type is ${JSON.stringify(critical['type'] ?? null)}, not "${COSIGN_PAYLOAD_TYPE}"`);
  }
  const image = critical['image'];
  const signed = isJsonObject(image) ? image['docker-manifest-digest'] : undefined;
  if (typeof signed !== 'string') throw new RejectionError('PAYLOAD_INVALID', 'payload has no critical.image.docker-manifest-digest');
  if (signed !== digest) throw new RejectionError('SUBJECT_MISMATCH', `payload signs ${signed}, not ${digest}`);
}
