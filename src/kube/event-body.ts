/**
 * events.k8s.io/v1 Event bodies. The API server validates (pkg/apis/core/
 * validation, ValidateEventCreate for events.k8s.io/v1): eventTime is a
 * MicroTime, reportingController/reportingInstance/action/reason are
 * required and at most 128 characters, note at most 1 kB, type Normal or
 * Warning, and the Event lives in the namespace of the object it regards.
 */
import { toMicroTime } from './micro-time.ts';

/** The object an Event is about; kubectl describe finds events by `uid`. */
export interface EventRegarding {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid: string;
  readonly resourceVersion?: string;
}

export type EventType = 'Normal' | 'Warning';

/** What happened, in the words of an event. */
export interface EventInput {
  readonly type: EventType;
  /** PascalCase fact; equals the condition's reason (ARCHITECTURE.md vocabulary). */
  readonly reason: string;
  /** Human-readable; capped at 1024 bytes. */
  readonly note: string;
  /** What the controller was doing, e.g. `Reconcile`. */
  readonly action: string;
  /** Event metadata (Flux puts revision/digest here), as Event annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Who writes the events. */
export interface EventSource {
  readonly reportingController: string;
  /** Usually the pod name. */
  readonly reportingInstance: string;
}

export const BOB_REPORTING_CONTROLLER = 'source.k8sstormcenter.io/bob-controller';
export const EVENT_NOTE_MAX_BYTES = 1024;
const EVENT_FIELD_MAX_CHARS = 128;
const NAME_MAX = 253;

/** `note` cut to at most `max` UTF-8 bytes on a character boundary, marked with `...` when cut. */
export function capNote(note: string, max = EVENT_NOTE_MAX_BYTES): string {
  if (Buffer.byteLength(note, 'utf8') <= max) return note;
  const suffix = '...';
  let bytes = Buffer.byteLength(suffix);
  let result = '';
  for (const char of note) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > max) break;
    result += char;
    bytes += size;
  }
  return result + suffix;
}

function capField(value: string): string {
  return value.length <= EVENT_FIELD_MAX_CHARS ? value : value.slice(0, EVENT_FIELD_MAX_CHARS);
}

/** The namespace an Event about `regarding` is written to. */
export function eventNamespace(regarding: EventRegarding): string {
  return regarding.namespace === undefined || regarding.namespace === '' ? 'default' : regarding.namespace;
}

/** A unique Event name: the object's name and a hex time stamp (client-go's pattern), within 253 characters. */
export function toEventName(objectName: string, nowMs: number, random: () => number): string {
  const stamp = (BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(Math.floor(random() * 1_000_000))).toString(16);
  return `${objectName.slice(0, NAME_MAX - stamp.length - 1)}.${stamp}`;
}

/** The body to create a new Event. */
export function toEventBody(
  regarding: EventRegarding, input: EventInput, source: EventSource, name: string, nowMs: number,
): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name, namespace: eventNamespace(regarding) };
  if (input.annotations !== undefined && Object.keys(input.annotations).length > 0) metadata['annotations'] = { ...input.annotations };
  const ref: Record<string, string> = { apiVersion: regarding.apiVersion, kind: regarding.kind, name: regarding.name, uid: regarding.uid };
  if (regarding.namespace !== undefined && regarding.namespace !== '') ref['namespace'] = regarding.namespace;
  if (regarding.resourceVersion !== undefined) ref['resourceVersion'] = regarding.resourceVersion;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata,
    eventTime: toMicroTime(nowMs),
    reportingController: capField(source.reportingController),
    reportingInstance: capField(source.reportingInstance),
    action: capField(input.action),
    reason: capField(input.reason),
    note: capNote(input.note),
    type: input.type,
    regarding: ref,
  };
}

/** The merge patch recording one more occurrence of an existing Event. */
export function toSeriesPatch(count: number, nowMs: number, annotations?: Readonly<Record<string, string>>): Record<string, unknown> {
  const patch: Record<string, unknown> = { series: { count, lastObservedTime: toMicroTime(nowMs) } };
  if (annotations !== undefined && Object.keys(annotations).length > 0) patch['metadata'] = { annotations: { ...annotations } };
  return patch;
}

/**
 * Events that are the same occurrence repeated: same object, type, reason
 * and note. Their key; the recorder keeps one Event per key per window.
 */
export function toSeriesKey(regarding: EventRegarding, input: Pick<EventInput, 'type' | 'reason' | 'note'>): string {
  return JSON.stringify([regarding.uid, regarding.kind, eventNamespace(regarding), regarding.name, input.type, input.reason, capNote(input.note)]);
}
