// Shared setup of the kube integration tests: the real API server of the test
// environment, the CRD from config/crd, and a fresh namespace per suite so
// suites (and other modules' tests) never see each other's objects.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { kube } from '../../env/environment.ts';
import type { KubeCluster } from '../../env/kube.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';
import type { KubeObject } from '../../../src/kube/index.ts';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const GROUP = 'source.k8sstormcenter.io';
export const OCI_REPOSITORIES = { group: GROUP, version: 'v1alpha1', plural: 'ocirepositories' } as const;

export interface OciRepositoryObject extends KubeObject {
  readonly spec: { readonly url: string; readonly interval: string };
  readonly status?: { readonly observedGeneration?: number; readonly url?: string };
}

export interface KubeFixture {
  readonly cluster: KubeCluster;
  readonly namespace: string;
  kubectl(...args: string[]): Promise<string>;
  kubectlInput(input: string, ...args: string[]): Promise<string>;
  /** Creates an OCIRepository named `name` in the fixture namespace with kubectl. */
  createRepository(name: string): Promise<void>;
}

let crdApplied: Promise<void> | undefined;

export async function kubeFixture(prefix: string): Promise<KubeFixture> {
  const cluster = await kube();
  const kubectl = async (...args: string[]) => (await run(toolPath('kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, ...args])).stdout;
  const kubectlInput = async (input: string, ...args: string[]) =>
    (await run(toolPath('kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, ...args], { input })).stdout;
  crdApplied ??= (async () => {
    await kubectl('apply', '-f', join(repoRoot, 'config/crd'));
    await kubectl('wait', '--for=condition=Established', '--timeout=60s', `crd/ocirepositories.${GROUP}`);
  })();
  await crdApplied;
  const namespace = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kubectl('create', 'namespace', namespace);
  return {
    cluster, namespace, kubectl, kubectlInput,
    async createRepository(name) {
      await kubectlInput([
        `apiVersion: ${GROUP}/v1alpha1`, 'kind: OCIRepository',
        `metadata: {name: ${name}, namespace: ${namespace}}`,
        `spec: {url: "oci://registry.example.com/team/${name}", interval: 5m}`, '',
      ].join('\n'), 'create', '-f', '-');
    },
  };
}
