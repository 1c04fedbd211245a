/**
 * The flags every cluster verb shares (kubectl's names and order of
 * precedence) and the API clients they build:
 *   --kubeconfig path   else KUBECONFIG, else in-cluster, else ~/.kube/config
 *   --context name      a context of the kubeconfig other than its current one
 *   -n, --namespace ns  else the context's namespace, else "default"
 */
import { createKubeClients, type KubeClients } from '../kube/index.ts';
import { stringFlag, type FlagValues, type OptionSpecs } from './command.ts';
import type { CliContext } from './context.ts';
import { resolveFlagPath } from './flag-files.ts';
import { usageError } from './usage-error.ts';

export const CLUSTER_OPTIONS: OptionSpecs = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
};

export const CLUSTER_HELP: readonly string[] = [
  '--kubeconfig path       kubeconfig file (default: $KUBECONFIG, in-cluster, then ~/.kube/config)',
  '--context name          kubeconfig context to use instead of the current one',
  '-n, --namespace ns      namespace (default: the context\'s namespace, else "default")',
];

/** kubectl's fallback when neither the flag nor the context names a namespace. */
export const DEFAULT_NAMESPACE = 'default';

export interface ClusterTarget {
  readonly clients: KubeClients;
  /** The namespace the verb acts in. */
  readonly namespace: string;
}

// RFC 1123 label: what the API server accepts as a namespace name.
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The API clients and namespace the flags select; loads the kubeconfig once. */
export function connectCluster(flags: FlagValues, context: CliContext): ClusterTarget {
  const namespaceFlag = stringFlag(flags, 'namespace');
  if (namespaceFlag !== undefined && !NAMESPACE_NAME.test(namespaceFlag)) {
    throw usageError(`invalid --namespace "${namespaceFlag}": a lower-case RFC 1123 label is expected`);
  }
  const kubeconfigPath = stringFlag(flags, 'kubeconfig');
  const contextName = stringFlag(flags, 'context');
  const clients = createKubeClients({
    env: context.env,
    ...(kubeconfigPath === undefined ? {} : { kubeconfigPath: resolveFlagPath(context, kubeconfigPath) }),
    ...(contextName === undefined ? {} : { context: contextName }),
  });
  return { clients, namespace: namespaceFlag ?? clients.namespace ?? DEFAULT_NAMESPACE };
}
