// Long-running server processes for the test environment: started with their
// output in a log file, polled until ready, stopped with SIGTERM then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Resolves true once the server answers; errors count as "not yet". */
  readonly ready: () => Promise<boolean>;
  readonly timeoutMs?: number;
}

/** The last `bytes` of a log, for error messages. */
export function tailOf(logFile: string, bytes = 3000): string {
  try {
    const text = readFileSync(logFile, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '(no log)';
  }
}

export async function startProcess(options: StartOptions): Promise<ManagedProcess> {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? String(code)}`;
      resolve();
    });
    child.once('error', (error) => {
      exited = `failed to start: ${error.message}`;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const timer = sleep(10_000).then(() => {
      if (exited === undefined) child.kill('SIGKILL');
    });
    await Promise.race([exitedPromise, timer]);
    await exitedPromise;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`${options.name} ${exited} before it was ready; log ${options.logFile}:\n${tailOf(options.logFile)}`);
    }
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} not ready after ${options.timeoutMs ?? 90_000} ms; log ${options.logFile}:\n${tailOf(options.logFile)}`);
    }
    await sleep(150);
  }
  return { name: options.name, logFile: options.logFile, child, stop };
}
