/**
 * bobctl's dispatcher: finds the verb, parses its flags strictly, runs it,
 * and turns failures into one line on stderr and a documented exit code.
 * Credentials never reach that line: BobError messages are redacted at
 * their source and flags are never echoed.
 */
import { parseArgs } from 'node:util';
import { describeError, isBobError } from '../shared/index.ts';
import type { Command } from './command.ts';
import { COMMANDS, type CommandEntry } from './commands/index.ts';
import type { CliContext } from './context.ts';
import { toPrintable } from './printable.ts';
import { EXIT_AUTH, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, type ExitCode } from './exit-codes.ts';

const VERSION = '0.1.0';

const NOT_FOUND_CODES = new Set(['NAME_UNKNOWN', 'MANIFEST_UNKNOWN', 'BLOB_UNKNOWN', 'NOT_FOUND', 'PATH_NOT_FOUND', 'KUBE_NOT_FOUND']);
// KUBE_FORBIDDEN: the API server refused the kubeconfig's identity (401/403).
const AUTH_CODES = new Set(['UNAUTHORIZED', 'DENIED', 'CREDENTIALS_INVALID', 'CREDENTIAL_HELPER_FAILED', 'AUTH_REALM_UNSAFE', 'KUBE_FORBIDDEN']);
// Only what the user typed is a usage error: DIGEST_INVALID, TAG_INVALID and
// NAME_INVALID also come from registries (their error bodies, their tag lists),
// and those are failed operations (exit 1), not wrong command lines.
const USAGE_CODES = new Set(['CLI_USAGE', 'REFERENCE_INVALID']);

/** The exit code a failure maps to (docs/cli.md). */
export function toExitCode(error: unknown): ExitCode {
  if (!isBobError(error)) return EXIT_FAILED;
  if (USAGE_CODES.has(error.code)) return EXIT_USAGE;
  if (AUTH_CODES.has(error.code)) return EXIT_AUTH;
  if (NOT_FOUND_CODES.has(error.code)) return EXIT_NOT_FOUND;
  return EXIT_FAILED;
}

function findCommand(argv: readonly string[]): { entry: CommandEntry; rest: string[] } | undefined {
  // Longest verb first: `create secret oci` before `push artifact` before `discover`.
  for (const words of [3, 2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const entry = COMMANDS.find((c) => c.name === name);
    if (entry !== undefined) return { entry, rest: argv.slice(words) };
  }
  return undefined;
}

export async function formatHelp(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((entry) => entry.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'bobctl: push, pull, sign and verify OCI artifacts for bob.',
    '',
    'Usage: bobctl <verb> [arguments] [flags]',
    '',
    'Verbs:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    '',
    'Run `bobctl <verb> --help` for a verb\'s flags.',
    '',
    'Exit codes: 0 success, 1 operation failed, 2 usage error, 3 authentication refused,',
    '            4 not found, 5 contents differ (diff artifact),',
    '            6 not trusted (verify artifact).',
    '',
  ].join('\n');
}

export function formatCommandHelp(command: Command): string {
  return [command.summary, '', `Usage: bobctl ${command.usage}`, '', 'Flags:', ...command.help.map((h) => `  ${h}`), '  -h, --help   show this help', ''].join('\n');
}

/** Runs bobctl with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<ExitCode> {
  const [first] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    context.stdout.write(await formatHelp());
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === 'version' || first === '--version') {
    context.stdout.write(`bobctl ${VERSION}\n`);
    return EXIT_OK;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    context.stderr.write(`bobctl: unknown verb "${toPrintable(argv.filter((word) => !word.startsWith('-')).slice(0, 3).join(' '))}"; run \`bobctl help\`\n`);
    return EXIT_USAGE;
  }
  const command = await found.entry.load();
  const { rest } = found;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    context.stderr.write(`bobctl ${command.name}: ${error instanceof Error ? error.message : String(error)}\nUsage: bobctl ${command.usage}\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.help === true) {
    context.stdout.write(formatCommandHelp(command));
    return EXIT_OK;
  }
  try {
    return await command.run({ positionals: parsed.positionals, flags: parsed.values }, context);
  } catch (error) {
    const code = toExitCode(error);
    // Registry text can end up in a message: never let it drive the terminal.
    context.stderr.write(`bobctl ${command.name}: ${toPrintable(describeError(error))}\n`);
    if (code === EXIT_USAGE) context.stderr.write(`Usage: bobctl ${command.usage}\n`);
    return code;
  }
}
