/**
 * The signed payload (`application/vnd.cncf.notary.payload.v1+json`,
 * research/signatures.md §6.2): `{"targetArtifact": <descriptor>}`. Only
 * mediaType, digest and size bind the signature to an artifact (oras
 * content.Equal); annotations are the signer's user metadata.
 */
import type { Descriptor } from '../../oci/index.ts';
import { isJsonObject, parseStrictJson } from '../strict-json.ts';
import { EnvelopeError } from './envelope.ts';

export interface TargetArtifact {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Parses the payload strictly; throws EnvelopeError (PAYLOAD_INVALID). */
export function parsePayload(bytes: Uint8Array): TargetArtifact {
  let document: unknown;
  try {
    document = parseStrictJson(bytes);
  } catch (error) {
    throw new EnvelopeError(`failed to unmarshal the payload content in the signature: ${error instanceof Error ? error.message : String(error)}`, 'PAYLOAD_INVALID');
  }
  const target = isJsonObject(document) ? document['targetArtifact'] : undefined;
  if (!isJsonObject(target)) throw new EnvelopeError('signature payload has no "targetArtifact" object', 'PAYLOAD_INVALID');
  const { mediaType, digest, size, annotations } = target;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new EnvelopeError('signature payload "targetArtifact" needs a string mediaType and digest and a non-negative integer size', 'PAYLOAD_INVALID');
  }
  const metadata: Record<string, string> = {};
  if (annotations !== undefined && annotations !== null) {
    if (!isJsonObject(annotations)) throw new EnvelopeError('signature payload annotations must be an object', 'PAYLOAD_INVALID');
    for (const [key, value] of Object.entries(annotations)) {
      if (typeof value !== 'string') throw new EnvelopeError(`signature payload annotation ${JSON.stringify(key)} must be a string`, 'PAYLOAD_INVALID');
      Object.defineProperty(metadata, key, { value, enumerable: true });
    }
  }
  return { mediaType, digest, size, annotations: metadata };
}

/** Whether the payload names exactly this descriptor (mediaType, digest, size). */
export function isSameArtifact(target: TargetArtifact, descriptor: Descriptor): boolean {
  return target.mediaType === descriptor.mediaType && target.digest === descriptor.digest && target.size === descriptor.size;
}

/**
 * The payload notation signs. COSE carries it as marshalled from
 * ocispec.Descriptor (mediaType, digest, size, annotations); JWS goes
 * through golang-jwt's claims map, so every object has sorted keys.
 */
export function toPayloadBytes(
  descriptor: Descriptor, userMetadata: Readonly<Record<string, string>> | undefined, format: 'jws' | 'cose',
): Uint8Array {
  const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);
  const hasMetadata = userMetadata !== undefined && Object.keys(userMetadata).length > 0;
  const annotations = hasMetadata ? { annotations: Object.fromEntries(Object.entries(userMetadata).sort(byKey)) } : {};
  const target = format === 'jws'
    ? { ...annotations, digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size }
    : { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size, ...annotations };
  return new TextEncoder().encode(JSON.stringify({ targetArtifact: target }));
}
