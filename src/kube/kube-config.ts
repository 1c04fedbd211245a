/**
 * Where the controller's API credentials come from, in kubectl's order: an
 * explicit kubeconfig file, else the files in KUBECONFIG, else the pod's
 * service account (in-cluster), else ~/.kube/config. The environment is an
 * argument so nothing reads process.env at module scope (house rule 7).
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeError } from './errors.ts';

export interface KubeConfigOptions {
  /** A kubeconfig file; wins over everything else. */
  readonly kubeconfigPath?: string;
  /** A context of the kubeconfig other than its current-context. */
  readonly context?: string;
  /** The process environment (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The loaded kubeconfig, with a current cluster whose server is an http(s) URL. */
export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const config = new KubeConfig();
  const fromEnv = (env['KUBECONFIG'] ?? '').split(delimiter).filter((file) => file !== '');
  const home = env['HOME'];
  if (options.kubeconfigPath !== undefined) {
    loadFile(config, options.kubeconfigPath);
  } else if (fromEnv.length > 0) {
    const [first, ...rest] = fromEnv.filter((file) => existsSync(file));
    if (first === undefined) throw kubeError('KUBE_CONFIG_INVALID', 'none of the files in KUBECONFIG exists');
    loadFile(config, first);
    for (const file of rest) {
      const next = new KubeConfig();
      loadFile(next, file);
      config.mergeConfig(next, true);
    }
  } else if (env['KUBERNETES_SERVICE_HOST'] !== undefined && env['KUBERNETES_SERVICE_HOST'] !== '') {
    config.loadFromCluster();
  } else if (home !== undefined && existsSync(join(home, '.kube', 'config'))) {
    loadFile(config, join(home, '.kube', 'config'));
  } else {
    throw kubeError('KUBE_CONFIG_INVALID', 'no kubeconfig: pass a path, set KUBECONFIG, or run in a pod');
  }
  if (options.context !== undefined) {
    if (config.getContextObject(options.context) === null) {
      throw kubeError('KUBE_CONFIG_INVALID', `kubeconfig has no context "${options.context}"`);
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw kubeError('KUBE_CONFIG_INVALID', 'kubeconfig has no current cluster');
  if (!/^https?:\/\//.test(cluster.server)) {
    throw kubeError('KUBE_CONFIG_INVALID', `kubeconfig cluster "${cluster.name}" has no http(s) server URL`);
  }
  return config;
}

function loadFile(config: KubeConfig, file: string): void {
  try {
    config.loadFromFile(file);
  } catch (error) {
    // The parser's message quotes the file, and kubeconfigs hold tokens: keep only the error's name.
    const kind = error instanceof Error ? error.name : 'error';
    throw kubeError('KUBE_CONFIG_INVALID', `kubeconfig ${file} cannot be loaded (${kind})`);
  }
}
