/**
 * What signing an artifact produced, for both cosign storage layouts.
 */
import type { Descriptor, Repository } from '../../oci/index.ts';

/** `legacy`: a layer of the `sha256-<hex>.sig` tag (cosign ≤ 2); `bundle`: a Sigstore bundle referrer (cosign 3). */
export type CosignSignFormat = 'legacy' | 'bundle';

export interface CosignSignature {
  readonly format: CosignSignFormat;
  readonly repository: Repository;
  /** The manifest that was signed. */
  readonly subject: Descriptor;
  /** The signature manifest now in the registry. */
  readonly manifest: Descriptor;
  /** Where it is stored: `registry/repo:sha256-<hex>.sig` or `registry/repo@sha256:<referrer>`. */
  readonly location: string;
  /** `existing`: the `.sig` manifest already held a signature of this key over the same payload (cosign skips too). */
  readonly outcome: 'pushed' | 'existing';
}
