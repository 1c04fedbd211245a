/**
 * `bobctl generate-key-pair [--output-key-prefix cosign]`: writes a cosign
 * key pair, `<prefix>.key` (cosign's encrypted format, mode 0600) and
 * `<prefix>.pub` (PEM PUBLIC KEY), interchangeable with `cosign
 * generate-key-pair`'s. The password comes from COSIGN_PASSWORD (empty
 * allowed, as in cosign), else a prompt on a terminal (no echo, asked
 * twice), else stdin read to its end (cosign reads a non-terminal stdin the
 * same way, trailing newline included).
 */
import { open } from 'node:fs/promises';
import { generateCosignKeyPair } from '../../verify/index.ts';
import { BobError } from '../../shared/index.ts';
import { booleanFlag, stringFlag, type Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { resolveFlagPath } from '../flag-files.ts';
import { usageError } from '../usage-error.ts';

export const PASSWORD_ENV = 'COSIGN_PASSWORD';
const MAX_STDIN_PASSWORD = 64 * 1024;

interface TerminalInput {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

function asTerminal(stdin: NodeJS.ReadableStream): TerminalInput {
  return stdin as NodeJS.ReadableStream & TerminalInput;
}

/** One line typed on the terminal without echo; Ctrl-C aborts, Backspace edits. */
async function promptHidden(context: CliContext, prompt: string): Promise<string> {
  const { stdin } = context;
  const terminal = asTerminal(stdin);
  context.stderr.write(prompt);
  terminal.setRawMode?.(true);
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      terminal.setRawMode?.(false);
      stdin.pause();
      context.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string): void => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      let consumed = 0;
      for (const char of text) {
        consumed += char.length;
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          // A pasted chunk can hold the next answer too: leave it for the next prompt.
          const rest = text.slice(char === '\r' && text.charAt(consumed) === '\n' ? consumed + 1 : consumed);
          if (rest !== '') stdin.unshift(Buffer.from(rest, 'utf8'));
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new BobError('INTERRUPTED', 'interrupted', { errorClass: 'stalling' }));
          return;
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, (value.codePointAt(value.length - 2) ?? 0) > 0xffff ? -2 : -1);
        else value += char;
      }
    };
    // Input closed before Enter: what was typed is the answer.
    const onEnd = (): void => {
      finish();
      resolve(value);
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
  });
}

async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += bytes.length;
    if (size > MAX_STDIN_PASSWORD) throw usageError('password on stdin is longer than 64 KiB');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The key password, the way cosign finds it: COSIGN_PASSWORD, else a
 * terminal prompt (asked twice when `confirm`), else all of stdin.
 */
export async function readKeyPassword(context: CliContext, options: { readonly confirm: boolean; readonly prompt: string }): Promise<string> {
  const fromEnv = context.env[PASSWORD_ENV];
  if (fromEnv !== undefined) return fromEnv;
  if (asTerminal(context.stdin).isTTY !== true) return readAll(context.stdin);
  const password = await promptHidden(context, options.prompt);
  if (options.confirm && (await promptHidden(context, 'Enter password for private key again: ')) !== password) {
    throw usageError('passwords do not match');
  }
  return password;
}

async function writeNew(path: string, text: string, mode: number, force: boolean): Promise<void> {
  let handle;
  try {
    handle = await open(path, force ? 'w' : 'wx', mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw usageError(`${path} exists; use --force to overwrite it`);
    throw new BobError('WRITE_FAILED', `cannot write ${path}`, { cause: error, errorClass: 'stalling' });
  }
  try {
    // An existing file keeps its mode on open: set it explicitly.
    await handle.chmod(mode);
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

export const generateKeyPair: Command = {
  name: 'generate-key-pair',
  summary: 'Create a cosign key pair: <prefix>.key (encrypted) and <prefix>.pub',
  usage: 'generate-key-pair [--output-key-prefix cosign] [--force]',
  help: [
    '--output-key-prefix p   write p.key and p.pub (default cosign), relative to the working directory',
    '--force                 overwrite existing key files',
    'The password comes from $COSIGN_PASSWORD, else a terminal prompt, else stdin.',
  ],
  options: {
    'output-key-prefix': { type: 'string' },
    force: { type: 'boolean' },
  },
  async run(parsed, context) {
    if (parsed.positionals.length > 0) throw usageError('generate-key-pair takes no arguments');
    const prefix = stringFlag(parsed.flags, 'output-key-prefix') ?? 'cosign';
    if (prefix === '') throw usageError('--output-key-prefix must not be empty');
    const force = booleanFlag(parsed.flags, 'force');
    const base = resolveFlagPath(context, prefix);
    const keyPath = `${base}.key`;
    const pubPath = `${base}.pub`;
    if (!force) {
      // Checked before the password is asked for: nothing to type when it would be refused.
      for (const path of [keyPath, pubPath]) {
        const probe = await open(path, 'r').then(async (h) => { await h.close(); return true; }, () => false);
        if (probe) throw usageError(`${path} exists; use --force to overwrite it`);
      }
    }
    const password = await readKeyPassword(context, { confirm: true, prompt: 'Enter password for private key: ' });
    const pair = await generateCosignKeyPair(password);
    await writeNew(keyPath, pair.privateKeyPem, 0o600, force);
    await writeNew(pubPath, pair.publicKeyPem, 0o644, force);
    context.stdout.write(`Private key written to ${prefix}.key\nPublic key written to ${prefix}.pub\n`);
    return EXIT_OK;
  },
};
