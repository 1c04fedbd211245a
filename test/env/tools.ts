// Where the provisioned servers and peer CLIs live. test/env/provision.sh
// builds them into a per-version cache outside the clone and links each
// binary into <cache>/bin; Debian's packages come from PATH.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Built by provision.sh from pinned Go modules. */
export const CACHED_TOOLS = ['etcd', 'kube-apiserver', 'zot', 'olareg', 'oras', 'cosign2', 'cosign3', 'notation', 'flux', 'skopeo'] as const;
/** From Debian's packages (or already on the machine). */
const SYSTEM_TOOLS = ['docker-registry', 'gpg', 'kubectl', 'openssl', 'htpasswd'] as const;

export type ToolName = (typeof CACHED_TOOLS)[number] | (typeof SYSTEM_TOOLS)[number];

/** The cache root shared by every clone on this machine. */
export function testenvCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['BOB_TESTENV_CACHE'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'bob', 'testenv');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Absolute path of a tool, or a clear error naming the command that provides it. */
export function toolPath(name: ToolName): string {
  const cached = join(testenvCacheDir(), 'bin', name);
  if (isExecutable(cached)) return cached;
  const system = (SYSTEM_TOOLS as readonly string[]).includes(name) ? findOnPath(name) : undefined;
  if (system !== undefined) return system;
  throw new Error(`test tool "${name}" is not provisioned: run \`npm run provision\` (test/env/provision.sh)`);
}
