/**
 * The containers-policy.json provider (podman/skopeo `policy.json` +
 * `registries.d`): parse strictly, select requirements by scope, evaluate
 * them against a subject. See verifier.ts for the evaluation contract.
 */
export { parsePolicy } from './policy-parse.ts';
export type {
  FulcioTrust, KeySource, PkiTrust, Policy, PolicyRequirement, PolicyRequirements, SignedByKeyType, SignedByRequirement,
  SignedIdentity, SignedIdentityType, SigstoreSignedRequirement,
} from './policy-types.ts';
export { requirementsFor } from './scopes.ts';
export type { SelectedRequirements } from './scopes.ts';
export { parseRegistriesD, lookasideFor, toLookasideUrl, usesSigstoreAttachments } from './registries-d.ts';
export type { RegistriesD, RegistriesDFile, RegistryNamespace } from './registries-d.ts';
export { createTrustedKeyReader } from './trusted-keys.ts';
export type { TrustedKeyReader } from './trusted-keys.ts';
export { createPolicyVerifier } from './verifier.ts';
export type { PolicyVerifierOptions, SimpleSignatureBlob, SimpleSignatureFetcher } from './verifier.ts';
export { parseNormalizedNamed } from './docker-reference.ts';
export type { DockerReference } from './docker-reference.ts';
