// Runs a page's `sh` blocks the way a reader would: in page order, in one
// bash with `set -euo pipefail`, so a variable one block exports is there
// for the next and the first failing command stops the page. The reader's
// machine is stood in for by a working directory, a PATH where `bobctl` is
// this checkout's CLI and cosign, notation, oras, skopeo, flux and kubectl
// are the provisioned peers, and whatever variables the page's test sets
// (REGISTRY, KUBECONFIG, …). A failure names the page and line of the block.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { run, type RunResult } from '../../env/run.ts';
import { testenvCacheDir, toolPath } from '../../env/tools.ts';
import { readShellBlocks, type ShellBlock } from './doc-blocks.ts';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

export interface DocShellOptions {
  /** The reader's working directory; created if missing. */
  readonly cwd: string;
  /** Variables the page expects (REGISTRY, KUBECONFIG, …); PATH and HOME are set here. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Lines the test does not run, each matched whole after trimming, with the
   * reason they are covered elsewhere (e.g. `npm test` is what CI runs).
   * A listed line that is not on the page is an error: the list cannot rot either.
   */
  readonly notRun?: Readonly<Record<string, string>>;
  /** Bounds a hang only. */
  readonly timeoutMs?: number;
}

const MARKER = '::bob-doc-block::';

/** A directory of shims: `bobctl` runs src/cli/main.ts on this Node; `cosign` is cosign 3. */
function writeShims(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const shim = (name: string, body: string): void => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  };
  shim('bobctl', `exec '${process.execPath}' '${join(repoRoot, 'src', 'cli', 'main.ts')}' "$@"`);
  shim('cosign', `exec '${toolPath('cosign3')}' "$@"`);
  return dir;
}

function describeBlock(block: ShellBlock): string {
  return `${relative(repoRoot, block.file)}:${block.line}`;
}

/** The script that runs `blocks`, each preceded by a marker naming it on stderr. */
export function toScript(blocks: readonly ShellBlock[], notRun: Readonly<Record<string, string>> = {}): string {
  const unused = new Set(Object.keys(notRun));
  const parts = blocks.map((block, index) => {
    const code = block.code.split('\n').map((line) => {
      const trimmed = line.trim();
      if (trimmed in notRun) {
        unused.delete(trimmed);
        return `: not run here, ${JSON.stringify(notRun[trimmed])}`;
      }
      return line;
    }).join('\n');
    return `printf '%s %d\\n' '${MARKER}' ${index} >&2\n${code}`;
  });
  if (unused.size > 0) throw new Error(`lines listed as not run are not on the page: ${[...unused].join(', ')}`);
  return ['set -euo pipefail', ...parts, ''].join('\n');
}

/** Runs every `sh` block of `file`; resolves with the output, rejects naming the failing block. */
export async function runPage(file: string, options: DocShellOptions): Promise<RunResult> {
  const blocks = readShellBlocks(file);
  if (blocks.length === 0) throw new Error(`${relative(repoRoot, file)} has no sh blocks to run`);
  mkdirSync(options.cwd, { recursive: true });
  const shims = writeShims(join(options.cwd, '.doc-shims'));
  const path = [shims, join(testenvCacheDir(), 'bin'), process.env['PATH'] ?? ''].join(delimiter);
  const result = await run('bash', ['-c', toScript(blocks, options.notRun)], {
    cwd: options.cwd,
    env: { HOME: options.cwd, LANG: 'C.UTF-8', ...options.env, PATH: path },
    allowFailure: true,
    timeoutMs: options.timeoutMs ?? 300_000,
  });
  if (result.code === 0) return result;
  const started = [...result.stderr.matchAll(new RegExp(`${MARKER} (\\d+)`, 'g'))];
  const last = started.at(-1);
  const failed = last === undefined ? undefined : blocks[Number(last[1])];
  const where = failed === undefined ? relative(repoRoot, file) : describeBlock(failed);
  const tail = (text: string) => text.split('\n').slice(-25).join('\n');
  throw new Error(`the block at ${where} failed (exit ${result.code})\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr.replaceAll(new RegExp(`${MARKER} \\d+\\n`, 'g'), ''))}`);
}
