// The reader's cluster for a docs page: the test environment's API server
// with the CRD, a fresh namespace made the kubeconfig's default (so the
// page's `kubectl` and `bobctl` lines need no `-n`, as on a reader's own
// context), and bob-controller watching that namespace.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startController, type RunningController } from '../../env/controller.ts';
import { scratchDir } from '../../env/environment.ts';
import { kubeFixture, type KubeFixture } from '../kube/support.ts';

export interface DocCluster {
  readonly fixture: KubeFixture;
  readonly namespace: string;
  /** A kubeconfig whose current context defaults to `namespace`. */
  readonly kubeconfig: string;
  readonly controller: RunningController;
  /** Stops the controller. */
  stop(): Promise<void>;
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: Record<string, unknown> }[];
}

/** A copy of `source` whose current context's namespace is `namespace`. */
export function withDefaultNamespace(source: string, target: string, namespace: string): string {
  const config = parse(readFileSync(source, 'utf8')) as KubeconfigFile;
  const current = config.contexts?.find((c) => c.name === config['current-context']);
  if (current === undefined) throw new Error(`${source} has no current context`);
  current.context['namespace'] = namespace;
  writeFileSync(target, stringify(config), { mode: 0o600 });
  return target;
}

export async function docCluster(prefix: string, controllerArgs: readonly string[] = []): Promise<DocCluster> {
  const fixture = await kubeFixture(prefix);
  const home = scratchDir(`${prefix}-cluster`);
  const kubeconfig = withDefaultNamespace(fixture.cluster.kubeconfig, join(home, 'kubeconfig'), fixture.namespace);
  const controller = await startController({ kubeconfig: fixture.cluster.kubeconfig, namespace: fixture.namespace, home, args: controllerArgs });
  return {
    fixture, namespace: fixture.namespace, kubeconfig, controller,
    async stop() { await controller.stop(); },
  };
}
