// The informer against the real kube-apiserver: adds, updates and deletes
// arrive through the watch; a watch answered with 410 Gone (a resource
// version older than the API server's watch history) re-lists and emits
// exactly what changed while nobody was watching.
import assert from 'node:assert/strict';
import { isBobError } from '../../../src/shared/index.ts';
import {
  createInformer, createKubeClients, type CustomObjectClient, type Informer, type InformerEvent, type WatchEvent,
} from '../../../src/kube/index.ts';
import { kubeFixture, OCI_REPOSITORIES, type KubeFixture, type OciRepositoryObject } from './support.ts';

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('kube informer (real kube-apiserver)', function () {
  this.timeout(120_000);
  let fixture: KubeFixture;
  let repos: CustomObjectClient<OciRepositoryObject>;
  const informers: Informer<OciRepositoryObject>[] = [];

  before(async () => {
    fixture = await kubeFixture('kube-informer');
    repos = createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig }).customObjects<OciRepositoryObject>(OCI_REPOSITORIES);
  });

  after(async () => {
    await Promise.all(informers.map((informer) => informer.stop()));
  });

  it('lists what exists, then sees adds, updates and deletes', async () => {
    await fixture.createRepository('before');
    const events: InformerEvent<OciRepositoryObject>[] = [];
    const errors: unknown[] = [];
    const informer = createInformer<OciRepositoryObject>({
      list: (signal) => repos.list({ namespace: fixture.namespace, signal }),
      watch: (options, signal) => repos.watch({ ...options, namespace: fixture.namespace }, signal),
      onEvent: (event) => events.push(event),
      onError: (error) => errors.push(error),
    });
    informers.push(informer);
    informer.start();
    await informer.waitForSync(AbortSignal.timeout(30_000));
    assert.deepEqual(events.map((e) => `${e.type} ${e.key}`), [`added ${fixture.namespace}/before`]);

    await fixture.createRepository('during');
    await waitFor(() => events.length >= 2);
    await fixture.kubectl('label', 'ocirepository', 'during', '-n', fixture.namespace, 'team=blue');
    await waitFor(() => events.length >= 3);
    await fixture.kubectl('delete', 'ocirepository', 'before', '-n', fixture.namespace);
    await waitFor(() => events.length >= 4);
    assert.deepEqual(events.map((e) => `${e.type} ${e.key}`), [
      `added ${fixture.namespace}/before`,
      `added ${fixture.namespace}/during`,
      `updated ${fixture.namespace}/during`,
      `deleted ${fixture.namespace}/before`,
    ]);
    assert.equal(events[2]?.object.metadata.labels?.['team'], 'blue');
    assert.equal(events[2].previous?.metadata.labels, undefined);
    assert.deepEqual(informer.keys(), [`${fixture.namespace}/during`]);
    assert.equal(informer.get(`${fixture.namespace}/during`)?.metadata.labels?.['team'], 'blue');
    assert.deepEqual(errors, []);
  });

  it('recovers from 410 Gone by re-listing, with synthetic events for what it missed', async () => {
    // A namespace of its own, so the first test's objects do not appear here.
    const fixture = await kubeFixture('kube-gone');
    for (const name of ['kept', 'changed', 'removed']) await fixture.createRepository(name);
    const events: InformerEvent<OciRepositoryObject>[] = [];
    const watchErrors: unknown[] = [];
    const watchedFrom: string[] = [];
    let lists = 0;
    const informer = createInformer<OciRepositoryObject>({
      backoff: { baseMs: 10, maxMs: 20 },
      list: (signal) => {
        lists++;
        return repos.list({ namespace: fixture.namespace, signal });
      },
      watch: (options, signal) => ({
        async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<OciRepositoryObject>> {
          watchedFrom.push(options.resourceVersion);
          if (watchedFrom.length > 1) {
            yield* repos.watch({ ...options, namespace: fixture.namespace }, signal);
            return;
          }
          // Changes nobody watches...
          await fixture.kubectl('label', 'ocirepository', 'changed', '-n', fixture.namespace, 'moved=yes');
          await fixture.kubectl('delete', 'ocirepository', 'removed', '-n', fixture.namespace);
          await fixture.createRepository('appeared');
          // ...then a watch from a version the server no longer keeps: it answers 410 Gone.
          try {
            yield* repos.watch({ ...options, resourceVersion: '1', namespace: fixture.namespace }, signal);
          } catch (error) {
            watchErrors.push(error);
            throw error;
          }
        },
      }),
      onEvent: (event) => events.push(event),
    });
    informers.push(informer);
    informer.start();
    await waitFor(() => watchedFrom.length >= 2);
    assert.equal(watchErrors.length, 1);
    assert.ok(isBobError(watchErrors[0], 'KUBE_GONE'), String(watchErrors[0]));
    assert.match((watchErrors[0] as Error).message, /too old resource version/);
    assert.equal(lists, 2);
    const ns = fixture.namespace;
    const initial = events.filter((e) => e.type === 'added').slice(0, 3).map((e) => e.key).sort();
    assert.deepEqual(initial, [`${ns}/changed`, `${ns}/kept`, `${ns}/removed`]);
    // The re-list's differences (in list order, which is by name).
    assert.deepEqual(events.slice(3).map((e) => `${e.type} ${e.key}`), [
      `added ${ns}/appeared`,
      `updated ${ns}/changed`,
      `deleted ${ns}/removed`,
    ]);
    assert.equal(events[4]?.object.metadata.labels?.['moved'], 'yes');
    // The new watch starts from the re-list's version, not the expired one.
    assert.notEqual(watchedFrom[1], watchedFrom[0]);
    assert.deepEqual(informer.keys().sort(), [`${ns}/appeared`, `${ns}/changed`, `${ns}/kept`]);
    // And it is live: a later change arrives through the watch.
    await fixture.kubectl('delete', 'ocirepository', 'kept', '-n', ns);
    await waitFor(() => events.length >= 7);
    assert.equal(`${events[6]?.type ?? ''} ${events[6]?.key ?? ''}`, `deleted ${ns}/kept`);
  });
});
