import assert from 'node:assert/strict';
import { isBobError } from '../../../src/shared/index.ts';
import { createManager } from '../../../src/runtime/index.ts';
import type { Component, Manager } from '../../../src/runtime/index.ts';
import { ManualClock, settle } from './manual-clock.ts';

type Behaviour = 'ok' | 'fail' | 'hang' | 'hang-until-abort';

/** A component that records its calls in `log`. */
function component(name: string, log: string[], behaviour: { start?: Behaviour; stop?: Behaviour } = {}): Component {
  const act = (phase: 'start' | 'stop', mode: Behaviour, signal?: AbortSignal): Promise<void> => {
    log.push(`${phase} ${name}`);
    switch (mode) {
      case 'ok': return Promise.resolve();
      case 'fail': return Promise.reject(new Error(`${name} ${phase} failed`));
      case 'hang': return new Promise<void>(() => undefined);
      case 'hang-until-abort': return new Promise<void>((_resolve, reject) => {
        signal?.addEventListener('abort', () => { reject(signal.reason as Error); }, { once: true });
      });
    }
  };
  return {
    name,
    start: (signal) => act('start', behaviour.start ?? 'ok', signal),
    stop: () => act('stop', behaviour.stop ?? 'ok'),
  };
}

function setup(stopTimeoutMs = 10_000): { manager: Manager; clock: ManualClock; log: string[] } {
  const clock = new ManualClock();
  return { manager: createManager({ clock, stopTimeoutMs }), clock, log: [] };
}

describe('runtime/manager', () => {
  it('starts in order, runs until shutdown, stops in reverse order', async () => {
    const { manager, log } = setup();
    for (const name of ['lease', 'informer', 'queue']) manager.add(component(name, log));
    const outcome = manager.run();
    await settle();
    assert.equal(manager.state, 'running');
    assert.deepEqual(log, ['start lease', 'start informer', 'start queue']);
    assert.equal(manager.signal.aborted, false);
    manager.shutdown('SIGTERM');
    manager.shutdown('SIGINT');
    assert.deepEqual(await outcome, { reason: 'SIGTERM', stopFailures: [], stopTimedOut: [] });
    assert.deepEqual(log.slice(3), ['stop queue', 'stop informer', 'stop lease']);
    assert.equal(manager.state, 'stopped');
    assert.ok(isBobError(manager.signal.reason, 'RUNTIME_SHUTDOWN'));
  });

  it('a start failure stops what was started (including the failed one) and skips the rest', async () => {
    const { manager, log } = setup();
    manager.add(component('a', log));
    manager.add(component('b', log, { start: 'fail' }));
    manager.add(component('c', log));
    const outcome = await manager.run();
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a']);
    assert.equal(outcome.reason, 'b failed to start');
    assert.equal(outcome.failedComponent, 'b');
    assert.match(String(outcome.error), /b start failed/);
  });

  it('a shutdown during a start that ignores its signal does not wait for it', async () => {
    const { manager, log } = setup();
    manager.add(component('a', log));
    manager.add(component('b', log, { start: 'hang' }));
    manager.add(component('c', log));
    const outcome = manager.run();
    await settle();
    assert.equal(manager.state, 'starting');
    manager.shutdown('SIGTERM');
    assert.deepEqual(await outcome, { reason: 'SIGTERM', stopFailures: [], stopTimedOut: [] });
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a']);
  });

  it('a start rejected by the shutdown abort is not reported as the failure', async () => {
    const { manager, log } = setup();
    manager.add(component('informer', log, { start: 'hang-until-abort' }));
    const outcome = manager.run();
    await settle();
    manager.shutdown('leadership lost', new Error('lease taken'));
    const result = await outcome;
    assert.equal(result.reason, 'leadership lost');
    assert.equal(result.failedComponent, undefined);
    assert.match(String(result.error), /lease taken/);
  });

  it('stops within one deadline: a hanging stop is reported, later stops still run', async () => {
    const { manager, clock, log } = setup(5_000);
    manager.add(component('a', log));
    manager.add(component('b', log, { stop: 'hang' }));
    manager.add(component('c', log, { stop: 'fail' }));
    const outcome = manager.run();
    await settle();
    manager.shutdown('SIGTERM');
    await settle();
    assert.deepEqual(log.slice(3), ['stop c', 'stop b']);
    await clock.advance(5_000);
    const result = await outcome;
    assert.deepEqual(log.slice(3), ['stop c', 'stop b', 'stop a']);
    assert.deepEqual(result.stopTimedOut, ['b', 'a']);
    assert.deepEqual(result.stopFailures.map((failure) => failure.name), ['c']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('cancels the deadline timer when everything stopped in time', async () => {
    const { manager, clock, log } = setup();
    manager.add(component('a', log));
    const outcome = manager.run();
    await settle();
    manager.shutdown('done');
    await outcome;
    assert.equal(clock.pendingTimers, 0);
  });

  it('a shutdown before run() starts nothing; add() and run() refuse later', async () => {
    const { manager, log } = setup();
    manager.add(component('a', log));
    manager.shutdown('early');
    assert.deepEqual(await manager.run(), { reason: 'early', stopFailures: [], stopTimedOut: [] });
    assert.deepEqual(log, []);
    assert.throws(() => { manager.add(component('b', log)); }, (error) => isBobError(error, 'RUNTIME_MANAGER_STATE'));
    await assert.rejects(manager.run(), (error) => isBobError(error, 'RUNTIME_MANAGER_STATE'));
  });
});
