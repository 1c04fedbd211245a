/**
 * The watch protocol (api-concepts "Efficient detection of changes"): one
 * JSON object per line, `{"type": ..., "object": ...}`. An ERROR event
 * carries a Status; 410 there means the resource version is too old and the
 * caller must re-list. BOOKMARK events carry only a resource version.
 */
import { kubeError, toKubeError, toKubeStatus } from './errors.ts';
import { isKubeObject, type KubeObject } from './objects.ts';

/** A change to one object, or a bookmark: a resource version to resume from. */
export type WatchEvent<T extends KubeObject> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

export interface WatchOptions {
  /** Start after this version: the list's, or the last event's. */
  readonly resourceVersion: string;
  readonly allowWatchBookmarks?: boolean;
  /** The server ends a healthy watch after this long. */
  readonly timeoutSeconds?: number;
}

/** Opens a watch. The iterable ends when the server closes the stream; failures are thrown as coded errors. */
export type WatchFunction<T extends KubeObject> = (options: WatchOptions, signal: AbortSignal) => AsyncIterable<WatchEvent<T>>;

/** One consistent list: the items and the resource version to watch from. */
export interface ListResult<T extends KubeObject> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

export type ListFunction<T extends KubeObject> = (signal: AbortSignal) => Promise<ListResult<T>>;

/** One watch line can be as large as one object; etcd caps objects at 1.5 MiB by default. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** The events of a watch response body, in order. */
export async function* readWatchEvents<T extends KubeObject>(
  stream: ReadableStream<Uint8Array>, operation: string,
): AsyncGenerator<WatchEvent<T>> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await readChunk(reader, operation);
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line !== '') yield toWatchEvent<T>(line, operation);
        newline = buffered.indexOf('\n');
      }
      if (buffered.length > MAX_LINE_CHARS) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: watch event exceeds ${MAX_LINE_CHARS} characters`);
      if (done) break;
    }
    if (buffered.trim() !== '') yield toWatchEvent<T>(buffered.trim(), operation);
  } finally {
    // Ends the HTTP request when the consumer stops early (restart, shutdown).
    await reader.cancel().catch(() => undefined);
  }
}

/** The next chunk; a broken stream (reset, abort) becomes a coded error. */
async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>, operation: string): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  try {
    return await reader.read();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    if (name === 'AbortError' || name === 'TimeoutError') throw kubeError('KUBE_ABORTED', `${operation}: aborted`, { cause: error });
    throw kubeError('KUBE_API_ERROR', `${operation}: watch stream broke (${name})`, { cause: error });
  }
}

/** One watch line as an event, or a coded error. */
export function toWatchEvent<T extends KubeObject>(line: string, operation: string): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line) as unknown;
  } catch {
    throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: watch event is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: watch event is not an object`);
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      if (!isKubeObject(object)) throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: ${type} event without an object`);
      return { type, object: object as T };
    case 'BOOKMARK': {
      const resourceVersion = (object as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
      if (typeof resourceVersion !== 'string' || resourceVersion === '') {
        throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: BOOKMARK event without a resource version`);
      }
      return { type, resourceVersion };
    }
    case 'ERROR': {
      const status = toKubeStatus(object);
      throw toKubeError(status?.code ?? 500, object, operation);
    }
    default:
      throw kubeError('KUBE_RESPONSE_INVALID', `${operation}: unknown watch event type`);
  }
}
