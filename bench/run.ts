// npm run bench: bobctl side by side with oras, in one run, against a local
// distribution registry started by the test environment. Prints wall time,
// throughput, peak RSS and the bob/oras ratio for push and pull of a 100 MB
// artifact and of one with 5,000 small files, and the requests a warm
// re-pull costs. Then the verification scenario (bench/verify.ts) and the
// controller scenario (bench/controller.ts). BENCH_ONLY=transfer, verify or
// controller runs only that one.
// Figures are printed, never asserted.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCountingProxy } from '../test/env/counting-proxy.ts';
import { registry, scratchDir, stopEnvironment } from '../test/env/environment.ts';
import { isolatedEnv } from '../test/env/peers.ts';
import { run } from '../test/env/run.ts';
import { toolPath } from '../test/env/tools.ts';
import { runControllerBench } from './controller.ts';
import { runVerifyBench } from './verify.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '3');
// The built binary, as users run it (npm run bench builds it first).
const BOBCTL = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

interface Measurement { seconds: number; rssMiB: number }

/**
 * Runs a command under GNU time; returns wall seconds and peak RSS. Async,
 * so the counting proxy in this process keeps serving while it runs.
 */
async function measure(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Measurement> {
  const timeFile = join(cwd, '.time');
  const result = await run('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, command, ...args], { env, cwd, timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const [seconds = '0', kib = '0'] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2);
  return { seconds: Number(seconds), rssMiB: Number(kib) / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function makeLarge(dir: string): number {
  mkdirSync(dir, { recursive: true });
  // Half random, half repetitive text: gzip has real work on both kinds.
  const random = randomBytes(50 * 1024 * 1024);
  const text = Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: honey}\ndata: {key: value}\n'.repeat(1024 * 1024 * 50 / 72));
  const content = Buffer.concat([random, text]).subarray(0, 100 * 1024 * 1024);
  writeFileSync(join(dir, 'large.bin'), content);
  return content.length;
}

function makeSmall(dir: string): number {
  let total = 0;
  for (let i = 0; i < 5000; i++) {
    const sub = join(dir, `d${String(i % 50).padStart(2, '0')}`);
    mkdirSync(sub, { recursive: true });
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  value: "${randomBytes(600).toString('base64')}"\n`;
    writeFileSync(join(sub, `cm-${i}.yaml`), body);
    total += body.length;
  }
  return total;
}

interface Row { scenario: string; tool: string; seconds: number; mbps: number; rssMiB: number }

async function main(): Promise<void> {
  const reg = await registry({ kind: 'distribution' });
  const work = scratchDir('bench');
  const home = join(work, 'home');
  const orasEnv = isolatedEnv(home);
  const node = process.execPath;
  const datasets = [
    { name: 'large-100mb', dir: join(work, 'large-100mb'), make: makeLarge },
    { name: 'small-5000', dir: join(work, 'small-5000'), make: makeSmall },
  ];
  const rows: Row[] = [];
  const record = (scenario: string, tool: string, bytes: number, runs: Measurement[]): void => {
    const seconds = median(runs.map((r) => r.seconds));
    rows.push({ scenario, tool, seconds, mbps: bytes / 1e6 / Math.max(seconds, 0.001), rssMiB: median(runs.map((r) => r.rssMiB)) });
  };
  for (const dataset of datasets) {
    const bytes = dataset.make(dataset.dir);
    const bobRef = `${reg.host}/bench/bob-${dataset.name}:v1`;
    const orasRef = `${reg.host}/bench/oras-${dataset.name}:v1`;
    const pushes = { bob: [] as Measurement[], oras: [] as Measurement[] };
    const pulls = { bob: [] as Measurement[], oras: [] as Measurement[] };
    for (let round = 0; round < ROUNDS; round++) {
      const bobEnv = { ...orasEnv, BOBCTL_CACHE: join(work, `cache-${dataset.name}-${round}`) };
      pushes.bob.push(await measure(node, [BOBCTL, 'push', 'artifact', `oci://${bobRef}`, '--path', dataset.dir, '--plain-http'], bobEnv, work));
      pushes.oras.push(await measure(toolPath('oras'), ['push', '--plain-http', orasRef, dataset.name], orasEnv, work));
      const bobOut = join(work, `bob-out-${dataset.name}-${round}`);
      const orasOut = join(work, `oras-out-${dataset.name}-${round}`);
      pulls.bob.push(await measure(node, [BOBCTL, 'pull', 'artifact', `oci://${bobRef}`, '--output', bobOut, '--plain-http'], bobEnv, work));
      pulls.oras.push(await measure(toolPath('oras'), ['pull', '--plain-http', orasRef, '-o', orasOut], orasEnv, work));
      rmSync(bobOut, { recursive: true, force: true });
      rmSync(orasOut, { recursive: true, force: true });
    }
    record(`push ${dataset.name}`, 'bob', bytes, pushes.bob);
    record(`push ${dataset.name}`, 'oras', bytes, pushes.oras);
    record(`pull ${dataset.name}`, 'bob', bytes, pulls.bob);
    record(`pull ${dataset.name}`, 'oras', bytes, pulls.oras);
  }

  // Warm re-pull: the content cache holds manifest and layer; count requests.
  const proxy = await startCountingProxy(reg.host);
  const warmEnv = { ...orasEnv, BOBCTL_CACHE: join(work, 'cache-warm') };
  const ref = `oci://${proxy.host}/bench/bob-large-100mb:v1`;
  await measure(node, [BOBCTL, 'pull', 'artifact', ref, '--output', join(work, 'warm'), '--plain-http'], warmEnv, work);
  const cold = proxy.requests.length;
  proxy.requests.length = 0;
  const warm = await measure(node, [BOBCTL, 'pull', 'artifact', ref, '--output', join(work, 'warm'), '--force', '--plain-http'], warmEnv, work);
  const warmRequests = proxy.requests.map((r) => r.method).join(',');
  await proxy.stop();

  const ratio = (scenario: string): string => {
    const bob = rows.find((r) => r.scenario === scenario && r.tool === 'bob');
    const oras = rows.find((r) => r.scenario === scenario && r.tool === 'oras');
    return bob === undefined || oras === undefined ? '' : (bob.seconds / Math.max(oras.seconds, 0.001)).toFixed(2);
  };
  console.log(`\nbobctl vs oras, distribution 2.8 on loopback, median of ${ROUNDS} rounds (lower ratio = bob faster)\n`);
  console.log(['scenario'.padEnd(22), 'tool'.padEnd(5), 'wall s'.padStart(7), 'MB/s'.padStart(8), 'peak RSS MiB'.padStart(13), 'bob/oras'.padStart(9)].join(' '));
  for (const row of rows) {
    console.log([row.scenario.padEnd(22), row.tool.padEnd(5), row.seconds.toFixed(2).padStart(7), row.mbps.toFixed(1).padStart(8),
      row.rssMiB.toFixed(0).padStart(13), (row.tool === 'bob' ? ratio(row.scenario) : '').padStart(9)].join(' '));
  }
  console.log(`\nwarm re-pull of the unchanged 100 MB artifact: ${warm.seconds.toFixed(2)} s, requests: ${warmRequests} (cold pull: ${cold} requests)`);
}

const ONLY = process.env['BENCH_ONLY'] ?? '';
if (!['', 'transfer', 'verify', 'controller'].includes(ONLY)) throw new Error(`BENCH_ONLY=${ONLY}: expected transfer, verify or controller`);

try {
  if (ONLY === '' || ONLY === 'transfer') await main();
  if (ONLY === '' || ONLY === 'verify') await runVerifyBench();
  if (ONLY === '' || ONLY === 'controller') await runControllerBench();
} finally {
  await stopEnvironment();
}
