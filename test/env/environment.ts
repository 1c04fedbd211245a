// The test environment: one working directory and CA per run, servers
// started on first use and shared by the tests that ask for the same kind,
// everything stopped once at the end (mocha-hooks.ts) or on Ctrl-C (cli.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKube, type KubeCluster } from './kube.ts';
import { createCertificateAuthority, type CertificateAuthority } from './pki.ts';
import { startRegistry, type Registry, type RegistryOptions } from './registries.ts';

let root: string | undefined;
let caPromise: Promise<CertificateAuthority> | undefined;
let kubePromise: Promise<KubeCluster> | undefined;
const registries = new Map<string, Promise<Registry>>();
const stoppers: (() => Promise<void>)[] = [];

/** This run's scratch directory (removed at the end unless BOB_KEEP_TESTENV=1). */
export function environmentDir(): string {
  root ??= mkdtempSync(join(tmpdir(), 'bob-testenv-'));
  return root;
}

export async function certificateAuthority(): Promise<CertificateAuthority> {
  caPromise ??= createCertificateAuthority(environmentDir());
  return caPromise;
}

/** The shared kube-apiserver + etcd. */
export async function kube(): Promise<KubeCluster> {
  kubePromise ??= (async () => {
    const cluster = await startKube(join(environmentDir(), 'kube'), await certificateAuthority());
    stoppers.push(() => cluster.stop());
    return cluster;
  })();
  return kubePromise;
}

/** A shared registry of the given kind, TLS and auth; `fresh` starts a private one. */
export async function registry(options: RegistryOptions, fresh = false): Promise<Registry> {
  const key = `${options.kind}/${String(options.tls ?? false)}/${options.auth ?? 'none'}`;
  const existing = fresh ? undefined : registries.get(key);
  if (existing !== undefined) return existing;
  const started = (async () => {
    const started = await startRegistry(environmentDir(), await certificateAuthority(), options);
    stoppers.push(() => started.stop());
    return started;
  })();
  if (!fresh) registries.set(key, started);
  return started;
}

/** A directory for one test's files, inside this run's scratch directory. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(environmentDir(), `${prefix}-`));
}

export async function stopEnvironment(): Promise<void> {
  const pending = stoppers.splice(0).reverse();
  const results = await Promise.allSettled(pending.map((stop) => stop()));
  kubePromise = undefined;
  caPromise = undefined;
  registries.clear();
  if (root !== undefined && process.env['BOB_KEEP_TESTENV'] !== '1') rmSync(root, { recursive: true, force: true });
  root = undefined;
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
