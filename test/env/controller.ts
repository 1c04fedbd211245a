// bob-controller in-process (runOperator) against the test environment's
// kube-apiserver, for the tests that need a running controller: one per
// suite, watching the suite's namespace only, on free ports, its log lines
// kept for failure messages. The suite stops it in its after hook.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runOperator } from '../../src/operator.ts';
import { freePort } from './ports.ts';

export interface RunningController {
  readonly name: string;
  /** The artifact server, e.g. http://127.0.0.1:41234. */
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly healthUrl: string;
  /** Every JSON log line so far. */
  readonly logs: string[];
  /** Resolves with runOperator's exit code. */
  readonly done: Promise<number>;
  stop(): Promise<number>;
}

export interface ControllerOptions {
  readonly kubeconfig: string;
  /** Watch only this namespace (omit for all). */
  readonly namespace?: string;
  /** Storage and TMPDIR live under this directory. */
  readonly home: string;
  /** The name (POD_NAME) and storage subdirectory; defaults to "bob-controller". */
  readonly name?: string;
  /** More bob-controller flags. */
  readonly args?: readonly string[];
}

/** Starts bob-controller and resolves once /healthz answers 200; fails with its last log lines if it exits first. */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  const name = options.name ?? 'bob-controller';
  const [metricsPort, healthPort, storagePort] = await Promise.all([freePort(), freePort(), freePort()]);
  const abort = new AbortController();
  const logs: string[] = [];
  let exited: number | undefined;
  const done = runOperator([
    '--kubeconfig', options.kubeconfig,
    ...(options.namespace === undefined ? [] : ['--namespace', options.namespace]),
    '--storage-path', join(options.home, name, 'storage'),
    '--storage-addr', `127.0.0.1:${storagePort}`, '--storage-adv-addr', `127.0.0.1:${storagePort}`,
    '--metrics-addr', `127.0.0.1:${metricsPort}`, '--health-addr', `127.0.0.1:${healthPort}`,
    '--min-retry-delay', '100ms', '--max-retry-delay', '1s', '--log-level', 'debug', ...(options.args ?? []),
  ], {
    env: { POD_NAME: name, TMPDIR: options.home },
    signal: abort.signal,
    stdout: { write: (line: string) => { logs.push(line); return true; } },
  });
  void done.then((code) => { exited = code; });
  const controller: RunningController = {
    name, logs, done,
    baseUrl: `http://127.0.0.1:${storagePort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    async stop() {
      abort.abort();
      return done;
    },
  };
  // The deadline only bounds a hang; it asserts no speed.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`bob-controller exited with ${exited} before it was healthy:\n${logs.slice(-8).join('')}`);
    }
    const healthy = await fetch(`${controller.healthUrl}/healthz`).then((r) => r.status === 200, () => false);
    if (healthy) return controller;
    if (Date.now() > deadline) {
      await controller.stop();
      throw new Error(`bob-controller was not healthy within 60 s:\n${logs.slice(-8).join('')}`);
    }
    await sleep(100);
  }
}
