/**
 * bob's verification engine. Other modules import only from here.
 *
 * Plain data in (public keys, certificates, trust policies, policy.json,
 * trusted roots), a Verdict out; see types.ts for the contract. No
 * Kubernetes, no Secrets: callers read those and hand over bytes.
 */
export type {
  ProviderName, RejectionCode, Rejected, SignatureAttempt, SignatureFormat, Verdict, VerificationContext,
  VerificationSubject, Verified, VerifiedSignature, Verifier, VerifyLimits,
} from './types.ts';
export type { VerifyErrorCode } from './errors.ts';
export { DEFAULT_VERIFY_LIMITS } from './attachments.ts';
export { signArtifactWithCosign } from './cosign/sign-artifact.ts';
export type { CosignSignOptions } from './cosign/sign-artifact.ts';
export type { CosignSignature, CosignSignFormat } from './cosign/sign-result.ts';
export { decryptPrivateKey, encryptPrivateKey, readPrivateKey, toPublicKeyPem } from './cosign/key-file.ts';
export { generateCosignKeyPair } from './cosign/key-file-generate.ts';
export type { GeneratedKeyPair } from './cosign/key-file-generate.ts';
export {
  COSIGN_SIGNATURE_TYPE, MAX_LOOKASIDE_SIGNATURES, MAX_SIGNATURE_BYTES, SIMPLE_SIGNING_TYPE, fetchSignatureBlobs,
  fetchSimpleSignatures, loadGpgKeyring, parseLookasideBase, parseSignaturePayload, putExtensionSignature, signSimpleSigning,
  toLookasideBlob, toLookasideUrl, verifySimpleSignature, verifySimpleSigningBlob, writeLookasideSignature,
} from './simple-signing/index.ts';
export type {
  FetchSignatureOptions, FetchedSignature, GpgKeyring, LookasideBlob, LookasideBlobFormat, SignSimpleSigningOptions,
  SignaturePayload, SignaturePayloadType, VerifiedSimpleSignature, VerifiedSimpleSigningBlob, VerifyBlobOptions,
  VerifySignatureOptions, WrittenSignature,
} from './simple-signing/index.ts';
export {
  createNotationVerifier, parseTrustPolicy, readTrustStoreDirectory, signNotation, SKIPPED_WARNING_PREFIX as NOTATION_SKIPPED_WARNING_PREFIX,
} from './notation/index.ts';
export type {
  NotationSignatureFormat, NotationVerifierOptions, SignedNotation, SignNotationOptions, TrustPolicyDocument, TrustPolicyStatement,
  TrustStore,
} from './notation/index.ts';
export type { PublicKey, PublicKeyAlgorithm } from './public-key.ts';
export { parsePublicKey, toKeyHint, toPublicKey, verifySignatureWithKey } from './public-key.ts';
export type { CosignVerifierOptions, NamedPublicKey } from './cosign/trust.ts';
export { toPredicateType } from './cosign/trust.ts';
export type { CosignIdentity } from './cosign/identity.ts';
export { createCosignVerifier } from './cosign/verifier.ts';
export { PREDICATE_TYPE_ALIASES } from './cosign/constants.ts';
export {
  createPolicyVerifier, createTrustedKeyReader, lookasideFor, parsePolicy, parseRegistriesD, requirementsFor, usesSigstoreAttachments,
} from './policy/index.ts';
export type {
  DockerReference, FulcioTrust, KeySource, PkiTrust, Policy, PolicyRequirement, PolicyRequirements, PolicyVerifierOptions, RegistriesD,
  RegistriesDFile, RegistryNamespace, SelectedRequirements, SignedByKeyType, SignedByRequirement, SignedIdentity, SignedIdentityType,
  SigstoreSignedRequirement, SimpleSignatureBlob, SimpleSignatureFetcher, TrustedKeyReader,
} from './policy/index.ts';
export { parseStrictJson, StrictJsonError } from './strict-json.ts';
