// The verification scenario of `npm run bench`: one small image per provider
// (cosign keyed legacy `.sig`, cosign keyed v0.3 bundle, notation, policy.json
// signedBy GPG in a file:// lookaside), signed by the REAL cosign 2/3,
// notation and skopeo, then verified by the reference CLI and by bob (the
// built CLI, and in process cold and warm), all through a counting proxy in
// front of the registry. Prints median wall milliseconds and registry
// requests per run, with the bob/reference ratios. Figures are printed, never
// asserted.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseReference, RegistryClient } from '../src/oci/index.ts';
import {
  createCosignVerifier, createNotationVerifier, createPolicyVerifier, createTrustedKeyReader, DEFAULT_VERIFY_LIMITS, parsePolicy,
  parseRegistriesD, readTrustStoreDirectory, type Verdict, type Verifier,
} from '../src/verify/index.ts';
import { startCountingProxy, type CountingProxy } from '../test/env/counting-proxy.ts';
import { registry, scratchDir } from '../test/env/environment.ts';
import { pushTestImage, type PushedImage } from '../test/env/fixtures.ts';
import { isolatedEnv } from '../test/env/peers.ts';
import type { Registry, RegistryKind } from '../test/env/registries.ts';
import { run } from '../test/env/run.ts';
import { toolPath, type ToolName } from '../test/env/tools.ts';

const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? '5'));
const KINDS: readonly RegistryKind[] = (process.env['BENCH_VERIFY_REGISTRIES'] ?? 'distribution,olareg')
  .split(',').filter((kind): kind is RegistryKind => ['distribution', 'zot', 'olareg'].includes(kind));
const BOBCTL = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
const PASSWORD = 'bob-bench-passphrase';
const TIMEOUT_MS = 120_000;
/** Verifications per round with the client reused (the controller's steady state). */
const WARM_REPEATS = 3;

type Mode = 'spawn' | 'in-process cold' | 'in-process warm';

interface Sample { readonly ms: number; readonly requests: readonly string[] }

interface Row {
  readonly registry: RegistryKind;
  readonly provider: string;
  readonly tool: string;
  readonly mode: Mode;
  readonly reference: boolean;
  readonly samples: readonly Sample[];
}

