/**
 * GPG simple signing ("atomic container signature", containers-signature(5)):
 * verifying signature blobs against a GPG keyring, parsing their payload,
 * finding them (registry signature extension or lookaside storage) and
 * making them. The policy engine decides what a verified payload means.
 */
export { loadGpgKeyring } from './keyring.ts';
export type { GpgKeyring } from './keyring.ts';
export { verifySimpleSigningBlob } from './verify-blob.ts';
export type { VerifiedSimpleSigningBlob, VerifyBlobOptions } from './verify-blob.ts';
export { verifySimpleSignature } from './verify-signature.ts';
export type { VerifiedSimpleSignature, VerifySignatureOptions } from './verify-signature.ts';
export { COSIGN_SIGNATURE_TYPE, SIMPLE_SIGNING_TYPE, parseSignaturePayload, toSimpleSigningPayload } from './payload.ts';
export type { PayloadFields, SignaturePayload, SignaturePayloadType } from './payload.ts';
export { toLookasideBlob } from './blob-format.ts';
export type { LookasideBlob, LookasideBlobFormat } from './blob-format.ts';
export { parseLookasideBase, toLookasideUrl } from './lookaside-url.ts';
export {
  MAX_EXTENSION_SIGNATURES, MAX_LOOKASIDE_SIGNATURES, MAX_SIGNATURE_BYTES, fetchSignatureBlobs, fetchSimpleSignatures,
} from './fetch.ts';
export type { FetchSignatureOptions, FetchedSignature } from './fetch.ts';
export { signSimpleSigning } from './sign.ts';
export type { SignSimpleSigningOptions } from './sign.ts';
export { putExtensionSignature, writeLookasideSignature } from './write.ts';
export type { WrittenSignature } from './write.ts';
