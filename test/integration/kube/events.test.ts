// Events through the real API server: events.k8s.io/v1 with six-digit
// MicroTimes, repeats folded into one Event's series, metadata as
// annotations, and kubectl describe showing them on the OCIRepository.
import assert from 'node:assert/strict';
import { createSystemClock } from '../../../src/shared/index.ts';
import { createKubeClients, type EventRecorder, type EventRegarding } from '../../../src/kube/index.ts';
import { GROUP, kubeFixture, OCI_REPOSITORIES, type KubeFixture, type OciRepositoryObject } from './support.ts';

interface StoredEvent {
  metadata: { name: string; annotations?: Record<string, string> };
  eventTime: string;
  reason: string;
  note: string;
  type: string;
  action: string;
  reportingController: string;
  reportingInstance: string;
  regarding: { uid: string; kind: string; name: string };
  series?: { count: number; lastObservedTime: string };
}

describe('kube events (real kube-apiserver)', function () {
  this.timeout(120_000);
  let fixture: KubeFixture;
  let regarding: EventRegarding;
  let recorder: EventRecorder;
  let now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);

  before(async () => {
    fixture = await kubeFixture('kube-events');
    const clients = createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig });
    await fixture.createRepository('honey');
    const repo = await clients.customObjects<OciRepositoryObject>(OCI_REPOSITORIES).get(fixture.namespace, 'honey', { signal: AbortSignal.timeout(30_000) });
    regarding = {
      apiVersion: `${GROUP}/v1alpha1`, kind: 'OCIRepository', name: 'honey', namespace: fixture.namespace,
      uid: repo.metadata.uid ?? '', resourceVersion: repo.metadata.resourceVersion ?? '',
    };
    // Time is the test's: the window is crossed by moving it, not by waiting.
    const system = createSystemClock();
    recorder = clients.eventRecorder({ reportingInstance: 'bob-controller-0', clock: { now: () => now, sleep: (ms, signal) => system.sleep(ms, signal) }, aggregationWindowMs: 5 * 60_000 });
  });

  const storedEvents = async (): Promise<StoredEvent[]> => {
    const json = await fixture.kubectl('get', 'events.events.k8s.io', '-n', fixture.namespace, '-o', 'json');
    return (JSON.parse(json) as { items: StoredEvent[] }).items;
  };

  it('writes an event with a six-digit eventTime, the regarding object and annotations', async () => {
    await recorder.record(regarding, {
      type: 'Normal', reason: 'NewArtifact', action: 'Reconcile',
      note: "stored artifact with revision 'stable@sha256:abc' from 'oci://registry.example.com/team/honey'",
      annotations: { [`${GROUP}/revision`]: 'stable@sha256:abc', [`${GROUP}/digest`]: 'sha256:def' },
    }, AbortSignal.timeout(30_000));
    const [event, ...rest] = await storedEvents();
    assert.equal(rest.length, 0);
    assert.ok(event !== undefined);
    assert.equal(event.eventTime, '2026-01-01T12:00:00.250000Z');
    assert.equal(event.reason, 'NewArtifact');
    assert.equal(event.type, 'Normal');
    assert.equal(event.action, 'Reconcile');
    assert.equal(event.reportingController, 'source.k8sstormcenter.io/bob-controller');
    assert.equal(event.reportingInstance, 'bob-controller-0');
    assert.equal(event.regarding.uid, regarding.uid);
    assert.equal(event.metadata.annotations?.[`${GROUP}/revision`], 'stable@sha256:abc');
    assert.equal(event.series, undefined);
  });

  it('folds repeats within the window into one Event series, and starts a new Event after it', async () => {
    const failure = { type: 'Warning', reason: 'OCIArtifactPullFailed', action: 'Reconcile', note: 'failed to pull artifact: connection refused' } as const;
    const signal = AbortSignal.timeout(30_000);
    await recorder.record(regarding, failure, signal);
    now += 60_000;
    await recorder.record(regarding, failure, signal);
    now += 60_000;
    // Concurrent repeats must still count one by one.
    await Promise.all([recorder.record(regarding, failure, signal), recorder.record(regarding, failure, signal)]);
    let warnings = (await storedEvents()).filter((e) => e.reason === 'OCIArtifactPullFailed');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.series?.count, 4);
    assert.equal(warnings[0].series.lastObservedTime, '2026-01-01T12:02:00.250000Z');
    // The first occurrence's time stays the Event's eventTime.
    assert.equal(warnings[0].eventTime, '2026-01-01T12:00:00.250000Z');

    // A different note is a different series.
    await recorder.record(regarding, { ...failure, note: 'failed to pull artifact: 503' }, signal);
    // Past the window: a new Event, not a fifth count.
    now += 6 * 60_000;
    await recorder.record(regarding, failure, signal);
    warnings = (await storedEvents()).filter((e) => e.reason === 'OCIArtifactPullFailed');
    assert.deepEqual(warnings.map((e) => [e.note, e.series?.count ?? 1]).sort(), [
      ['failed to pull artifact: 503', 1],
      ['failed to pull artifact: connection refused', 1],
      ['failed to pull artifact: connection refused', 4],
    ]);
  });

  it('shows the events in kubectl describe of the OCIRepository', async () => {
    const described = await fixture.kubectl('describe', 'ocirepository', 'honey', '-n', fixture.namespace);
    const events = described.slice(described.indexOf('Events:'));
    assert.match(events, /Normal\s+NewArtifact\s+.*stored artifact with revision 'stable@sha256:abc'/);
    assert.match(events, /Warning\s+OCIArtifactPullFailed\s+.*\(x4 over .*failed to pull artifact: connection refused/);
    assert.match(events, /Warning\s+OCIArtifactPullFailed\s+.*failed to pull artifact: 503/);
  });
});