/** One provider's artifact, how the reference CLIs and bob verify it. */
interface Case {
  readonly provider: string;
  readonly image: PushedImage;
  /** Reference tools; the first is what the ratios compare against. */
  readonly references: readonly { readonly tool: string; readonly command: string; readonly args: readonly string[] }[];
  readonly bobArgs: readonly string[];
  readonly verifier: () => Verifier;
  /** Working directory and environment of every spawned tool. */
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly note?: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A request as a short line: digests cut to 12 hex digits, the repository kept. */
function toTraceLine(method: string, path: string): string {
  return `${method} ${path.replace(/([0-9a-f]{12})[0-9a-f]{52}/g, '$1…')}`;
}

/** Runs `body` with the proxy's log emptied first; returns wall ms and the requests it caused. */
async function timed(proxy: CountingProxy, body: () => Promise<void>): Promise<Sample> {
  proxy.requests.length = 0;
  const started = performance.now();
  await body();
  const ms = performance.now() - started;
  return { ms, requests: proxy.requests.map((request) => toTraceLine(request.method, request.path)) };
}

async function spawnChecked(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  const result = await run(command, args, { env, cwd, allowFailure: true, timeoutMs: TIMEOUT_MS });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${String(result.code)}:\n${result.stdout}\n${result.stderr}`);
}

function assertVerified(verdict: Verdict, what: string): void {
  if (verdict.outcome !== 'verified') throw new Error(`bob rejected ${what}: ${verdict.code} ${verdict.reason} ${JSON.stringify(verdict.attempts)}`);
}

/** bob in process: a fresh client and verifier, then (warm) further verifications with both reused. */
async function measureInProcess(proxy: CountingProxy, host: string, pinned: string, make: () => Verifier): Promise<{ cold: Sample; warm: Sample[] }> {
  const reference = parseReference(pinned);
  let client: RegistryClient | undefined;
  let verifier: Verifier | undefined;
  const verifyOnce = async (): Promise<void> => {
    if (client === undefined || verifier === undefined) throw new Error('not set up');
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    // Resolve as the CLIs do: the subject's descriptor comes from the registry.
    const descriptor = await client.resolve(reference, { signal });
    assertVerified(await verifier.verify({ reference, descriptor }, {
      client, signal, now: () => new Date(), limits: DEFAULT_VERIFY_LIMITS,
    }), pinned);
  };
  try {
    const cold = await timed(proxy, async () => {
      client = new RegistryClient({ hosts: { [host]: { plainHttp: true } } });
      verifier = make();
      await verifyOnce();
    });
    const warm: Sample[] = [];
    for (let repeat = 0; repeat < WARM_REPEATS; repeat++) warm.push(await timed(proxy, verifyOnce));
    return { cold, warm };
  } finally {
    await client?.close();
  }
}

/** Pushes and signs one image per provider through the proxy, so identities name the proxy's host. */
async function prepareCases(reg: Registry, proxy: CountingProxy): Promise<Case[]> {
  const viaProxy: Registry = { ...reg, host: proxy.host, url: `http://${proxy.host}` };
  const home = scratchDir(`bench-verify-${reg.kind}`);
  const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
  const tool = (name: ToolName): string => toolPath(name);
  const repo = 'bench/verify';
  const push = async (tag: string): Promise<PushedImage> => {
    const dir = join(home, `image-${tag}`);
    mkdirSync(dir, { recursive: true });
    return pushTestImage(viaProxy, dir, repo, tag, `bench verify ${tag}\n`);
  };
  const [legacy, bundle, notary, gpgSource] = await Promise.all(['cosign-legacy', 'cosign-bundle', 'notation', 'gpg-source'].map(push));
  if (legacy === undefined || bundle === undefined || notary === undefined || gpgSource === undefined) throw new Error('fixtures');

  // cosign: one key; cosign 2 writes the legacy `.sig` tag, cosign 3 a v0.3 bundle referrer. Offline: no Rekor.
  await spawnChecked(tool('cosign2'), ['generate-key-pair'], env, home);
  const sign = ['--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--yes'];
  await spawnChecked(tool('cosign2'), ['sign', ...sign, legacy.pinned], env, home);
  await spawnChecked(tool('cosign3'), ['sign', ...sign, '--use-signing-config=false', bundle.pinned], env, home);
  const cosignKey = { publicKeys: [{ name: 'cosign.pub', pem: readFileSync(join(home, 'cosign.pub'), 'utf8') }], ignoreTlog: true };
  const cosignVerify = ['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry'];

  // notation: a test CA and a strict trust policy; the API where the registry has one.
  await spawnChecked(tool('notation'), ['cert', 'generate-test', '--default', 'bench.test'], env, home);
  const trustPolicy = JSON.stringify({
    version: '1.0',
    trustPolicies: [{ name: 'bench', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:bench.test'], trustedIdentities: ['*'] }],
  });
  writeFileSync(join(home, 'trustpolicy.json'), trustPolicy);
  await spawnChecked(tool('notation'), ['policy', 'import', '--force', 'trustpolicy.json'], env, home);
  const store = reg.referrersApi ? ['--force-referrers-tag=false'] : [];
  await spawnChecked(tool('notation'), ['sign', '--insecure-registry', ...store, notary.pinned], env, home);
  const trustStoreDir = join(home, '.config', 'notation', 'truststore');
  const trustStore = await readTrustStoreDirectory(trustStoreDir);

  // policy.json signedBy: skopeo signs with GPG while copying, into a file:// lookaside.
  const gnupgHome = join(home, 'gnupg');
  mkdirSync(gnupgHome, { mode: 0o700 });
  const gpgEnv = { ...env, GNUPGHOME: gnupgHome };
  await spawnChecked(tool('gpg'), ['--batch', '--passphrase', '', '--quick-gen-key', 'bob bench <bench@example.test>', 'ed25519', 'sign', 'never'], gpgEnv, home);
  const colons = (await run(tool('gpg'), ['--batch', '--with-colons', '--list-secret-keys'], { env: gpgEnv })).stdout;
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
  if (fingerprint === undefined) throw new Error(`no GPG fingerprint in:\n${colons}`);
  const keysDir = join(home, 'keys');
  mkdirSync(keysDir);
  writeFileSync(join(keysDir, 'gpg.pub'), (await run(tool('gpg'), ['--batch', '--armor', '--export', fingerprint], { env: gpgEnv })).stdout);
  const registriesD = join(home, 'registries.d');
  mkdirSync(registriesD);
  const lookaside = `file://${join(home, 'lookaside')}`;
  writeFileSync(join(registriesD, 'bench.yaml'), `default-docker:\n  lookaside: ${lookaside}\n  lookaside-staging: ${lookaside}\n`);
  const acceptAll = join(home, 'policy-any.json');
  writeFileSync(acceptAll, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const gpgRef = `${proxy.host}/${repo}:gpg`;
  await spawnChecked(tool('skopeo'), [`--policy=${acceptAll}`, `--registries.d=${registriesD}`, 'copy', '--src-tls-verify=false', '--dest-tls-verify=false',
    '--sign-by', fingerprint, `docker://${gpgSource.ref}`, `docker://${gpgRef}`], gpgEnv, home);
  const gpgDigest = (await run(tool('skopeo'), ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${gpgRef}`], { env, cwd: home })).stdout.trim();
  const gpg: PushedImage = { ref: gpgRef, pinned: `${proxy.host}/${repo}@${gpgDigest}`, digest: gpgDigest, repository: repo };
  // An absolute keyPath inside keysDir serves skopeo and bob's trusted key reader alike.
  const policyFile = join(home, 'policy-gpg.json');
  writeFileSync(policyFile, JSON.stringify({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: join(keysDir, 'gpg.pub') }] }));
  const registriesDFiles = [{ name: 'bench.yaml', text: readFileSync(join(registriesD, 'bench.yaml'), 'utf8') }];
  const copyOut = join(home, 'copy-out');

  const cases: Omit<Case, 'home' | 'env'>[] = [
    {
      provider: 'cosign key, legacy .sig',
      image: legacy,
      references: [
        { tool: 'cosign 2', command: tool('cosign2'), args: [...cosignVerify, legacy.pinned] },
        { tool: 'cosign 3', command: tool('cosign3'), args: [...cosignVerify, legacy.pinned] },
      ],
      bobArgs: ['--key', 'cosign.pub', '--insecure-ignore-tlog'],
      verifier: () => createCosignVerifier(cosignKey),
    },
    {
      provider: 'cosign key, v0.3 bundle',
      image: bundle,
      references: [{ tool: 'cosign 3', command: tool('cosign3'), args: [...cosignVerify, bundle.pinned] }],
      bobArgs: ['--key', 'cosign.pub', '--insecure-ignore-tlog'],
      verifier: () => createCosignVerifier(cosignKey),
    },
    {
      provider: 'notation',
      image: notary,
      references: [{ tool: 'notation', command: tool('notation'), args: ['verify', '--insecure-registry', notary.pinned] }],
      bobArgs: ['--trust-policy', 'trustpolicy.json', '--trust-store', trustStoreDir],
      verifier: () => createNotationVerifier({ trustPolicy, trustStore }),
    },
    {
      provider: 'policy signedBy GPG',
      image: gpg,
      references: [{
        tool: 'skopeo copy*',
        command: tool('skopeo'),
        args: [`--policy=${policyFile}`, `--registries.d=${registriesD}`, 'copy', '--src-tls-verify=false', `docker://${gpg.pinned}`, `dir:${copyOut}`],
      }],
      bobArgs: ['--policy', policyFile, '--registries-d', registriesD, '--trusted-keys-dir', keysDir],
      verifier: () => createPolicyVerifier({
        policy: parsePolicy(readFileSync(policyFile)), readTrustedKey: createTrustedKeyReader(keysDir), registriesD: parseRegistriesD(registriesDFiles),
      }),
      note: '* skopeo has no registry-backed verify: `skopeo copy --policy … dir:` checks the policy, then also copies config and layer',
    },
  ];
  return cases.map((entry) => ({ ...entry, home, env }));
}

async function benchRegistry(kind: RegistryKind): Promise<{ rows: Row[]; notes: string[] }> {
  const reg = await registry({ kind });
  const proxy = await startCountingProxy(reg.host);
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const cases = await prepareCases(reg, proxy);
    for (const entry of cases) {
      const references = entry.references.map(() => [] as Sample[]);
      const bobCli: Sample[] = [];
      const cold: Sample[] = [];
      const warm: Sample[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const [index, reference] of entry.references.entries()) {
          // skopeo copy's destination must not hold the previous round's copy.
          rmSync(join(entry.home, 'copy-out'), { recursive: true, force: true });
          references[index]?.push(await timed(proxy, () => spawnChecked(reference.command, reference.args, entry.env, entry.home)));
        }
        bobCli.push(await timed(proxy, () => spawnChecked(process.execPath,
          [BOBCTL, 'verify', 'artifact', `oci://${entry.image.pinned}`, '--plain-http', ...entry.bobArgs], entry.env, entry.home)));
        const inProcess = await measureInProcess(proxy, proxy.host, entry.image.pinned, entry.verifier);
        cold.push(inProcess.cold);
        warm.push(...inProcess.warm);
      }
      for (const [index, reference] of entry.references.entries()) {
        rows.push({ registry: kind, provider: entry.provider, tool: reference.tool, mode: 'spawn', reference: true, samples: references[index] ?? [] });
      }
      rows.push({ registry: kind, provider: entry.provider, tool: 'bobctl', mode: 'spawn', reference: false, samples: bobCli });
      rows.push({ registry: kind, provider: entry.provider, tool: 'bob', mode: 'in-process cold', reference: false, samples: cold });
      rows.push({ registry: kind, provider: entry.provider, tool: 'bob', mode: 'in-process warm', reference: false, samples: warm });
      if (entry.note !== undefined && !notes.includes(entry.note)) notes.push(entry.note);
    }
  } finally {
    await proxy.stop();
  }
  return { rows, notes };
}

