/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-node has none:
 * reliability.md §4.3). The algorithm is client-go's:
 * - a candidate takes the Lease when it is free (no holder: released) or
 *   when its record has not changed for leaseDuration *as measured by this
 *   process's clock since it first saw that record* — never by comparing
 *   renewTime with the local clock, so clock skew cannot hand out two leases;
 * - every write carries the resourceVersion it read; 409 means someone else
 *   wrote first and this round is lost;
 * - the leader renews every retryPeriod and gives up leading when it has not
 *   renewed for renewDeadline (< leaseDuration), i.e. before anyone else may
 *   take over;
 * - on shutdown it clears holderIdentity so a successor starts at once
 *   (Flux's --leader-election-release-on-cancel).
 * After leadership ends run() returns; the process should then exit, as Flux
 * does, because a former leader's in-memory state is not to be trusted.
 */
import { createSystemClock, type Clock } from '../shared/index.ts';
import { isConflict, isNotFound, kubeError } from './errors.ts';
import type { LeaseClient, LeaseRecord, LeaseSpec } from './lease-client.ts';
import { isAborted } from './objects.ts';
import { toMicroTime } from './micro-time.ts';

export interface LeaderElectorOptions {
  readonly leases: LeaseClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique per replica, e.g. the pod name plus a random suffix. */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Called once leadership is won; `signal` aborts when it ends. Must not block. */
  readonly onStartedLeading: (signal: AbortSignal) => void;
  /** Called once leadership ends; awaited before the Lease is released, so work can wind down first. */
  readonly onStoppedLeading: () => void | Promise<void>;
  /** Failed rounds, for logs. */
  readonly onError?: (error: unknown) => void;
}

export interface LeaderElector {
  /** Campaigns, leads, and returns when leadership ends (lost, or `signal` aborted). */
  run(signal: AbortSignal): Promise<void>;
  isLeader(): boolean;
}

/** What this candidate last saw, and when (by its own clock). */
export interface ObservedLease {
  readonly spec: LeaseSpec;
  readonly resourceVersion: string;
  readonly observedAtMs: number;
}

/**
 * The spec to write to take or keep the Lease, or undefined while another
 * holder's Lease is still valid. `observed` is undefined when no Lease exists.
 */
export function toLeaseClaim(
  observed: ObservedLease | undefined, identity: string, nowMs: number, leaseDurationMs: number,
): LeaseSpec | undefined {
  const durationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
  const now = toMicroTime(nowMs);
  if (observed === undefined) {
    return { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
  }
  const holder = observed.spec.holderIdentity ?? '';
  const heldForMs = (observed.spec.leaseDurationSeconds ?? durationSeconds) * 1000;
  if (holder !== '' && holder !== identity && observed.observedAtMs + heldForMs > nowMs) return undefined;
  const transitions = observed.spec.leaseTransitions ?? 0;
  if (holder === identity) {
    return { ...observed.spec, holderIdentity: identity, leaseDurationSeconds: durationSeconds, renewTime: now, leaseTransitions: transitions };
  }
  return { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: transitions + 1 };
}

/** An elector; nothing happens before run(). */
export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2000;
  // client-go's checks: a leader must give up before its lease can expire, and retry several times before that.
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs * 1.2 && retryPeriodMs > 0)) {
    throw kubeError('KUBE_CONFIG_INVALID', 'leader election needs leaseDuration > renewDeadline > 1.2 * retryPeriod > 0');
  }
  const clock = options.clock ?? createSystemClock();
  const random = options.random ?? Math.random;
  const { leases, namespace, name, identity } = options;
  let observed: ObservedLease | undefined;
  let leading = false;

  const remember = (record: LeaseRecord): void => {
    const same = observed?.resourceVersion === record.resourceVersion;
    if (!same) observed = { spec: record.spec, resourceVersion: record.resourceVersion, observedAtMs: clock.now() };
  };

  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // A failing logger must not end leadership.
    }
  };

  /** One round: true when this candidate holds the Lease afterwards. */
  const tryAcquireOrRenew = async (signal: AbortSignal): Promise<boolean> => {
    let current: LeaseRecord | undefined;
    try {
      current = await leases.get(namespace, name, signal);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (current === undefined) {
      const claim = toLeaseClaim(undefined, identity, clock.now(), leaseDurationMs);
      if (claim === undefined) return false;
      try {
        remember(await leases.create(namespace, name, claim, signal));
        return true;
      } catch (error) {
        if (isConflict(error)) return false;
        throw error;
      }
    }
    remember(current);
    const claim = observed === undefined ? undefined : toLeaseClaim(observed, identity, clock.now(), leaseDurationMs);
    if (claim === undefined) return false;
    try {
      remember(await leases.update(namespace, name, claim, current.resourceVersion, signal));
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  };

  const release = async (): Promise<void> => {
    // The shutdown signal has already fired; the release gets its own short deadline.
    const signal = AbortSignal.timeout(renewDeadlineMs);
    try {
      const current = await leases.get(namespace, name, signal);
      if (current.spec.holderIdentity !== identity) return;
      const now = toMicroTime(clock.now());
      const spec: LeaseSpec = { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.spec.leaseTransitions ?? 0 };
      await leases.update(namespace, name, spec, current.resourceVersion, signal);
    } catch (error) {
      report(error);
    }
  };

  const jittered = (): number => retryPeriodMs * (1 + 0.2 * random());

  return {
    isLeader: () => leading,
    async run(signal) {
      // Campaign.
      for (;;) {
        if (isAborted(signal)) return;
        try {
          if (await tryAcquireOrRenew(signal)) break;
        } catch (error) {
          if (!isAborted(signal)) report(error);
        }
        await clock.sleep(jittered(), signal).catch(() => undefined);
      }
      // Lead.
      leading = true;
      const leadership = new AbortController();
      try {
        options.onStartedLeading(leadership.signal);
      } catch (error) {
        report(error);
      }
      let lastRenewMs = clock.now();
      while (!isAborted(signal)) {
        await clock.sleep(retryPeriodMs, signal).catch(() => undefined);
        if (isAborted(signal)) break;
        const left = renewDeadlineMs - (clock.now() - lastRenewMs);
        let renewed = false;
        if (left > 0) {
          try {
            renewed = await tryAcquireOrRenew(AbortSignal.any([signal, AbortSignal.timeout(left)]));
          } catch (error) {
            if (!isAborted(signal)) report(error);
          }
        }
        if (renewed) {
          lastRenewMs = clock.now();
          continue;
        }
        if (isAborted(signal)) break;
        // Someone else holds it now, or the deadline passed: stop before the Lease can be taken.
        const lostToOther = observed?.spec.holderIdentity !== undefined && observed.spec.holderIdentity !== identity;
        if (lostToOther || clock.now() - lastRenewMs >= renewDeadlineMs) {
          report(kubeError('KUBE_CONFLICT', `lost leader lease ${namespace}/${name}`));
          break;
        }
      }
      leading = false;
      leadership.abort(kubeError('KUBE_ABORTED', 'leadership ended'));
      try {
        await options.onStoppedLeading();
      } catch (error) {
        report(error);
      }
      if (isAborted(signal)) await release();
    },
  };
}
