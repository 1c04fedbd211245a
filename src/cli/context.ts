/**
 * What a command may touch: its streams, environment, working directory and
 * an AbortSignal (Ctrl-C). Commands never read process.* themselves, so tests
 * run them in-process with captured output.
 */
export interface CliStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliContext {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly signal: AbortSignal;
}
