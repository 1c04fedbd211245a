/**
 * Does a signature's `critical.identity.docker-reference` satisfy a
 * `signedIdentity`? (containers/image signature/policy_reference_match.go;
 * research/signatures.md §1.4.) Any reference that fails to parse is
 * "no match", even when both strings are equal.
 */
import {
  isNameOnly, parseNamed, toReferenceName, toReferenceString, tryParseNormalizedNamed, type DockerReference,
} from './docker-reference.ts';
import type { SignedIdentity } from './policy-types.ts';

/** matchRepoDigestOrExact on parsed values: tag ⇒ exact; digest only ⇒ same repository; name-only signature never. */
function matchRepoDigestOrExact(intended: DockerReference, signature: DockerReference): boolean {
  if (isNameOnly(signature)) return false;
  if (intended.tag !== undefined) return toReferenceString(signature) === toReferenceString(intended);
  if (intended.digest !== undefined) return toReferenceName(signature) === toReferenceName(intended);
  return false;
}

function matchExact(intended: DockerReference, signature: DockerReference): boolean {
  if (isNameOnly(intended) || isNameOnly(signature)) return false;
  return toReferenceString(signature) === toReferenceString(intended);
}

/** remapIdentity's prefix test on Name(): equal, or followed by '/'; `host:port` must match exactly. */
export function matchesRemapPrefix(reference: DockerReference, prefix: string): boolean {
  const name = toReferenceName(reference);
  return name === prefix || (name.startsWith(prefix) && name.charAt(prefix.length) === '/');
}

/**
 * The intended reference with `prefix` replaced by `signedPrefix`, re-parsed
 * without normalisation (ParseNamed); undefined when the result does not
 * parse or is not canonical (upstream: an error, hence no match).
 */
export function remapReference(reference: DockerReference, prefix: string, signedPrefix: string): DockerReference | undefined {
  if (!matchesRemapPrefix(reference, prefix)) return reference;
  const remapped = signedPrefix + toReferenceString(reference).slice(prefix.length);
  try {
    return parseNamed(remapped);
  } catch {
    return undefined;
  }
}

/**
 * Whether `signatureReference` satisfies `identity` for an image whose
 * intended reference is `intended` (undefined: the image has no docker
 * identity, so only exactReference/exactRepository can match).
 */
export function matchesSignedIdentity(
  identity: SignedIdentity, intended: DockerReference | undefined, signatureReference: string,
): boolean {
  const signature = tryParseNormalizedNamed(signatureReference);
  if (signature === undefined) return false;
  switch (identity.type) {
    case 'matchExact':
      return intended !== undefined && matchExact(intended, signature);
    case 'matchRepoDigestOrExact':
      return intended !== undefined && matchRepoDigestOrExact(intended, signature);
    case 'matchRepository':
      return intended !== undefined && toReferenceName(signature) === toReferenceName(intended);
    case 'exactReference': {
      const configured = tryParseNormalizedNamed(identity.dockerReference);
      return configured !== undefined && matchExact(configured, signature);
    }
    case 'exactRepository': {
      const configured = tryParseNormalizedNamed(identity.dockerRepository);
      return configured !== undefined && toReferenceName(signature) === toReferenceName(configured);
    }
    case 'remapIdentity': {
      if (intended === undefined) return false;
      const remapped = remapReference(intended, identity.prefix, identity.signedPrefix);
      return remapped !== undefined && matchRepoDigestOrExact(remapped, signature);
    }
  }
}
