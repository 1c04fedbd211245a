// The controller stopped in the middle of a pull and started again on the
// same storage: nothing partial is ever visible, the restarted controller
// finishes the job, and no staging file is left behind.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCI_REPOSITORY_RESOURCE, type RawObject } from '../../../src/controller/index.ts';
import { createKubeClients } from '../../../src/kube/index.ts';
import { runOperator } from '../../../src/operator.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { freePort } from '../../env/ports.ts';
import { kubeFixture } from '../kube/support.ts';
import { startTcpRelay } from './tcp-proxy.ts';

const sleep = async (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

/** Every file below `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('bob-controller restarted in the middle of a pull', function () {
  this.timeout(180_000);

  it('shows nothing partial, finishes after the restart and leaves no staging file', async () => {
    const fixture = await kubeFixture('restart');
    const reg = await registry({ kind: 'distribution' });
    const relay = await startTcpRelay(reg.host);
    relay.throttled = true;
    const home = scratchDir('operator-restart');
    const storage = join(home, 'storage');
    // Random text gzips poorly: a layer of a few MiB takes seconds through the throttled relay.
    const image = await pushTestImage(reg, home, 'restart/app', 'v1', randomBytes(3 * 1024 * 1024).toString('base64'));
    const objects = createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig }).customObjects<RawObject>(OCI_REPOSITORY_RESOURCE);
    const get = (): Promise<RawObject> => objects.get(fixture.namespace, 'app', { signal: AbortSignal.timeout(10_000) });

    const start = async (name: string): Promise<{ stop: () => Promise<number>; baseUrl: string }> => {
      const [metricsPort, healthPort, storagePort] = await Promise.all([freePort(), freePort(), freePort()]);
      const controller = new AbortController();
      const done = runOperator([
        '--kubeconfig', fixture.cluster.kubeconfig, '--namespace', fixture.namespace, '--storage-path', storage,
        '--storage-addr', `127.0.0.1:${String(storagePort)}`, '--storage-adv-addr', `127.0.0.1:${String(storagePort)}`,
        '--metrics-addr', `127.0.0.1:${String(metricsPort)}`, '--health-addr', `127.0.0.1:${String(healthPort)}`,
        '--min-retry-delay', '100ms', '--max-retry-delay', '1s',
      ], { env: { POD_NAME: name, TMPDIR: home }, signal: controller.signal, stdout: { write: () => true } });
      return { baseUrl: `http://127.0.0.1:${String(storagePort)}`, stop: async () => { controller.abort(); return done; } };
    };

    try {
      const first = await start('first');
      await fixture.kubectlInput(JSON.stringify({
        apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository',
        metadata: { name: 'app', namespace: fixture.namespace },
        spec: { interval: '10m', insecure: true, url: `oci://${relay.host}/restart/app`, ref: { tag: 'v1' } },
      }), 'apply', '-f', '-');
      // The layer is on its way (manifests and tokens are a few KiB): stop the controller mid-pull.
      await waitFor('the layer download to start', () => Promise.resolve(relay.bytesDown > 512 * 1024 ? true : undefined));
      assert.equal(await first.stop(), 0);
      const interrupted = await get();
      assert.equal((interrupted['status'] as { artifact?: unknown } | undefined)?.artifact, undefined, 'no artifact recorded');
      const visible = filesUnder(storage).filter((path) => !path.split('/').some((part) => part.startsWith('.tmp-')));
      assert.deepEqual(visible, [], `nothing but staging files may exist after the interruption: ${visible.join(', ')}`);

      relay.throttled = false;
      const second = await start('second');
      try {
        const ready = await waitFor('Ready after the restart', async () => {
          const object = await get();
          const status = object['status'] as { conditions?: { type: string; status: string }[]; artifact?: { digest: string; revision: string } } | undefined;
          return status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? status : undefined;
        });
        assert.equal(ready.artifact?.revision, `v1@${image.digest}`);
        const files = filesUnder(storage);
        const dir = `ocirepository/${fixture.namespace}/app`;
        assert.deepEqual(files.map((path) => path.replace(/[0-9a-f]{64}/, '<hex>')), [`${dir}/<hex>.tar.gz`, `${dir}/latest.tar.gz`]);
        const stored = files.find((path) => path.endsWith('.tar.gz') && !path.endsWith('latest.tar.gz')) ?? '';
        assert.equal(`sha256:${createHash('sha256').update(readFileSync(join(storage, stored))).digest('hex')}`, ready.artifact.digest);
      } finally {
        assert.equal(await second.stop(), 0);
      }
    } finally {
      await relay.stop();
    }
  });
});
