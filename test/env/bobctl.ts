// Runs bobctl in-process (src/cli/run.ts) with captured output, the way the
// binary runs it, so integration tests see exit codes and both streams.
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run.ts';

export interface BobctlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BobctlOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly stdin?: string | Buffer;
}

export async function bobctl(args: readonly string[], options: BobctlOptions = {}): Promise<BobctlResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (chunk: string) => { stdout += chunk; return true; } },
    stderr: { write: (chunk: string) => { stderr += chunk; return true; } },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? { HOME: process.env['HOME'], PATH: process.env['PATH'] },
    cwd: options.cwd ?? process.cwd(),
    signal: AbortSignal.timeout(120_000),
  });
  return { code, stdout, stderr };
}

/** Registry flags for bobctl, from a harness registry. */
export function bobctlFlags(registry: { tls: boolean; caFile?: string; username?: string; password?: string }): string[] {
  const flags: string[] = [];
  if (!registry.tls) flags.push('--plain-http');
  if (registry.caFile !== undefined) flags.push('--ca-file', registry.caFile);
  if (registry.username !== undefined && registry.password !== undefined) flags.push('--creds', `${registry.username}:${registry.password}`);
  return flags;
}
