import assert from 'node:assert/strict';
import {
  BOB_REPORTING_CONTROLLER, capNote, toEventBody, toEventName, toSeriesKey, toSeriesPatch, type EventRegarding,
} from '../../../src/kube/index.ts';

const regarding: EventRegarding = {
  apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository', name: 'honey', namespace: 'default', uid: 'u-1', resourceVersion: '7',
};
const NOW = Date.UTC(2024, 4, 1, 10, 0, 0, 5);

describe('kube/event-body', () => {
  it('builds an events.k8s.io/v1 Event with a six-digit eventTime and the regarding object', () => {
    const body = toEventBody(regarding, {
      type: 'Normal', reason: 'NewArtifact', note: 'stored artifact', action: 'Reconcile',
      annotations: { 'source.k8sstormcenter.io/revision': 'stable@sha256:00' },
    }, { reportingController: BOB_REPORTING_CONTROLLER, reportingInstance: 'pod-1' }, 'honey.1', NOW);
    assert.deepEqual(body, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'honey.1', namespace: 'default', annotations: { 'source.k8sstormcenter.io/revision': 'stable@sha256:00' } },
      eventTime: '2024-05-01T10:00:00.005000Z',
      reportingController: 'source.k8sstormcenter.io/bob-controller',
      reportingInstance: 'pod-1',
      action: 'Reconcile',
      reason: 'NewArtifact',
      note: 'stored artifact',
      type: 'Normal',
      regarding: { apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository', name: 'honey', namespace: 'default', uid: 'u-1', resourceVersion: '7' },
    });
  });

  it('caps the note at 1024 UTF-8 bytes on a character boundary', () => {
    assert.equal(capNote('short'), 'short');
    const exact = 'a'.repeat(1024);
    assert.equal(capNote(exact), exact);
    const capped = capNote('a'.repeat(2000));
    assert.equal(Buffer.byteLength(capped), 1024);
    assert.ok(capped.endsWith('...'));
    // 3-byte characters must not be cut in half.
    const wide = capNote('€'.repeat(500));
    assert.ok(Buffer.byteLength(wide) <= 1024);
    assert.equal(wide, `${'€'.repeat(340)}...`);
  });

  it('names events uniquely within 253 characters', () => {
    const a = toEventName('honey', NOW, () => 0.1);
    const b = toEventName('honey', NOW, () => 0.2);
    assert.match(a, /^honey\.[0-9a-f]+$/);
    assert.notEqual(a, b);
    assert.ok(toEventName('x'.repeat(253), NOW, () => 0.5).length <= 253);
  });

  it('builds the series patch with count and a six-digit lastObservedTime', () => {
    assert.deepEqual(toSeriesPatch(3, NOW), { series: { count: 3, lastObservedTime: '2024-05-01T10:00:00.005000Z' } });
    assert.deepEqual(toSeriesPatch(2, NOW, { k: 'v' }), {
      series: { count: 2, lastObservedTime: '2024-05-01T10:00:00.005000Z' }, metadata: { annotations: { k: 'v' } },
    });
  });

  it('keys a series by object, type, reason and note', () => {
    const base = { type: 'Warning', reason: 'OCIArtifactPullFailed', note: 'pull failed' } as const;
    const key = toSeriesKey(regarding, base);
    assert.equal(toSeriesKey({ ...regarding, resourceVersion: '8' }, base), key, 'a new resourceVersion is the same object');
    assert.notEqual(toSeriesKey({ ...regarding, uid: 'u-2' }, base), key);
    assert.notEqual(toSeriesKey(regarding, { ...base, type: 'Normal' }), key);
    assert.notEqual(toSeriesKey(regarding, { ...base, reason: 'VerificationError' }), key);
    assert.notEqual(toSeriesKey(regarding, { ...base, note: 'pull failed again' }), key);
  });
});
