/**
 * The notation provider: Notary Project signatures (JWS and COSE) verified
 * under a trust policy and trust store, and notation-compatible signing.
 */
export { createNotationVerifier, SKIPPED_WARNING_PREFIX } from './verifier.ts';
export type { NotationVerifierOptions } from './verifier.ts';
export { parseTrustPolicy, selectTrustPolicy, toLevelActions } from './trust-policy.ts';
export type {
  TrustedIdentities, TrustPolicyDocument, TrustPolicyStatement, TrustStoreReference, TrustStoreType, ValidationAction,
  ValidationType, VerificationLevelName,
} from './trust-policy.ts';
export { loadTrustStore, readTrustStoreDirectory } from './trust-store.ts';
export type { TrustStore } from './trust-store.ts';
export { signNotation } from './sign.ts';
export type { NotationSignatureFormat, SignedNotation, SignNotationOptions } from './sign.ts';
export {
  NOTATION_COSE_MEDIA_TYPE, NOTATION_JWS_MEDIA_TYPE, NOTATION_PAYLOAD_MEDIA_TYPE, NOTATION_SIGNATURE_ARTIFACT_TYPE,
} from './constants.ts';
