/**
 * Manual reconcile requests (research/flux.md §4.5): writing any new token
 * to `source.k8sstormcenter.io/requestedAt` or Flux's
 * `reconcile.fluxcd.io/requestedAt` requests a reconcile, and the handled
 * token is echoed in status.lastHandledReconcileAt so the requester can
 * wait for it.
 */
import { FLUX_REQUESTED_AT_ANNOTATION, REQUESTED_AT_ANNOTATION } from './constants.ts';

/**
 * The token to echo: the only one present; with both, the later when both
 * are timestamps (each tool writes the current time, so the latest request
 * is the one someone waits for), else bob's own.
 */
export function toReconcileRequest(annotations: Readonly<Record<string, string>>): string | undefined {
  const bob = annotations[REQUESTED_AT_ANNOTATION];
  const flux = annotations[FLUX_REQUESTED_AT_ANNOTATION];
  if (bob === undefined || flux === undefined) return bob ?? flux;
  const bobTime = Date.parse(bob);
  const fluxTime = Date.parse(flux);
  if (Number.isNaN(bobTime) || Number.isNaN(fluxTime)) return bob;
  return fluxTime > bobTime ? flux : bob;
}

/** True when a reconcile was requested and not yet handled. */
export function isReconcileRequested(annotations: Readonly<Record<string, string>>, lastHandled: string | undefined): boolean {
  const token = toReconcileRequest(annotations);
  return token !== undefined && token !== lastHandled;
}
