/**
 * Error codes of the Kubernetes client and the mapping of API responses onto
 * them. The message comes from the `Status` object's `message` (Kubernetes
 * API conventions, "Response Status Kind"), reduced to printable text; the
 * raw body never reaches a message, so neither do Secret data or tokens.
 *
 * Classes (ARCHITECTURE.md house rule 4): a missing object or a refused
 * permission can be fixed without a spec change ('waiting'); conflicts,
 * expired resource versions, 5xx and network trouble are 'transient'; a
 * broken kubeconfig is 'stalling'.
 */
import { BobError, toSafeText, type BobErrorOptions, type ErrorClass } from '../shared/index.ts';

/** Every code this module throws. */
export type KubeErrorCode =
  | 'KUBE_NOT_FOUND'
  | 'KUBE_CONFLICT'
  | 'KUBE_FORBIDDEN'
  | 'KUBE_GONE'
  | 'KUBE_API_ERROR'
  | 'KUBE_ABORTED'
  | 'KUBE_RESPONSE_INVALID'
  | 'KUBE_CONFIG_INVALID'
  | 'KUBE_WATCH_STALLED';

const CLASS_OF: Readonly<Record<KubeErrorCode, ErrorClass>> = {
  KUBE_NOT_FOUND: 'waiting',
  KUBE_CONFLICT: 'transient',
  KUBE_FORBIDDEN: 'waiting',
  KUBE_GONE: 'transient',
  KUBE_API_ERROR: 'transient',
  KUBE_ABORTED: 'transient',
  KUBE_RESPONSE_INVALID: 'transient',
  KUBE_CONFIG_INVALID: 'stalling',
  KUBE_WATCH_STALLED: 'transient',
};

/** A BobError with a kube code and that code's class. */
export function kubeError(code: KubeErrorCode, message: string, options: Omit<BobErrorOptions, 'errorClass'> = {}): BobError {
  return new BobError(code, message, { ...options, errorClass: CLASS_OF[code] });
}

/** The fields of a `Status` object (meta/v1) bob reads. */
export interface KubeStatus {
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
}

/** The Status fields of `value`, or undefined when it is not a Status object. */
export function toKubeStatus(value: unknown): KubeStatus | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record['kind'] !== 'Status') return undefined;
  const status: { code?: number; reason?: string; message?: string } = {};
  if (typeof record['code'] === 'number') status.code = record['code'];
  if (typeof record['reason'] === 'string') status.reason = record['reason'];
  if (typeof record['message'] === 'string') status.message = record['message'];
  return status;
}

/** The code for an HTTP status of the API server. */
export function toKubeErrorCode(httpStatus: number): KubeErrorCode {
  switch (httpStatus) {
    case 404: return 'KUBE_NOT_FOUND';
    case 409: return 'KUBE_CONFLICT';
    case 401:
    case 403: return 'KUBE_FORBIDDEN';
    case 410: return 'KUBE_GONE';
    default: return 'KUBE_API_ERROR';
  }
}

/**
 * The error for a failed API call. `operation` names what was attempted
 * ("patch status of ocirepositories default/honey"); `body` is the parsed
 * response body, of which only a Status object's fields are used.
 */
export function toKubeError(httpStatus: number, body: unknown, operation: string): BobError {
  const status = toKubeStatus(body);
  const code = toKubeErrorCode(httpStatus);
  const detail = status?.message === undefined || status.message === ''
    ? `HTTP ${httpStatus}`
    : toSafeText(status.message);
  const details: Record<string, string | number> = { status: httpStatus };
  if (status?.reason !== undefined) details['reason'] = toSafeText(status.reason, 64);
  return kubeError(code, `${operation}: ${detail}`, { details });
}

/** Guard: a 409 Conflict, after which the caller re-reads and retries. */
export function isConflict(error: unknown): error is BobError {
  return error instanceof BobError && error.code === 'KUBE_CONFLICT';
}

/** Guard: the object (or its namespace) does not exist. */
export function isNotFound(error: unknown): error is BobError {
  return error instanceof BobError && error.code === 'KUBE_NOT_FOUND';
}

/** Guard: a resource version or continue token expired (HTTP 410). */
export function isGone(error: unknown): error is BobError {
  return error instanceof BobError && error.code === 'KUBE_GONE';
}
