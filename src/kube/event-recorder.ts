/**
 * Writes events.k8s.io/v1 Events and folds repeats into a series: the same
 * (object, type, reason, note) within `aggregationWindowMs` of its last
 * occurrence patches `series.count` and `series.lastObservedTime` of the
 * Event already written instead of creating another (the events.k8s.io
 * design: one Event per isomorphic series). Bodies are sent as JSON written
 * here, so MicroTimes keep their six digits (micro-time.ts).
 */
import { createSystemClock, type Clock } from '../shared/index.ts';
import { isNotFound } from './errors.ts';
import {
  BOB_REPORTING_CONTROLLER, eventNamespace, toEventBody, toEventName, toSeriesKey, toSeriesPatch,
  type EventInput, type EventRegarding,
} from './event-body.ts';
import { resourcePath } from './objects.ts';
import { MERGE_PATCH, type KubeTransport } from './transport.ts';

export interface EventRecorderOptions {
  readonly transport: KubeTransport;
  /** The pod name (or another stable id of this replica). */
  readonly reportingInstance: string;
  readonly reportingController?: string;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Repeats within this time of the last occurrence join its series. Default 5 minutes. */
  readonly aggregationWindowMs?: number;
  /** Series remembered at most; the oldest are forgotten first. Default 4096. */
  readonly maxSeries?: number;
}

export interface EventRecorder {
  /** Writes (or counts) one event. Failures are coded errors; callers log them and carry on. */
  record(regarding: EventRegarding, input: EventInput, signal: AbortSignal): Promise<void>;
}

interface Series {
  readonly name: string;
  readonly namespace: string;
  count: number;
  lastObservedMs: number;
}

const EVENTS = { group: 'events.k8s.io', version: 'v1', plural: 'events' } as const;

/** A recorder writing through `transport`. */
export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const clock = options.clock ?? createSystemClock();
  const random = options.random ?? Math.random;
  const windowMs = options.aggregationWindowMs ?? 5 * 60_000;
  const maxSeries = options.maxSeries ?? 4096;
  const source = { reportingController: options.reportingController ?? BOB_REPORTING_CONTROLLER, reportingInstance: options.reportingInstance };
  const series = new Map<string, Series>();
  // Writes of one series run one after another, so two repeats never both create, and counts never go backwards.
  const chains = new Map<string, Promise<void>>();

  const create = async (regarding: EventRegarding, input: EventInput, key: string, signal: AbortSignal): Promise<Series> => {
    const now = clock.now();
    const namespace = eventNamespace(regarding);
    const name = toEventName(regarding.name, now, random);
    await options.transport.request({
      method: 'POST', path: resourcePath(EVENTS, namespace), body: toEventBody(regarding, input, source, name, now),
      operation: `create event ${input.reason} for ${regarding.kind} ${namespace}/${regarding.name}`, signal,
    });
    const entry: Series = { name, namespace, count: 1, lastObservedMs: now };
    series.delete(key);
    series.set(key, entry);
    while (series.size > maxSeries) {
      const oldest = series.keys().next().value;
      if (oldest === undefined) break;
      series.delete(oldest);
    }
    return entry;
  };

  const observe = async (regarding: EventRegarding, input: EventInput, key: string, signal: AbortSignal): Promise<void> => {
    const entry = series.get(key);
    const now = clock.now();
    if (entry === undefined || now - entry.lastObservedMs > windowMs) {
      await create(regarding, input, key, signal);
      return;
    }
    try {
      await options.transport.request({
        method: 'PATCH', path: resourcePath(EVENTS, entry.namespace, entry.name), contentType: MERGE_PATCH,
        body: toSeriesPatch(entry.count + 1, now, input.annotations),
        operation: `update event ${input.reason} for ${regarding.kind} ${entry.namespace}/${regarding.name}`, signal,
      });
      entry.count += 1;
      entry.lastObservedMs = now;
      // Most recently used last, so eviction drops the stalest series.
      series.delete(key);
      series.set(key, entry);
    } catch (error) {
      // The Event expired (the API server's event TTL) or was deleted: start a new series.
      if (!isNotFound(error)) throw error;
      series.delete(key);
      await create(regarding, input, key, signal);
    }
  };

  return {
    async record(regarding, input, signal) {
      const key = toSeriesKey(regarding, input);
      const run = (chains.get(key) ?? Promise.resolve()).then(() => observe(regarding, input, key, signal));
      const settled = run.catch(() => undefined);
      chains.set(key, settled);
      void settled.then(() => {
        if (chains.get(key) === settled) chains.delete(key);
      });
      await run;
    },
  };
}
