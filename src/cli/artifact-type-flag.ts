import { usageError } from './usage-error.ts';

/** RFC 6838 §4.2 type/subtype names: what registries accept as an artifactType. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** Throws a usage error unless `--artifact-type` names a media type. */
export function assertArtifactType(value: string): void {
  if (!MEDIA_TYPE.test(value)) throw usageError(`--artifact-type "${value.slice(0, 200)}" is not a media type (type/subtype)`);
}
