// A CliContext whose streams are captured, for running bobctl in-process.
import { Readable } from 'node:stream';
import type { CliContext, CliStream } from '../../../src/cli/context.ts';
import { runCli } from '../../../src/cli/run.ts';

export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CaptureOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Pretend stdout is a terminal this wide. */
  readonly columns?: number;
  readonly signal?: AbortSignal;
}

function capture(columns: number | undefined): CliStream & { text(): string } {
  const chunks: string[] = [];
  return {
    write: (chunk: string) => chunks.push(chunk),
    text: () => chunks.join(''),
    ...(columns === undefined ? {} : { isTTY: true, columns }),
  };
}

/** Runs `bobctl <argv>` with no Docker config in reach (HOME is a directory that does not exist). */
export async function bobctl(argv: readonly string[], options: CaptureOptions = {}): Promise<CapturedRun> {
  const stdout = capture(options.columns);
  const stderr = capture(undefined);
  const context: CliContext = {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: options.env ?? { HOME: '/nonexistent-bob-home' },
    cwd: process.cwd(),
    signal: options.signal ?? new AbortController().signal,
  };
  const code = await runCli(argv, context);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
