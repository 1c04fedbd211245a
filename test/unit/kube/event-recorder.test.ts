// The recorder's series bookkeeping over an in-process KubeTransport (the
// seam it takes); the real API server is exercised in
// test/integration/kube/events.test.ts.
import assert from 'node:assert/strict';
import { createSystemClock } from '../../../src/shared/index.ts';
import { createEventRecorder, toKubeError, type KubeRequest, type KubeTransport } from '../../../src/kube/index.ts';

const regarding = { apiVersion: 'v1', kind: 'OCIRepository', name: 'honey', namespace: 'ns', uid: 'u' };
const input = { type: 'Warning', reason: 'OCIArtifactPullFailed', action: 'Reconcile', note: 'pull failed' } as const;

function recordingTransport(failPatchWith?: number): { transport: KubeTransport; requests: KubeRequest[] } {
  const requests: KubeRequest[] = [];
  return {
    requests,
    transport: {
      request: (request) => {
        requests.push(request);
        if (request.method === 'PATCH' && failPatchWith !== undefined) return Promise.reject(toKubeError(failPatchWith, undefined, request.operation));
        return Promise.resolve({});
      },
      stream: () => Promise.reject(new Error('unused')),
    },
  };
}

describe('kube/event-recorder', () => {
  const system = createSystemClock();
  const clock = (times: number[]) => ({ now: () => times[0] ?? 0, sleep: (ms: number, signal?: AbortSignal) => system.sleep(ms, signal) });

  it('creates once, then patches the series count for repeats', async () => {
    const { transport, requests } = recordingTransport();
    const now = [Date.UTC(2024, 0, 1)];
    const recorder = createEventRecorder({ transport, reportingInstance: 'pod', clock: clock(now), random: () => 0.5 });
    await recorder.record(regarding, input, AbortSignal.timeout(1000));
    now[0] = (now[0] ?? 0) + 1000;
    await recorder.record(regarding, input, AbortSignal.timeout(1000));
    await recorder.record(regarding, input, AbortSignal.timeout(1000));
    const name = (requests[0]?.body as { metadata: { name: string } }).metadata.name;
    assert.match(name, /^honey\.[0-9a-f]+$/);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [
      'POST /apis/events.k8s.io/v1/namespaces/ns/events',
      `PATCH /apis/events.k8s.io/v1/namespaces/ns/events/${name}`,
      `PATCH /apis/events.k8s.io/v1/namespaces/ns/events/${name}`,
    ]);
    assert.equal(requests[1]?.contentType, 'application/merge-patch+json');
    assert.deepEqual(requests[1].body, { series: { count: 2, lastObservedTime: '2024-01-01T00:00:01.000000Z' } });
    assert.deepEqual(requests[2]?.body, { series: { count: 3, lastObservedTime: '2024-01-01T00:00:01.000000Z' } });
  });

  it('starts a new Event when the old one has expired on the server', async () => {
    const { transport, requests } = recordingTransport(404);
    const recorder = createEventRecorder({ transport, reportingInstance: 'pod', clock: clock([0]) });
    await recorder.record(regarding, input, AbortSignal.timeout(1000));
    await recorder.record(regarding, input, AbortSignal.timeout(1000));
    assert.deepEqual(requests.map((r) => r.method), ['POST', 'PATCH', 'POST']);
  });

  it('passes other failures to the caller', async () => {
    const { transport } = recordingTransport(403);
    const recorder = createEventRecorder({ transport, reportingInstance: 'pod', clock: clock([0]) });
    await recorder.record(regarding, input, AbortSignal.timeout(1000));
    await assert.rejects(recorder.record(regarding, input, AbortSignal.timeout(1000)), (e) => e instanceof Error && (e as { code?: string }).code === 'KUBE_FORBIDDEN');
  });
});
