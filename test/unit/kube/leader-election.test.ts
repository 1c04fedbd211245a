import assert from 'node:assert/strict';
import { isBobError } from '../../../src/shared/index.ts';
import { createLeaderElector, toLeaseClaim, type LeaseClient, type ObservedLease } from '../../../src/kube/index.ts';

const NOW = Date.UTC(2024, 4, 1, 10, 0, 0);
const observed = (spec: ObservedLease['spec'], observedAtMs: number): ObservedLease => ({ spec, resourceVersion: '5', observedAtMs });

describe('kube/leader-election (claim rules)', () => {
  it('creates a fresh Lease with six-digit times', () => {
    assert.deepEqual(toLeaseClaim(undefined, 'me', NOW, 15_000), {
      holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: '2024-05-01T10:00:00.000000Z', renewTime: '2024-05-01T10:00:00.000000Z', leaseTransitions: 0,
    });
  });

  it('waits while another holder\'s record is younger than its duration, by the local observation time', () => {
    const other = { holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: '1999-01-01T00:00:00.000000Z', leaseTransitions: 2 };
    // renewTime is ancient, but this process saw the record only 14 s ago: skew must not matter.
    assert.equal(toLeaseClaim(observed(other, NOW - 14_000), 'me', NOW, 15_000), undefined);
    const claim = toLeaseClaim(observed(other, NOW - 15_000), 'me', NOW, 15_000);
    assert.equal(claim?.holderIdentity, 'me');
    assert.equal(claim.leaseTransitions, 3);
    assert.equal(claim.acquireTime, '2024-05-01T10:00:00.000000Z');
  });

  it('takes a released Lease at once', () => {
    const claim = toLeaseClaim(observed({ leaseDurationSeconds: 1, leaseTransitions: 4 }, NOW), 'me', NOW, 15_000);
    assert.equal(claim?.holderIdentity, 'me');
    assert.equal(claim.leaseTransitions, 5);
  });

  it('renews its own Lease keeping acquireTime and transitions', () => {
    const mine = { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: '2024-05-01T09:00:00.000000Z', renewTime: '2024-05-01T09:59:58.000000Z', leaseTransitions: 4 };
    assert.deepEqual(toLeaseClaim(observed(mine, NOW), 'me', NOW, 15_000), { ...mine, renewTime: '2024-05-01T10:00:00.000000Z' });
  });

  it('refuses timings where the leader could outlive its lease', () => {
    const leases = {} as LeaseClient;
    const base = { leases, namespace: 'n', name: 'l', identity: 'me', onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
    assert.throws(() => createLeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), (e) => isBobError(e, 'KUBE_CONFIG_INVALID'));
    assert.throws(() => createLeaderElector({ ...base, renewDeadlineMs: 2000, retryPeriodMs: 2000 }), (e) => isBobError(e, 'KUBE_CONFIG_INVALID'));
  });
});
