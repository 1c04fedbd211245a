/**
 * What a RegistryClient tells an observer about its traffic (the operator's
 * request and byte metrics). The observer sees only the answering host,
 * the method and the status: never a path, query, header or body, so
 * nothing secret can reach a metric label. Its calls are wrapped: an
 * observer that throws changes nothing in the client.
 */

/** Why a request was made: a registry API call, a bearer token fetch, or a lookaside signature read. */
export type RequestPurpose = 'registry' | 'token' | 'lookaside';

/** One HTTP response as the observer sees it. */
export interface ObservedResponse {
  /** host[:port] that answered (after a redirect: the redirect target's). */
  readonly host: string;
  readonly method: string;
  readonly status: number;
  readonly purpose: RequestPurpose;
}

/** Hooks of RegistryClientOptions.observer. */
export interface RegistryObserver {
  /** Once per HTTP response received: every retry and redirect hop, HEAD and token requests included (see `purpose`). Network failures have no response and are not reported. */
  onResponse(response: ObservedResponse): void;
  /** Body bytes of manifests, blobs and signatures as they are read (not error bodies, tokens or tag lists). */
  onBytes?(host: string, bytes: number): void;
}

/** The hooks the pipeline calls; never throw. */
export interface SafeObserver {
  response(response: ObservedResponse): void;
  bytes(host: string, bytes: number): void;
}

/** `observer` wrapped so that a throwing hook is ignored; a no-op without one. */
export function toSafeObserver(observer: RegistryObserver | undefined): SafeObserver {
  return {
    response(response) {
      if (observer === undefined) return;
      try {
        observer.onResponse(response);
      } catch {
        // Metrics must never change what the client does.
      }
    },
    bytes(host, bytes) {
      if (observer?.onBytes === undefined || bytes <= 0) return;
      try {
        observer.onBytes(host, bytes);
      } catch {
        // As above.
      }
    },
  };
}
