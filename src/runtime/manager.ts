/**
 * The controller process's lifecycle: components start in the order they
 * were added and stop in reverse, so what depends on something stops before
 * it (the queue before the informer, the informer before the lease).
 * research/reliability.md §4.4: kubelet sends SIGTERM and kills after the
 * grace period (default 30 s), so stopping has one deadline for everything;
 * components still stopping when it passes are reported, not awaited.
 * The manager reads no signals and decides no exit code: operator.ts wires
 * SIGTERM/SIGINT to shutdown() and maps the outcome to an exit code.
 */
import type { Clock } from '../shared/index.ts';
import { runtimeError } from './errors.ts';
import type { Logger } from './logger.ts';

/** A part of the process with a lifetime. */
export interface Component {
  readonly name: string;
  /**
   * Resolves once the component is up (server listening, informer synced...).
   * `signal` aborts when the manager shuts down, also while start is pending.
   */
  start(signal: AbortSignal): Promise<void>;
  /** Called once for every component whose start() was called, even if it failed or is pending: must be safe in any state. */
  stop(): Promise<void>;
}

export interface ManagerOptions {
  readonly clock: Clock;
  /** Budget for stopping all components; default 25 s, inside kubelet's 30 s grace period. */
  readonly stopTimeoutMs?: number;
  readonly logger?: Logger;
}

/** How the manager ended; the caller turns it into an exit code. */
export interface ManagerOutcome {
  /** The reason given to the first shutdown() (or the start failure). */
  readonly reason: string;
  /** The error that caused the shutdown, if any (a component failure). */
  readonly error?: unknown;
  /** The component whose start() failed, if that caused the shutdown. */
  readonly failedComponent?: string;
  /** Components whose stop() rejected. */
  readonly stopFailures: readonly { readonly name: string; readonly error: unknown }[];
  /** Components whose stop() had not finished at the deadline. */
  readonly stopTimedOut: readonly string[];
}

export type ManagerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Starts and stops components as one unit. */
export interface Manager {
  /** Adds a component before run(); throws RUNTIME_MANAGER_STATE afterwards. */
  add(component: Component): void;
  /** Starts every component in order and resolves once all are stopped again (after shutdown). */
  run(): Promise<ManagerOutcome>;
  /** Begins stopping; the first reason (and error) is kept, later calls are no-ops. Safe before run(). */
  shutdown(reason: string, error?: unknown): void;
  /** Aborts when shutdown begins. */
  readonly signal: AbortSignal;
  readonly state: ManagerState;
}

/** Flux-like default: stop everything within 25 s of SIGTERM. */
export const DEFAULT_STOP_TIMEOUT_MS = 25_000;

interface ShutdownRequest {
  readonly reason: string;
  readonly error?: unknown;
  readonly failedComponent?: string;
}

/** A manager with no components yet. */
export function createManager(options: ManagerOptions): Manager {
  const components: Component[] = [];
  const controller = new AbortController();
  let state: ManagerState = 'idle';
  let request: ShutdownRequest | undefined;
  let wake: () => void = () => undefined;
  const requested = new Promise<void>((resolve) => { wake = resolve; });
  // A function, so the check is re-read after each await (a shutdown can arrive meanwhile).
  const isStopping = (): boolean => request !== undefined;

  const requestShutdown = (next: ShutdownRequest): void => {
    if (request !== undefined) return;
    request = next;
    options.logger?.info('shutting down', { reason: next.reason, ...(next.error === undefined ? {} : { error: next.error }) });
    controller.abort(runtimeError('RUNTIME_SHUTDOWN', `shutting down: ${next.reason}`, { errorClass: 'transient', cause: next.error }));
    wake();
  };

  const run = async (): Promise<ManagerOutcome> => {
    if (state !== 'idle') throw runtimeError('RUNTIME_MANAGER_STATE', `run() called while ${state}`);
    state = 'starting';
    const called: Component[] = [];
    for (const component of components) {
      if (isStopping()) break;
      called.push(component);
      options.logger?.debug('starting component', { component: component.name });
      // A shutdown must not wait for a start that ignores its signal.
      const failure = await Promise.race([invoke(() => component.start(controller.signal)), requested.then(() => undefined)]);
      if (failure !== undefined && !isStopping()) {
        requestShutdown({ reason: `${component.name} failed to start`, error: failure.error, failedComponent: component.name });
      }
    }
    if (!isStopping()) {
      state = 'running';
      options.logger?.info('all components started', { components: components.map((component) => component.name) });
      await requested;
    }
    state = 'stopping';
    const stopped = await stopAll(called.reverse(), options);
    state = 'stopped';
    const ended = request ?? { reason: 'unknown' };
    return {
      reason: ended.reason,
      ...(ended.error === undefined ? {} : { error: ended.error }),
      ...(ended.failedComponent === undefined ? {} : { failedComponent: ended.failedComponent }),
      ...stopped,
    };
  };

  return {
    add(component) {
      if (state !== 'idle') throw runtimeError('RUNTIME_MANAGER_STATE', `cannot add ${component.name} while ${state}`);
      components.push(component);
    },
    run,
    shutdown: (reason, error) => { requestShutdown(error === undefined ? { reason } : { reason, error }); },
    signal: controller.signal,
    get state() {
      return state;
    },
  };
}

type StopResult = Pick<ManagerOutcome, 'stopFailures' | 'stopTimedOut'>;

/** Stops `ordered` one after the other within one deadline. */
async function stopAll(ordered: readonly Component[], options: ManagerOptions): Promise<StopResult> {
  const stopFailures: { name: string; error: unknown }[] = [];
  const stopTimedOut: string[] = [];
  const timer = new AbortController();
  // Resolves only when the budget is spent (the abort at the end ends the sleep silently).
  const deadline = options.clock.sleep(options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, timer.signal).then(
    () => 'expired' as const,
    () => new Promise<never>(() => undefined),
  );
  try {
    for (const component of ordered) {
      options.logger?.debug('stopping component', { component: component.name });
      const stopping = invoke(() => component.stop()).then((failure) => {
        if (failure === undefined) return 'stopped' as const;
        stopFailures.push({ name: component.name, error: failure.error });
        options.logger?.error('component failed to stop', { component: component.name, error: failure.error });
        return 'failed' as const;
      });
      // Once the deadline passed, the rest are still told to stop but nobody waits.
      if (await Promise.race([stopping, deadline]) === 'expired') {
        stopTimedOut.push(component.name);
        options.logger?.error('component did not stop in time', { component: component.name });
      }
    }
  } finally {
    timer.abort();
  }
  return { stopFailures, stopTimedOut };
}

/** Runs `operation`, turning a rejection or a synchronous throw into a value. */
async function invoke(operation: () => Promise<void>): Promise<{ error: unknown } | undefined> {
  try {
    await operation();
    return undefined;
  } catch (error) {
    return { error };
  }
}
