/**
 * Docker credential helpers (docker/docker-credential-helpers protocol):
 * `docker-credential-<name> get` reads the server URL on stdin and prints
 * `{"ServerURL","Username","Secret"}`; Username `<token>` marks an identity
 * (refresh) token. For the CLI only.
 */
import { spawn } from 'node:child_process';
import { KIB } from '../shared/index.ts';
import type { Credential, CredentialHelperRunner } from './credentials.ts';
import { isObject } from './descriptor.ts';
import { ociError } from './errors.ts';

export interface CredentialHelperOptions {
  /** Environment for the helper, PATH included; the caller passes it in (no process.env reads here). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default 30 s: helpers may prompt a keychain. */
  readonly timeoutMs?: number;
}

const OUTPUT_LIMIT = 64 * KIB;
const NOT_FOUND = /credentials not found/i;

function helperFailed(name: string, reason: string, cause?: unknown): Error {
  return ociError('CREDENTIAL_HELPER_FAILED', `docker-credential-${name} get: ${reason}`, cause === undefined ? {} : { cause });
}

interface HelperOutput {
  readonly code: number | null;
  readonly stdout: string;
}

function runHelper(name: string, input: string, options: CredentialHelperOptions, signal: AbortSignal): Promise<HelperOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${name}`, ['get'], {
      env: { ...options.env },
      stdio: ['pipe', 'pipe', 'ignore'],
      signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs ?? 30_000)]),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > OUTPUT_LIMIT) {
        child.kill();
        reject(helperFailed(name, `output larger than ${OUTPUT_LIMIT} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    child.on('error', (error) => { reject(helperFailed(name, 'could not run the helper', error)); });
    child.on('close', (code) => { resolve({ code, stdout: Buffer.concat(chunks).toString('utf8') }); });
    child.stdin.on('error', () => { /* the helper may exit without reading; its exit code tells */ });
    child.stdin.end(input);
  });
}

/** A runner that spawns helpers from `options.env.PATH`. */
export function createCredentialHelperRunner(options: CredentialHelperOptions): CredentialHelperRunner {
  return async (name, serverUrl, signal): Promise<Credential | undefined> => {
    const { code, stdout } = await runHelper(name, serverUrl, options, signal);
    if (code !== 0) {
      if (NOT_FOUND.test(stdout)) return undefined;
      throw helperFailed(name, `exited with status ${String(code)}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(stdout);
    } catch {
      throw helperFailed(name, 'output is not JSON');
    }
    if (!isObject(doc) || typeof doc['Username'] !== 'string' || typeof doc['Secret'] !== 'string') {
      throw helperFailed(name, 'output lacks Username/Secret strings');
    }
    const username = doc['Username'];
    const secret = doc['Secret'];
    if (secret === '') return undefined;
    return username === '<token>' ? { kind: 'refresh-token', token: secret } : { kind: 'basic', username, password: secret };
  };
}
