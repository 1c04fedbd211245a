/**
 * A Sigstore `trusted_root.json` (research/signatures.md §5.3) turned into
 * @sigstore/verify trust material: certificate authorities (Fulcio),
 * timestamp authorities, transparency logs (Rekor) and CT logs, each with
 * its validity window. bob never fetches one through TUF: the caller hands
 * over the parsed JSON, refreshed out of band.
 */
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type KeyFinderFunc, type TrustMaterial } from '@sigstore/verify';
import { configInvalid } from '../errors.ts';
import { isJsonObject } from '../strict-json.ts';

const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(?:\.v0\.\d+)?\+json(?:;version=0\.\d+)?$/;

/** Finds no key: keyed verification supplies its own finder per configured key. */
const NO_KEYS: KeyFinderFunc = (hint) => {
  throw configInvalid(`no configured public key for hint ${hint}`);
};

/** Trust material with nothing in it (keyed verification without a trusted root). */
export function emptyTrustMaterial(): TrustMaterial {
  return { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [], publicKey: NO_KEYS };
}

/**
 * Parses a trusted_root.json value (already JSON-parsed). Throws
 * configInvalid naming `field` when it is not one or holds unusable keys or
 * certificates.
 */
export function parseTrustedRoot(json: unknown, field = 'trustedRoot'): TrustMaterial {
  if (!isJsonObject(json)) throw configInvalid(`${field}: not a JSON object`);
  const mediaType = json['mediaType'];
  if (typeof mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPE.test(mediaType)) {
    throw configInvalid(`${field}: mediaType ${JSON.stringify(mediaType ?? null)} is not a Sigstore trusted root`);
  }
  let material: TrustMaterial;
  try {
    material = toTrustMaterial(TrustedRoot.fromJSON(json), NO_KEYS);
  } catch (error) {
    throw configInvalid(`${field}: unusable trusted root (${error instanceof Error ? error.message : 'invalid'})`);
  }
  for (const [index, ca] of [...material.certificateAuthorities, ...material.timestampAuthorities].entries()) {
    if (ca.certChain.length === 0) throw configInvalid(`${field}: authority ${String(index)} has an empty certificate chain`);
  }
  return material;
}
