/**
 * Error codes of the OCI client and the mapping of registry error bodies
 * (distribution-spec §"Error Codes") onto them. Every error is a BobError;
 * callers branch on `code`.
 *
 * Classes (ARCHITECTURE.md house rule 4): invalid input, whether from the user
 * or a hostile registry, is 'stalling'; missing content and refused
 * credentials are 'waiting' (they can appear or be fixed without a spec
 * change); network trouble, 5xx, rate limits and content that failed
 * verification in transit are 'transient'.
 */
import { BobError, type BobErrorOptions, type ErrorClass } from '../shared/index.ts';

/** Every code this module throws. */
export type OciErrorCode =
  | 'REFERENCE_INVALID'
  | 'DIGEST_INVALID'
  | 'TAG_INVALID'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNSUPPORTED'
  | 'MANIFEST_AMBIGUOUS'
  | 'MANIFEST_MEDIA_TYPE_MISMATCH'
  | 'MANIFEST_DIGEST_MISMATCH'
  | 'MANIFEST_SIZE_MISMATCH'
  | 'MANIFEST_TOO_LARGE'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'DESCRIPTOR_INVALID'
  | 'BLOB_UNKNOWN'
  | 'BLOB_DIGEST_MISMATCH'
  | 'BLOB_SIZE_MISMATCH'
  | 'BLOB_TOO_LARGE'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'RATE_LIMITED'
  | 'AUTH_CHALLENGE_INVALID'
  | 'AUTH_REALM_UNSAFE'
  | 'TOKEN_RESPONSE_INVALID'
  | 'TOKEN_TOO_LARGE'
  | 'REDIRECT_UNSAFE'
  | 'REDIRECT_LIMIT'
  | 'PAGINATION_INVALID'
  | 'PAGINATION_LIMIT'
  | 'RESPONSE_INVALID'
  | 'REGISTRY_UNAVAILABLE'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'TLS_ERROR'
  | 'ABORTED'
  | 'CREDENTIALS_INVALID'
  | 'CREDENTIAL_HELPER_FAILED'
  | 'CONFIG_INVALID'
  | 'FILE_WRITE_FAILED';

const CLASSES: Readonly<Record<OciErrorCode, ErrorClass>> = {
  REFERENCE_INVALID: 'stalling',
  DIGEST_INVALID: 'stalling',
  TAG_INVALID: 'stalling',
  NAME_INVALID: 'stalling',
  NAME_UNKNOWN: 'waiting',
  MANIFEST_UNKNOWN: 'waiting',
  MANIFEST_INVALID: 'stalling',
  MANIFEST_UNSUPPORTED: 'stalling',
  MANIFEST_AMBIGUOUS: 'stalling',
  MANIFEST_MEDIA_TYPE_MISMATCH: 'stalling',
  MANIFEST_DIGEST_MISMATCH: 'transient',
  MANIFEST_SIZE_MISMATCH: 'transient',
  MANIFEST_TOO_LARGE: 'stalling',
  MANIFEST_BLOB_UNKNOWN: 'stalling',
  DESCRIPTOR_INVALID: 'stalling',
  BLOB_UNKNOWN: 'waiting',
  BLOB_DIGEST_MISMATCH: 'transient',
  BLOB_SIZE_MISMATCH: 'transient',
  BLOB_TOO_LARGE: 'stalling',
  BLOB_UPLOAD_INVALID: 'transient',
  BLOB_UPLOAD_UNKNOWN: 'transient',
  SIZE_INVALID: 'stalling',
  UNAUTHORIZED: 'waiting',
  DENIED: 'waiting',
  UNSUPPORTED: 'stalling',
  RATE_LIMITED: 'transient',
  AUTH_CHALLENGE_INVALID: 'stalling',
  AUTH_REALM_UNSAFE: 'stalling',
  TOKEN_RESPONSE_INVALID: 'transient',
  TOKEN_TOO_LARGE: 'stalling',
  REDIRECT_UNSAFE: 'stalling',
  REDIRECT_LIMIT: 'stalling',
  PAGINATION_INVALID: 'stalling',
  PAGINATION_LIMIT: 'stalling',
  RESPONSE_INVALID: 'stalling',
  REGISTRY_UNAVAILABLE: 'transient',
  HTTP_ERROR: 'transient',
  NETWORK_ERROR: 'transient',
  TLS_ERROR: 'stalling',
  ABORTED: 'transient',
  CREDENTIALS_INVALID: 'stalling',
  CREDENTIAL_HELPER_FAILED: 'waiting',
  CONFIG_INVALID: 'stalling',
  FILE_WRITE_FAILED: 'transient',
};

/** A BobError with one of this module's codes and that code's class. */
export function ociError(code: OciErrorCode, message: string, options: Omit<BobErrorOptions, 'errorClass'> = {}): BobError {
  return new BobError(code, message, { ...options, errorClass: CLASSES[code] });
}

/** The registry error codes of distribution-spec §"Error Codes" we map one to one. */
const REGISTRY_CODES: Readonly<Record<string, OciErrorCode>> = {
  BLOB_UNKNOWN: 'BLOB_UNKNOWN',
  BLOB_UPLOAD_INVALID: 'BLOB_UPLOAD_INVALID',
  BLOB_UPLOAD_UNKNOWN: 'BLOB_UPLOAD_UNKNOWN',
  DIGEST_INVALID: 'DIGEST_INVALID',
  MANIFEST_BLOB_UNKNOWN: 'MANIFEST_BLOB_UNKNOWN',
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  MANIFEST_UNKNOWN: 'MANIFEST_UNKNOWN',
  NAME_INVALID: 'NAME_INVALID',
  NAME_UNKNOWN: 'NAME_UNKNOWN',
  SIZE_INVALID: 'SIZE_INVALID',
  UNAUTHORIZED: 'UNAUTHORIZED',
  DENIED: 'DENIED',
  UNSUPPORTED: 'UNSUPPORTED',
  TOOMANYREQUESTS: 'RATE_LIMITED',
};

/** Our code for a registry `errors[].code`, if it is one the spec defines. */
export function toOciErrorCode(registryCode: string): OciErrorCode | undefined {
  return Object.hasOwn(REGISTRY_CODES, registryCode) ? REGISTRY_CODES[registryCode] : undefined;
}

/** Our code for an HTTP status when the body names no known registry code. */
export function statusToCode(status: number): OciErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 405) return 'UNSUPPORTED';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 408 || status >= 500) return 'REGISTRY_UNAVAILABLE';
  return 'HTTP_ERROR';
}
