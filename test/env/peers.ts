// Command-line flags and environments for the peer CLIs (oras, flux, cosign,
// notation, skopeo), so every test talks to a registry of the harness the same
// way. Each call site passes its own scratch HOME: peers never read or write
// the developer's ~/.docker, ~/.config or keyrings.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from './registries.ts';

/** An environment whose HOME, XDG dirs and DOCKER_CONFIG live under `home`. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  mkdirSync(join(home, '.config'), { recursive: true });
  mkdirSync(join(home, '.docker'), { recursive: true });
  return {
    PATH: process.env['PATH'],
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    DOCKER_CONFIG: join(home, '.docker'),
    TMPDIR: home,
    ...extra,
  };
}

/** Writes a Docker config.json with the registry's credentials (if any) under DOCKER_CONFIG. */
export function writeDockerConfig(env: NodeJS.ProcessEnv, registries: readonly Registry[]): string {
  const dir = env['DOCKER_CONFIG'];
  if (dir === undefined) throw new Error('DOCKER_CONFIG not set: use isolatedEnv');
  const auths: Record<string, { auth: string }> = {};
  for (const registry of registries) {
    if (registry.username !== undefined && registry.password !== undefined) {
      auths[registry.host] = { auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64') };
    }
  }
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ auths }, null, 2), { mode: 0o600 });
  return file;
}

/** oras flags for transport and credentials. */
export function orasFlags(registry: Registry): string[] {
  const flags: string[] = [];
  if (!registry.tls) flags.push('--plain-http');
  if (registry.caFile !== undefined) flags.push('--ca-file', registry.caFile);
  if (registry.username !== undefined && registry.password !== undefined) {
    flags.push('--username', registry.username, '--password', registry.password);
  }
  return flags;
}
