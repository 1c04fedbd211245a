/**
 * When and how long to retry. Only 408, 429 and 5xx answers (not 501/505,
 * which will not change) and connection resets/timeouts are retried, with
 * exponential backoff and jitter; `Retry-After` (RFC 9110 §10.2.3: seconds or
 * an HTTP-date; distribution-spec says a 429 SHOULD carry one) replaces the
 * backoff. The total wait is capped: past the cap the caller gets the last
 * answer and turns it into RATE_LIMITED / REGISTRY_UNAVAILABLE carrying the
 * Retry-After, so the reconciler requeues at that time instead of hot-looping.
 */
import { backoffDelay, type Clock } from '../shared/index.ts';
import { discardBody } from './body.ts';
import type { OciLogger } from './logger.ts';
import { headerValue, isRetryableNetworkError, type HttpResponse } from './transport.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  readonly maxAttempts: number;
  /** Backoff ceiling of the first retry. Default 250 ms. */
  readonly baseDelayMs: number;
  /** Largest single backoff. Default 10 s. */
  readonly maxDelayMs: number;
  /** Largest total time spent waiting for one request. Default 60 s. */
  readonly maxTotalWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 10_000, maxTotalWaitMs: 60_000 };

/** A year: anything longer in Retry-After is treated as a year. */
const MAX_RETRY_AFTER_MS = 365 * 24 * 3600 * 1000;

/** Guard: an HTTP status worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Retry-After in ms from `now`, or undefined when absent or unparseable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,12}$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  // An HTTP-date always names a weekday or month; refuse bare numbers Date.parse would take.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS);
}

export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly signal: AbortSignal;
  /** False for requests that must not be repeated (a PATCH chunk, a one-shot stream). */
  readonly canRetry: boolean;
  readonly errorBodyBytes: number;
  readonly logger: OciLogger;
  /** `METHOD url` without query, for logs. */
  readonly operation: string;
}

/**
 * Runs `attempt` until it yields a response that is not worth retrying, the
 * attempts run out, or the next wait would pass the total cap. Network errors
 * that are not resets/timeouts are thrown at once.
 */
export async function withRetries(attempt: () => Promise<HttpResponse>, context: RetryContext): Promise<HttpResponse> {
  const { policy, clock, signal } = context;
  let waited = 0;
  for (let n = 0; ; n++) {
    const last = !context.canRetry || n + 1 >= policy.maxAttempts;
    let response: HttpResponse;
    try {
      response = await attempt();
    } catch (error) {
      const delay = backoffDelay(n, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, random: context.random });
      if (last || signal.aborted || !isRetryableNetworkError(error) || waited + delay > policy.maxTotalWaitMs) throw error;
      context.logger.debug('retrying after a network failure', { operation: context.operation, attempt: n + 1, delayMs: delay });
      await clock.sleep(delay, signal);
      waited += delay;
      continue;
    }
    if (last || !isRetryableStatus(response.status)) return response;
    const retryAfter = parseRetryAfter(headerValue(response.headers, 'retry-after'), clock.now());
    const delay = retryAfter ?? backoffDelay(n, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, random: context.random });
    if (waited + delay > policy.maxTotalWaitMs) return response;
    await discardBody(response.body, context.errorBodyBytes);
    context.logger.debug('retrying after a retryable status', {
      operation: context.operation, status: response.status, attempt: n + 1, delayMs: delay, retryAfter: retryAfter !== undefined,
    });
    await clock.sleep(delay, signal);
    waited += delay;
  }
}
