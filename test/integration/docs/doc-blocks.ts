// What a Markdown page asks its reader to run. A fenced block whose info
// string is `sh` is a runnable block: the docs tests run every one of them,
// in page order, in one shell. Other fences (yaml, text, json, console…) show
// files and output and are never run, so they must not hold commands: a page
// hiding a command there would escape its test, and findHiddenCommands says so.
import { readFileSync } from 'node:fs';

export interface ShellBlock {
  /** The page, as given. */
  readonly file: string;
  /** 1-based line of the block's first code line. */
  readonly line: number;
  readonly code: string;
}

interface Fence {
  readonly info: string;
  readonly line: number;
  readonly lines: string[];
}

// CommonMark §4.5: a fence is three or more backticks or tildes, indented at
// most three spaces; it closes with a fence of the same character at least as long.
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)?.*$/;

function readFences(file: string): Fence[] {
  const fences: Fence[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  let open: { marker: string; fence: Fence } | undefined;
  lines.forEach((text, index) => {
    const match = FENCE.exec(text);
    if (open === undefined) {
      if (match !== null) open = { marker: match[1] ?? '```', fence: { info: match[2] ?? '', line: index + 2, lines: [] } };
      return;
    }
    const closing = match !== null && (match[1] ?? '').startsWith(open.marker.charAt(0)) && (match[1] ?? '').length >= open.marker.length && (match[2] ?? '') === '';
    if (closing) {
      fences.push(open.fence);
      open = undefined;
    } else {
      open.fence.lines.push(text);
    }
  });
  if (open !== undefined) throw new Error(`${file}:${open.fence.line - 1}: unclosed code fence`);
  return fences;
}

/** The page's `sh` blocks, in order. */
export function readShellBlocks(file: string): ShellBlock[] {
  return readFences(file)
    .filter((fence) => fence.info === 'sh')
    .map((fence) => ({ file, line: fence.line, code: fence.lines.join('\n') }));
}

/** The programs whose invocations the docs must run, wherever they are shown. */
export const DOCUMENTED_PROGRAMS = ['bobctl', 'kubectl', 'cosign', 'notation', 'oras', 'skopeo', 'flux', 'npm', 'curl', 'gpg', 'bob-controller'] as const;

const COMMAND_LINE = new RegExp(`^\\s*(?:\\$\\s+)?(?:${DOCUMENTED_PROGRAMS.join('|')})(?:\\s|$)`);

/** `file:line: text` for every command line inside a fence that is not run (not `sh`). */
export function findHiddenCommands(file: string): string[] {
  return readFences(file)
    .filter((fence) => fence.info !== 'sh')
    .flatMap((fence) => fence.lines.flatMap((text, offset) => (COMMAND_LINE.test(text) ? [`${file}:${fence.line + offset}: ${text.trim()}`] : [])));
}
