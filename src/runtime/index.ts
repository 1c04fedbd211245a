export { WorkQueue, DEFAULT_CONCURRENCY, DEFAULT_SHUTDOWN_GRACE_MS } from './work-queue.ts';
export type { ShutdownOptions, ShutdownReport, WorkQueueDepth, WorkQueueOptions } from './work-queue.ts';
export type { WorkHandler, WorkResult, WorkSettled } from './work-result.ts';
export { DEFAULT_INTERVAL_JITTER_PERCENT, DEFAULT_RETRY_BACKOFF, jitteredInterval, retryDelay } from './requeue-delay.ts';
export type { RetryBackoff } from './requeue-delay.ts';
export { MAX_TIMER_MS, sleepUntil } from './sleep-until.ts';
export { createLogger } from './logger.ts';
export type { LogFields, Logger, LoggerOptions, LogLevel, LogStream } from './logger.ts';
export { createMetricsRegistry } from './metrics-registry.ts';
export type { Counter, Gauge, Histogram, HistogramOptions, HistogramSnapshot, LabelValues, MetricOptions, MetricsRegistry } from './metrics-registry.ts';
export { exponentialBucketsRange, RECONCILE_DURATION_BUCKETS } from './buckets.ts';
export { PROMETHEUS_TEXT_CONTENT_TYPE } from './metric-text.ts';
export { registerBobMetrics } from './bob-metrics.ts';
export type { BobMetrics, ConditionStatus, ObjectLabels, ReconcileOutcome } from './bob-metrics.ts';
export { createOperationsServer } from './operations-server.ts';
export type { OperationsServer, OperationsServerOptions, ServerAddress } from './operations-server.ts';
export { createManager, DEFAULT_STOP_TIMEOUT_MS } from './manager.ts';
export type { Component, Manager, ManagerOptions, ManagerOutcome, ManagerState } from './manager.ts';
export { runtimeError } from './errors.ts';
export type { RuntimeErrorCode } from './errors.ts';
export { EVENT_ANNOTATION_PREFIX, EVENT_POST_TIMEOUT_MS, createEventForwarder, toEventsUrl, toNotificationEvent } from './event-forwarder.ts';
export type {
  EventForwarder, EventForwarderOptions, EventForwarderStats, EventObjectReference, ForwardedEvent, NotificationEvent, SentObjectReference,
} from './event-forwarder.ts';
