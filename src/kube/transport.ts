/**
 * JSON over HTTPS to the API server. client-node supplies the kubeconfig's
 * TLS settings and credentials (including exec and OIDC refresh) and its
 * fetch; bob supplies the body bytes, the content type and the signal. That
 * way MicroTime strings reach the server as written (micro-time.ts), patches
 * carry the content type their semantics need (kubernetes-client/javascript
 * #2434), and every request is abortable.
 */
import { IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { BobError } from '../shared/index.ts';
import { kubeError, toKubeError } from './errors.ts';

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The patch content types of the API server (api-concepts "Patch operations"). */
export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export interface KubeRequest {
  readonly method: HttpVerb;
  /** Absolute API path, e.g. `/api/v1/namespaces/default/secrets/x`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Serialized with JSON.stringify (JSON is valid YAML for apply patches). */
  readonly body?: unknown;
  /** Defaults to application/json when there is a body. */
  readonly contentType?: string;
  /** What is being done, for error messages ("get secret default/x"). */
  readonly operation: string;
  readonly signal: AbortSignal;
}

/** The one way this module talks to the API server. */
export interface KubeTransport {
  /** The parsed JSON response body of a 2xx answer; otherwise a coded error. */
  request(request: KubeRequest): Promise<unknown>;
  /** The body stream of a 200 answer (watches); otherwise a coded error. */
  stream(request: KubeRequest): Promise<ReadableStream<Uint8Array>>;
}

/** A transport for the current context of `config`. */
export function createTransport(config: KubeConfig): KubeTransport {
  const http = new IsomorphicFetchHttpLibrary();
  const server = config.getCurrentCluster()?.server;
  if (server === undefined) throw kubeError('KUBE_CONFIG_INVALID', 'kubeconfig has no current cluster');
  const base = server.replace(/\/+$/, '');

  const send = async (request: KubeRequest): Promise<{ status: number; body: { text(): Promise<string>; stream(): ReadableStream<Uint8Array> | null } }> => {
    if (request.signal.aborted) throw kubeError('KUBE_ABORTED', `${request.operation}: aborted`, { cause: request.signal.reason });
    const url = new URL(base + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const context = new RequestContext(url.toString(), request.method);
    context.setHeaderParam('Accept', 'application/json');
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    context.setSignal(request.signal);
    try {
      await config.applySecurityAuthentication(context);
    } catch (error) {
      // Credential plugins (exec, OIDC) may put tokens in their messages: keep only the error's name.
      const name = error instanceof Error ? error.name : 'error';
      throw kubeError('KUBE_FORBIDDEN', `${request.operation}: obtaining credentials failed (${name})`);
    }
    try {
      const response = await http.send(context).toPromise();
      return { status: response.httpStatusCode, body: response.body };
    } catch (error) {
      throw toTransportError(error, request);
    }
  };

  const readJson = (text: string, request: KubeRequest): unknown => {
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw kubeError('KUBE_RESPONSE_INVALID', `${request.operation}: response is not JSON`);
    }
  };

  const failure = async (status: number, body: { text(): Promise<string> }, request: KubeRequest): Promise<BobError> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await body.text()) as unknown;
    } catch {
      parsed = undefined;
    }
    return toKubeError(status, parsed, request.operation);
  };

  return {
    async request(request) {
      const response = await send(request);
      if (response.status < 200 || response.status > 299) throw await failure(response.status, response.body, request);
      try {
        return readJson(await response.body.text(), request);
      } catch (error) {
        throw toTransportError(error, request);
      }
    },
    async stream(request) {
      const response = await send(request);
      if (response.status !== 200) throw await failure(response.status, response.body, request);
      const stream = response.body.stream();
      if (stream === null) throw kubeError('KUBE_RESPONSE_INVALID', `${request.operation}: response has no body`);
      return stream;
    },
  };
}

/** A network-level failure as a coded error (the URL's query and headers never appear). */
function toTransportError(error: unknown, request: KubeRequest): BobError {
  if (error instanceof BobError) return error;
  if (request.signal.aborted) return kubeError('KUBE_ABORTED', `${request.operation}: aborted`, { cause: request.signal.reason });
  const code = networkCode(error);
  return kubeError('KUBE_API_ERROR', `${request.operation}: network failure (${code})`, { cause: error, details: { networkCode: code } });
}

function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'unknown';
}
