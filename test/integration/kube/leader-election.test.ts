// Leader election on a real coordination.k8s.io/v1 Lease: two candidates,
// one leader; a released Lease passes to the other candidate at once; an
// abandoned Lease passes once its duration has run out.
import assert from 'node:assert/strict';
import { createKubeClients, parseKubeTime, type KubeClients, type LeaderElector } from '../../../src/kube/index.ts';
import { kubeFixture, type KubeFixture } from './support.ts';

interface Candidate {
  readonly identity: string;
  readonly elector: LeaderElector;
  readonly stop: AbortController;
  readonly done: Promise<void>;
  leadership?: AbortSignal;
  stopped: boolean;
}

describe('kube leader election (real kube-apiserver)', function () {
  this.timeout(60_000);
  let fixture: KubeFixture;
  let clients: KubeClients;
  const candidates: Candidate[] = [];
  const log: string[] = [];

  before(async () => {
    fixture = await kubeFixture('kube-lease');
    clients = createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig });
  });

  after(async () => {
    for (const candidate of candidates) candidate.stop.abort();
    await Promise.all(candidates.map((candidate) => candidate.done));
  });

  const campaign = (identity: string, lease: string, timings: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }): Candidate => {
    const stop = new AbortController();
    const candidate: Partial<Candidate> & { stopped: boolean } = { identity, stop, stopped: false };
    const elector = clients.leaderElector({
      namespace: fixture.namespace, name: lease, identity, ...timings,
      onStartedLeading: (signal) => {
        candidate.leadership = signal;
        log.push(`${identity} leads`);
      },
      onStoppedLeading: () => {
        candidate.stopped = true;
        log.push(`${identity} stops`);
      },
    });
    const full = Object.assign(candidate, { elector, done: elector.run(stop.signal) }) as Candidate;
    candidates.push(full);
    return full;
  };

  const waitFor = async (condition: () => boolean): Promise<void> => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  const readLease = async (name: string) => (await clients.leases.get(fixture.namespace, name, AbortSignal.timeout(10_000))).spec;

  it('elects one of two candidates and hands over at once when the leader releases', async () => {
    // A long lease: a takeover within this test's timeout can only come from the release.
    const timings = { leaseDurationMs: 120_000, renewDeadlineMs: 60_000, retryPeriodMs: 300 };
    const a = campaign('candidate-a', 'bob-leader', timings);
    const b = campaign('candidate-b', 'bob-leader', timings);
    await waitFor(() => a.elector.isLeader() || b.elector.isLeader());
    const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
    const before = await readLease('bob-leader');
    assert.equal(before.holderIdentity, leader.identity);
    assert.equal(before.leaseDurationSeconds, 120);
    assert.equal(before.leaseTransitions, 0);
    assert.match(before.renewTime ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    assert.match(before.acquireTime ?? '', /\.\d{6}Z$/);
    // Renewals move renewTime forward while the follower keeps trying.
    const renewedFrom = parseKubeTime(before.renewTime ?? '') ?? 0;
    let renewed = before;
    while ((parseKubeTime(renewed.renewTime ?? '') ?? 0) <= renewedFrom) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      renewed = await readLease('bob-leader');
    }
    assert.equal(renewed.holderIdentity, leader.identity);
    assert.equal(follower.elector.isLeader(), false);

    leader.stop.abort();
    await leader.done;
    assert.equal(leader.stopped, true);
    assert.equal(leader.leadership?.aborted, true);
    await waitFor(() => follower.elector.isLeader());
    const after = await readLease('bob-leader');
    assert.equal(after.holderIdentity, follower.identity);
    assert.equal(after.leaseTransitions, 1);
    assert.deepEqual(log, [`${leader.identity} leads`, `${leader.identity} stops`, `${follower.identity} leads`]);
    follower.stop.abort();
    await follower.done;
    // Released on shutdown: nobody holds it now.
    assert.equal((await readLease('bob-leader')).holderIdentity, undefined);
  });

  it('takes over a lease its holder abandoned once the lease duration has passed', async () => {
    // A holder that crashed: it wrote the lease and never renewed it.
    const crashed = await clients.leases.create(fixture.namespace, 'abandoned', {
      holderIdentity: 'crashed-pod', leaseDurationSeconds: 2, leaseTransitions: 7,
      acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:00.000000Z',
    }, AbortSignal.timeout(10_000));
    assert.equal(crashed.spec.holderIdentity, 'crashed-pod');
    const startedAt = Date.now();
    const successor = campaign('successor', 'abandoned', { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 });
    await waitFor(() => successor.elector.isLeader());
    // A lower bound the algorithm guarantees: the successor first sees the record, then waits out its 2 s.
    assert.ok(Date.now() - startedAt >= 2000, 'took over before the abandoned lease expired');
    const lease = await readLease('abandoned');
    assert.equal(lease.holderIdentity, 'successor');
    assert.equal(lease.leaseTransitions, 8);
    assert.equal(lease.leaseDurationSeconds, 3);
    successor.stop.abort();
    await successor.done;
  });
});
