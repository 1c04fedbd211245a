// Runs a peer CLI to completion and returns its output; a non-zero exit is an
// error carrying the command line and the output, so a failing test says why.
import { spawn } from 'node:child_process';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string | Buffer;
  /** Resolve with a non-zero code instead of rejecting. */
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
}

export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code: code ?? -1 };
      if (result.code === 0 || options.allowFailure === true) {
        resolve(result);
        return;
      }
      const shown = [command.split('/').pop() ?? command, ...args].join(' ');
      reject(new Error(`\`${shown}\` ${signal === null ? `exited ${result.code}` : `killed by ${signal}`}\n${result.stdout}\n${result.stderr}`.trimEnd()));
    });
    child.stdin.end(options.input);
  });
}
