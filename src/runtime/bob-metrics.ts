/**
 * bob's metrics: Flux's `gotk_*` object metrics under the `bob_` prefix
 * (research/flux.md §4.7, same labels and buckets so dashboards port by
 * renaming), plus what Flux leaves to controller-runtime (queue depth,
 * reconcile results) and two registry-facing counters.
 * Unlike source-controller, bob does update the condition and suspend
 * gauges (Flux registers them but never records them).
 */
import { RECONCILE_DURATION_BUCKETS } from './buckets.ts';
import type { Counter, Gauge, Histogram, MetricsRegistry } from './metrics-registry.ts';

/** The object a series belongs to. */
export type ObjectLabels = Readonly<Record<'kind' | 'name' | 'namespace', string>>;

/** Outcome label values of `bob_reconciles_total`. */
export type ReconcileOutcome = 'success' | 'retry' | 'stalled';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

const CONDITION_STATUSES: readonly ConditionStatus[] = ['True', 'False', 'Unknown'];

/** Handles to bob's metrics. */
export interface BobMetrics {
  readonly reconcileDuration: Histogram<'kind' | 'name' | 'namespace'>;
  readonly reconcileCondition: Gauge<'kind' | 'name' | 'namespace' | 'type' | 'status'>;
  readonly suspendStatus: Gauge<'kind' | 'name' | 'namespace'>;
  readonly registryRequests: Counter<'host' | 'method' | 'code'>;
  readonly fetchedBytes: Counter<never>;
  readonly workqueueDepth: Gauge<never>;
  readonly reconciles: Counter<'result'>;
  /** Sets the condition gauge to 1 for `status` and 0 for the other two (Flux RecordCondition). */
  recordCondition(object: ObjectLabels, type: string, status: ConditionStatus): void;
  /** Sets the suspend gauge to 1 or 0. */
  recordSuspend(object: ObjectLabels, suspended: boolean): void;
  /** Drops every series of a deleted object; returns how many. */
  deleteObject(object: ObjectLabels): number;
}

/** Registers bob's metrics in `registry` (once per registry). */
export function registerBobMetrics(registry: MetricsRegistry): BobMetrics {
  const objectLabels = ['kind', 'name', 'namespace'] as const;
  const reconcileCondition = registry.gauge({
    name: 'bob_reconcile_condition',
    help: 'Condition of a bob object: 1 for the current status of the condition type, 0 for the others.',
    labelNames: [...objectLabels, 'type', 'status'],
  });
  const suspendStatus = registry.gauge({
    name: 'bob_suspend_status',
    help: 'Whether a bob object is suspended (1) or not (0).',
    labelNames: objectLabels,
  });
  return {
    reconcileDuration: registry.histogram({
      name: 'bob_reconcile_duration_seconds',
      help: 'How long one reconcile of a bob object took, in seconds.',
      labelNames: objectLabels,
      buckets: RECONCILE_DURATION_BUCKETS,
    }),
    reconcileCondition,
    suspendStatus,
    registryRequests: registry.counter({
      name: 'bob_registry_requests_total',
      help: 'HTTP requests made to OCI registries, by host, method and status code.',
      labelNames: ['host', 'method', 'code'],
    }),
    fetchedBytes: registry.counter({
      name: 'bob_fetched_bytes_total',
      help: 'Bytes of manifests, signatures and blobs read from OCI registries.',
    }),
    workqueueDepth: registry.gauge({
      name: 'bob_workqueue_depth',
      help: 'Keys waiting in the work queue, now or after a delay.',
    }),
    reconciles: registry.counter({
      name: 'bob_reconciles_total',
      help: 'Finished reconciles, by result: success, retry or stalled.',
      labelNames: ['result'],
    }),
    recordCondition(object, type, status) {
      for (const candidate of CONDITION_STATUSES) {
        reconcileCondition.set({ ...toObjectLabels(object), type, status: candidate }, candidate === status ? 1 : 0);
      }
    },
    recordSuspend(object, suspended) {
      suspendStatus.set(toObjectLabels(object), suspended ? 1 : 0);
    },
    deleteObject: (object) => registry.deleteSeries(toObjectLabels(object)),
  };
}

/** Exactly the three object labels (callers may pass a larger object). */
function toObjectLabels(object: ObjectLabels): ObjectLabels {
  return { kind: object.kind, name: object.name, namespace: object.namespace };
}