function requestCount(row: Row): string {
  const counts = row.samples.map((sample) => sample.requests.length);
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  return low === high ? String(low) : `${String(median(counts))} (${String(low)}-${String(high)})`;
}

function printTable(rows: readonly Row[], notes: readonly string[]): void {
  console.log(`\nverification: reference CLIs vs bob through a counting proxy, median of ${String(ROUNDS)} rounds`
    + ` (warm: ${String(WARM_REPEATS)} verifications per round after the cold one, same client and verifier)`);
  console.log('(ratios are bob / the first reference tool of the provider; < 1 means bob is faster or sends fewer requests)\n');
  const header = ['registry'.padEnd(12), 'provider'.padEnd(24), 'tool'.padEnd(13), 'mode'.padEnd(16), 'ms'.padStart(8), 'requests'.padStart(10),
    'req bob/ref'.padStart(12), 'ms bob/ref'.padStart(11)];
  console.log(header.join(' '));
  for (const row of rows) {
    const primary = rows.find((other) => other.registry === row.registry && other.provider === row.provider && other.reference);
    const ms = median(row.samples.map((sample) => sample.ms));
    const requests = median(row.samples.map((sample) => sample.requests.length));
    let requestRatio = '';
    let msRatio = '';
    if (!row.reference && primary !== undefined) {
      const refRequests = median(primary.samples.map((sample) => sample.requests.length));
      requestRatio = refRequests === 0 ? 'n/a' : (requests / refRequests).toFixed(2);
      msRatio = (ms / Math.max(median(primary.samples.map((sample) => sample.ms)), 0.001)).toFixed(2);
    }
    console.log([row.registry.padEnd(12), row.provider.padEnd(24), row.tool.padEnd(13), row.mode.padEnd(16), ms.toFixed(1).padStart(8),
      requestCount(row).padStart(10), requestRatio.padStart(12), msRatio.padStart(11)].join(' '));
  }
  for (const note of notes) console.log(`\n${note}`);
  // The requests of one run per tool and mode: what the counts above are made of.
  console.log('\nrequests of the first round, per row:');
  for (const row of rows) {
    console.log(`\n  ${row.registry} | ${row.provider} | ${row.tool} | ${row.mode}`);
    for (const line of row.samples[0]?.requests ?? []) console.log(`    ${line}`);
  }
}

/** The verification benchmark: prints its table; throws only when a tool or bob fails to verify. */
export async function runVerifyBench(): Promise<void> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const kind of KINDS) {
    const result = await benchRegistry(kind);
    rows.push(...result.rows);
    for (const note of result.notes) if (!notes.includes(note)) notes.push(note);
  }
  printTable(rows, notes);
}
