/**
 * Forwarding events to Flux's notification-controller (`--events-addr`,
 * research/flux.md §3): each Normal or Warning event is POSTed as JSON in
 * the shape of Flux's eventv1.Event; Trace events never leave the process.
 * The POST has a 5 s timeout and is retried with backoff on connection
 * errors and 5xx; 429 is notification-controller's "duplicate" and is not
 * retried. Delivery is fire-and-forget through a bounded in-memory queue
 * sent one event at a time (in order): a slow or absent receiver costs
 * dropped events, never a blocked or failed reconcile.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { backoffDelay, describeError, redactUrl, type Clock } from '../shared/index.ts';
import { runtimeError } from './errors.ts';
import type { Logger } from './logger.ts';

/** Object annotations with this prefix are copied into the event metadata (Flux's recorder does the same). */
export const EVENT_ANNOTATION_PREFIX = 'event.toolkit.fluxcd.io/';

/** Flux's POST timeout (go-retryablehttp client with a 5 s HTTP timeout). */
export const EVENT_POST_TIMEOUT_MS = 5_000;

/** The involved object, as corev1.ObjectReference marshals it. */
export interface EventObjectReference {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly apiVersion: string;
  readonly resourceVersion?: string;
}

/** One event handed to the forwarder. */
export interface ForwardedEvent {
  readonly involvedObject: EventObjectReference;
  /** Trace events are not forwarded (Flux writes them to Kubernetes only). */
  readonly type: 'Normal' | 'Warning' | 'Trace';
  readonly reason: string;
  readonly message: string;
  /** Event metadata, keys already prefixed with the object's API group (`source.k8sstormcenter.io/revision`). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The object's annotations; only `event.toolkit.fluxcd.io/*` ones are copied into the metadata. */
  readonly objectAnnotations?: Readonly<Record<string, string>>;
}

/** The reference as sent: Go's omitempty leaves out empty namespace, uid and resourceVersion. */
export type SentObjectReference = Omit<EventObjectReference, 'namespace' | 'uid'> & { readonly namespace?: string; readonly uid?: string };

/** The JSON body notification-controller reads (Flux eventv1.Event). */
export interface NotificationEvent {
  readonly involvedObject: SentObjectReference;
  readonly severity: 'info' | 'error';
  /** RFC 3339, seconds, UTC (metav1.Time). */
  readonly timestamp: string;
  readonly message: string;
  readonly reason: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly reportingController: string;
  readonly reportingInstance: string;
}

export interface EventForwarderOptions {
  /** notification-controller's event endpoint, e.g. `http://notification-controller.flux-system.svc.cluster.local./`. */
  readonly address: string | URL;
  readonly reportingController: string;
  /** The pod name. */
  readonly reportingInstance: string;
  /** Timestamps and retry backoff. */
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Events waiting beyond this are dropped (and counted); default 128. */
  readonly queueSize?: number;
  /** POSTs per event, retries included; default 5 (go-retryablehttp: 1 + 4 retries). */
  readonly maxAttempts?: number;
  /** Backoff between attempts; default 1 s doubling up to 30 s (go-retryablehttp's bounds). */
  readonly retryBackoff?: { readonly baseMs: number; readonly maxMs: number };
  /** [0, 1) for backoff jitter; default Math.random. */
  readonly random?: () => number;
  /** Per POST; default 5 s. */
  readonly timeoutMs?: number;
}

/** Counts since creation. */
export interface EventForwarderStats {
  /** Accepted with a 2xx. */
  readonly delivered: number;
  /** Answered 429: notification-controller already had it. */
  readonly duplicates: number;
  /** Given up on after the attempts, or refused with a 4xx. */
  readonly failed: number;
  /** Not queued: the queue was full or the forwarder closed. */
  readonly dropped: number;
  /** Still queued or in flight when close() ran out of time. */
  readonly abandoned: number;
}

/** The forwarder; forward() never throws and never waits. */
export interface EventForwarder {
  /** Queues `event`; false when it is not sent (Trace, queue full, closed). */
  forward(event: ForwardedEvent): boolean;
  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void>;
  /** Stops taking events, lets the queue drain for up to `graceMs` (default 2 s), then abandons the rest. */
  close(options?: { readonly graceMs?: number }): Promise<void>;
  readonly stats: EventForwarderStats;
}

/** Flux's body for `event` (undefined for Trace). */
export function toNotificationEvent(
  event: ForwardedEvent, reporting: { readonly controller: string; readonly instance: string }, nowMs: number,
): NotificationEvent | undefined {
  if (event.type === 'Trace') return undefined;
  const metadata: Record<string, string> = { ...event.metadata };
  for (const [key, value] of Object.entries(event.objectAnnotations ?? {})) {
    if (key.startsWith(EVENT_ANNOTATION_PREFIX)) metadata[key] = value;
  }
  const { kind, namespace, name, uid, apiVersion, resourceVersion } = event.involvedObject;
  return {
    // corev1.ObjectReference field order; empty fields are omitted as Go's omitempty does.
    involvedObject: {
      kind, ...(namespace === '' ? {} : { namespace }), name, ...(uid === '' ? {} : { uid }), apiVersion,
      ...(resourceVersion === undefined || resourceVersion === '' ? {} : { resourceVersion }),
    },
    severity: event.type === 'Warning' ? 'error' : 'info',
    timestamp: toRfc3339Seconds(nowMs),
    message: event.message,
    reason: event.reason,
    ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
    reportingController: reporting.controller,
    reportingInstance: reporting.instance,
  };
}

