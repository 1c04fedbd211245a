import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isBobError } from '../../../src/shared/index.ts';
import { loadKubeConfig } from '../../../src/kube/index.ts';

const kubeconfig = (server: string, context: string, token = 'abc'): string => [
  'apiVersion: v1', 'kind: Config',
  `clusters: [{name: c-${context}, cluster: {server: "${server}"}}]`,
  `users: [{name: u-${context}, user: {token: ${token}}}]`,
  `contexts: [{name: ${context}, context: {cluster: c-${context}, user: u-${context}, namespace: ns-${context}}}]`,
  `current-context: ${context}`, '',
].join('\n');

describe('kube/kube-config', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'bob-kubeconfig-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('prefers the explicit path over KUBECONFIG', () => {
    const explicit = file('explicit', kubeconfig('https://explicit:6443', 'one'));
    const fromEnv = file('env', kubeconfig('https://env:6443', 'two'));
    const config = loadKubeConfig({ kubeconfigPath: explicit, env: { KUBECONFIG: fromEnv } });
    assert.equal(config.getCurrentCluster()?.server, 'https://explicit:6443');
  });

  it('merges the files in KUBECONFIG, the first one\'s current-context winning, and switches context on request', () => {
    const first = file('first', kubeconfig('https://first:6443', 'one'));
    const second = file('second', kubeconfig('https://second:6443', 'two'));
    const env = { KUBECONFIG: [join(dir, 'missing'), first, second].join(delimiter) };
    assert.equal(loadKubeConfig({ env }).getCurrentCluster()?.server, 'https://first:6443');
    assert.equal(loadKubeConfig({ env, context: 'two' }).getCurrentCluster()?.server, 'https://second:6443');
  });

  it('falls back to ~/.kube/config', () => {
    mkdirSync(join(dir, '.kube'));
    file('.kube/config', kubeconfig('https://home:6443', 'home'));
    assert.equal(loadKubeConfig({ env: { HOME: dir } }).getCurrentCluster()?.server, 'https://home:6443');
  });

  it('refuses a missing configuration, a missing context and a server that is not http(s)', () => {
    const stalls = (error: unknown): boolean => isBobError(error, 'KUBE_CONFIG_INVALID') && error.errorClass === 'stalling';
    assert.throws(() => loadKubeConfig({ env: { HOME: dir } }), stalls);
    assert.throws(() => loadKubeConfig({ env: { KUBECONFIG: join(dir, 'nope') } }), stalls);
    const ok = file('ok', kubeconfig('https://ok:6443', 'one'));
    assert.throws(() => loadKubeConfig({ kubeconfigPath: ok, context: 'other' }), stalls);
    const bad = file('bad', kubeconfig('ftp://x', 'one'));
    assert.throws(() => loadKubeConfig({ kubeconfigPath: bad }), stalls);
  });

  it('does not quote a broken kubeconfig (it may hold tokens)', () => {
    const broken = file('broken', 'users: [{name: u, user: {token: sekr3t-t0ken}\n  : : :\n');
    assert.throws(() => loadKubeConfig({ kubeconfigPath: broken }), (error) => {
      assert.ok(isBobError(error, 'KUBE_CONFIG_INVALID'));
      assert.match(error.message, /cannot be loaded/);
      assert.doesNotMatch(error.message, /sekr3t/);
      assert.equal(error.cause, undefined);
      return true;
    });
  });
});
