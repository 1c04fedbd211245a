// `npm run testenv -- <command>`: the test environment by hand.
//   up         start kube-apiserver + etcd and one registry of each kind, print
//              how to reach them, keep running until Ctrl-C
//   provision  build or refresh the cached tools (test/env/provision.sh)
//   check      report which tools are missing, build nothing
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { kube, registry, stopEnvironment, environmentDir } from './environment.ts';
import type { Registry } from './registries.ts';
import { testenvCacheDir } from './tools.ts';

const PROVISION = join(import.meta.dirname, 'provision.sh');

function describeRegistry(label: string, reg: Registry): string {
  const lines = [`  ${label.padEnd(28)} ${reg.host}  (${reg.tls ? 'https' : 'http'}, ${reg.referrersApi ? 'referrers API' : 'no referrers API'})`];
  if (reg.caFile !== undefined) lines.push(`  ${''.padEnd(28)} CA file: ${reg.caFile}`);
  if (reg.username !== undefined) lines.push(`  ${''.padEnd(28)} user ${reg.username} password ${reg.password ?? ''}`);
  return lines.join('\n');
}

async function up(): Promise<void> {
  const cluster = await kube();
  const registries: [string, Registry][] = [
    ['distribution 2.8', await registry({ kind: 'distribution' })],
    ['distribution 2.8 TLS+basic', await registry({ kind: 'distribution', tls: true, auth: 'basic' })],
    ['distribution 2.8 TLS+bearer', await registry({ kind: 'distribution', tls: true, auth: 'bearer' })],
    ['zot', await registry({ kind: 'zot' })],
    ['olareg (OCI 1.1)', await registry({ kind: 'olareg' })],
  ];
  console.log([
    'bob test environment is up. Ctrl-C stops it and removes its files.',
    '',
    `export KUBECONFIG=${cluster.kubeconfig}`,
    `  kube-apiserver  ${cluster.server}`,
    '',
    'registries:',
    ...registries.map(([label, reg]) => describeRegistry(label, reg)),
    '',
    `files: ${environmentDir()}`,
    `tools: ${join(testenvCacheDir(), 'bin')}`,
  ].join('\n'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nstopping...');
  await stopEnvironment();
}

function provision(args: string[]): number {
  return spawnSync('bash', [PROVISION, ...args], { stdio: 'inherit' }).status ?? 1;
}

const [command = 'help'] = process.argv.slice(2);
switch (command) {
  case 'up':
    if (provision([]) !== 0) process.exit(1);
    await up();
    break;
  case 'provision':
    process.exit(provision([]));
    break;
  case 'check':
    process.exit(provision(['--check']));
    break;
  default:
    console.log('usage: npm run testenv -- up | provision | check');
    process.exit(command === 'help' ? 0 : 2);
}