/** metav1.Time's JSON form: whole seconds, `Z`. */
function toRfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type PostOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'retry'; readonly detail: string }
  | { readonly kind: 'refused'; readonly detail: string };

/** Creates a forwarder POSTing to `options.address`; throws RUNTIME_OPTION_INVALID for an unusable address. */
export function createEventForwarder(options: EventForwarderOptions): EventForwarder {
  const address = toEventsUrl(options.address);
  const where = redactUrl(address);
  const queueSize = options.queueSize ?? 128;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const backoff = { ...(options.retryBackoff ?? { baseMs: 1_000, maxMs: 30_000 }), random: options.random ?? Math.random };
  const timeoutMs = options.timeoutMs ?? EVENT_POST_TIMEOUT_MS;
  const reporting = { controller: options.reportingController, instance: options.reportingInstance };
  const https = address.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const abandon = new AbortController();
  const queue: { body: string; label: Record<string, string> }[] = [];
  const stats = { delivered: 0, duplicates: 0, failed: 0, dropped: 0, abandoned: 0 };
  let closed = false;
  let draining: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const post = (body: string): Promise<PostOutcome> => new Promise((resolve) => {
    const signal = AbortSignal.any([abandon.signal, AbortSignal.timeout(timeoutMs)]);
    const send = https ? httpsRequest : httpRequest;
    const request = send(address, {
      method: 'POST', agent, signal,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (response: IncomingMessage) => {
      // The body means nothing to us; read it so the connection is reused.
      response.resume();
      response.on('error', () => undefined);
      const status = response.statusCode ?? 0;
      response.on('end', () => { resolve(toPostOutcome(status)); });
      response.on('close', () => { resolve(toPostOutcome(status)); });
    });
    request.on('error', (error) => {
      resolve({ kind: 'retry', detail: signal.aborted && !abandon.signal.aborted ? `no answer within ${timeoutMs} ms` : describeError(error) });
    });
    request.end(body);
  });

  const deliver = async (item: { body: string; label: Record<string, string> }): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const outcome = await post(item.body);
      if (abandon.signal.aborted) {
        stats.abandoned += 1;
        return;
      }
      if (outcome.kind === 'delivered') {
        stats.delivered += 1;
        return;
      }
      if (outcome.kind === 'duplicate') {
        stats.duplicates += 1;
        options.logger?.debug('notification-controller already had this event', item.label);
        return;
      }
      if (outcome.kind === 'refused' || attempt + 1 >= maxAttempts) {
        stats.failed += 1;
        options.logger?.error('forwarding event failed', { ...item.label, address: where, attempts: attempt + 1, error: outcome.detail });
        return;
      }
      try {
        await options.clock.sleep(backoffDelay(attempt, backoff), abandon.signal);
      } catch {
        stats.abandoned += 1;
        return;
      }
    }
  };

  const drain = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        await deliver(item);
      } catch (error) {
        // Nothing above throws by design; a bug here must not stop the queue.
        stats.failed += 1;
        options.logger?.error('forwarding event failed', { ...item.label, address: where, error: describeError(error) });
      }
    }
    draining = undefined;
  };

  const close = async (graceMs: number): Promise<void> => {
    closed = true;
    const running = draining;
    if (running !== undefined) {
      const timer = new AbortController();
      // false once the grace period is over; the abort after the race ends the sleep early.
      const expired = options.clock.sleep(graceMs, timer.signal).then(() => false, () => false);
      const finished = await Promise.race([running.then(() => true), expired]);
      timer.abort();
      if (!finished) {
        stats.abandoned += queue.length;
        queue.length = 0;
        abandon.abort();
        await running;
      }
    }
    abandon.abort();
    agent.destroy();
    if (stats.abandoned > 0) options.logger?.error('events not forwarded at shutdown', { abandoned: stats.abandoned, address: where });
  };

  return {
    forward(event) {
      try {
        const payload = toNotificationEvent(event, reporting, options.clock.now());
        if (payload === undefined) return false;
        const { namespace, name } = event.involvedObject;
        const label = { object: namespace === '' ? name : `${namespace}/${name}`, reason: event.reason };
        if (closed || queue.length >= queueSize) {
          stats.dropped += 1;
          options.logger?.error('event queue full, event not forwarded', { ...label, queued: queue.length, dropped: stats.dropped });
          return false;
        }
        queue.push({ body: JSON.stringify(payload), label });
        draining ??= drain();
        return true;
      } catch (error) {
        stats.dropped += 1;
        options.logger?.error('forwarding event failed', { error: describeError(error) });
        return false;
      }
    },
    async idle() {
      while (draining !== undefined) await draining;
    },
    close(closeOptions) {
      closing ??= close(closeOptions?.graceMs ?? 2_000);
      return closing;
    },
    get stats() {
      return { ...stats };
    },
  };
}

function toPostOutcome(status: number): PostOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  // notification-controller's rate limiter: the same event within its interval.
  if (status === 429) return { kind: 'duplicate' };
  if (status >= 500) return { kind: 'retry', detail: `HTTP ${status}` };
  return { kind: 'refused', detail: `HTTP ${status}` };
}

/** `address` as an http(s) URL. */
export function toEventsUrl(address: string | URL): URL {
  let url: URL;
  try {
    url = typeof address === 'string' ? new URL(address) : address;
  } catch {
    throw runtimeError('RUNTIME_OPTION_INVALID', 'the events address is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw runtimeError('RUNTIME_OPTION_INVALID', `the events address must be an http or https URL, got ${url.protocol}`);
  }
  return url;
}
