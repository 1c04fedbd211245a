// The --events-addr forwarder against a real loopback HTTP server standing in
// for notification-controller (research/flux.md §3).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEventForwarder, toEventsUrl, toNotificationEvent, type EventForwarder, type EventForwarderOptions, type ForwardedEvent, type Logger,
} from '../../../src/runtime/index.ts';
import { createSystemClock, type Clock } from '../../../src/shared/index.ts';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: Record<string, unknown>;
}

type Respond = (res: ServerResponse, index: number) => void;

interface Receiver {
  readonly url: string;
  readonly received: Received[];
  respond: Respond;
  close(): Promise<void>;
}

async function startReceiver(respond: Respond = (res) => { res.writeHead(202).end(); }): Promise<Receiver> {
  const received: Received[] = [];
  const state = { respond };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      state.respond(res, received.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    get respond() { return state.respond; },
    set respond(value: Respond) { state.respond = value; },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

/** Sleeps return at once (recorded); time stands still at 2025-01-02T03:04:05.678Z. */
function instantClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.UTC(2025, 0, 2, 3, 4, 5, 678),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return signal?.aborted === true ? Promise.reject(signal.reason as Error) : Promise.resolve();
    },
  };
}

function recordingLogger(): Logger & { lines: { level: string; msg: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const logger = {
    lines,
    debug: (msg: string, fields: Record<string, unknown> = {}) => { lines.push({ level: 'debug', msg, fields }); },
    info: (msg: string, fields: Record<string, unknown> = {}) => { lines.push({ level: 'info', msg, fields }); },
    error: (msg: string, fields: Record<string, unknown> = {}) => { lines.push({ level: 'error', msg, fields }); },
    child: () => logger,
    enabled: () => true,
  };
  return logger;
}

const SUBJECT = {
  apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository', namespace: 'apps', name: 'podinfo',
  uid: '5f0c1a2b-0000-4000-8000-000000000001', resourceVersion: '4242',
};

function event(overrides: Partial<ForwardedEvent> = {}): ForwardedEvent {
  return {
    involvedObject: SUBJECT, type: 'Normal', reason: 'NewArtifact',
    message: "stored artifact with revision 'v1@sha256:aa' from 'oci://r/app'",
    metadata: { 'source.k8sstormcenter.io/revision': 'v1@sha256:aa', 'source.k8sstormcenter.io/digest': 'sha256:bb' },
    ...overrides,
  };
}

describe('runtime: event forwarding to notification-controller', function () {
  this.timeout(20_000);
  let receiver: Receiver;
  let forwarder: EventForwarder | undefined;
  let clock: ReturnType<typeof instantClock>;
  let logger: ReturnType<typeof recordingLogger>;

  const start = (options: Partial<EventForwarderOptions> = {}): EventForwarder => {
    forwarder = createEventForwarder({
      address: receiver.url, reportingController: 'bob-controller', reportingInstance: 'bob-0', clock, logger, random: () => 0.5, ...options,
    });
    return forwarder;
  };

  beforeEach(async () => {
    receiver = await startReceiver();
    clock = instantClock();
    logger = recordingLogger();
  });
  afterEach(async () => {
    await forwarder?.close({ graceMs: 0 });
    forwarder = undefined;
    await receiver.close();
  });

  it('POSTs Flux\'s eventv1.Event JSON: involved object, info severity, RFC 3339 seconds, metadata plus the object\'s event.toolkit.fluxcd.io annotations', async () => {
    const f = start();
    assert.equal(f.forward(event({
      objectAnnotations: { 'event.toolkit.fluxcd.io/team': 'payments', 'other.example/ignored': 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    })), true);
    await f.idle();
    assert.equal(receiver.received.length, 1);
    const [got] = receiver.received;
    assert.equal(got?.method, 'POST');
    assert.equal(got.url, '/');
    assert.equal(got.contentType, 'application/json');
    assert.deepEqual(got.body, {
      involvedObject: {
        kind: 'OCIRepository', namespace: 'apps', name: 'podinfo', uid: '5f0c1a2b-0000-4000-8000-000000000001',
        apiVersion: 'source.k8sstormcenter.io/v1alpha1', resourceVersion: '4242',
      },
      severity: 'info',
      timestamp: '2025-01-02T03:04:05Z',
      message: "stored artifact with revision 'v1@sha256:aa' from 'oci://r/app'",
      reason: 'NewArtifact',
      metadata: {
        'source.k8sstormcenter.io/revision': 'v1@sha256:aa', 'source.k8sstormcenter.io/digest': 'sha256:bb', 'event.toolkit.fluxcd.io/team': 'payments',
      },
      reportingController: 'bob-controller',
      reportingInstance: 'bob-0',
    });
    // Field order as Go marshals the struct.
    assert.deepEqual(Object.keys(got.body), ['involvedObject', 'severity', 'timestamp', 'message', 'reason', 'metadata', 'reportingController', 'reportingInstance']);
    assert.deepEqual(f.stats, { delivered: 1, duplicates: 0, failed: 0, dropped: 0, abandoned: 0 });
  });

  it('maps Warning to severity error and Normal to info, leaves out empty metadata, and never POSTs Trace events', async () => {
    const f = start();
    assert.equal(f.forward(event({ type: 'Warning', reason: 'OCIArtifactPullFailed', message: 'failed to pull', metadata: {} })), true);
    assert.equal(f.forward(event({ type: 'Trace', reason: 'ArtifactUpToDate' })), false);
    assert.equal(f.forward(event({ reason: 'Succeeded' })), true);
    await f.idle();
    assert.deepEqual(receiver.received.map((r) => [r.body['reason'], r.body['severity']]), [['OCIArtifactPullFailed', 'error'], ['Succeeded', 'info']]);
    assert.equal('metadata' in (receiver.received[0]?.body ?? {}), false);
    assert.equal(f.stats.dropped, 0, 'a Trace event is not a drop');
  });

  it('retries a 503 with backoff until it is accepted', async () => {
    receiver.respond = (res, index) => { res.writeHead(index < 2 ? 503 : 202).end('busy'); };
    const f = start();
    f.forward(event());
    await f.idle();
    assert.equal(receiver.received.length, 3);
    assert.deepEqual(receiver.received[2]?.body, receiver.received[0]?.body, 'the same body each time');
    // Equal jitter at random 0.5: 3/4 of 1 s, then of 2 s.
    assert.deepEqual(clock.sleeps, [750, 1500]);
    assert.deepEqual(f.stats, { delivered: 1, duplicates: 0, failed: 0, dropped: 0, abandoned: 0 });
  });

  it('takes 429 as "duplicate": no retry, no error', async () => {
    receiver.respond = (res) => { res.writeHead(429).end(); };
    const f = start();
    f.forward(event());
    await f.idle();
    assert.equal(receiver.received.length, 1);
    assert.deepEqual(clock.sleeps, []);
    assert.deepEqual(f.stats, { delivered: 0, duplicates: 1, failed: 0, dropped: 0, abandoned: 0 });
    assert.equal(logger.lines.filter((l) => l.level === 'error').length, 0);
  });

  it('gives up on a 400 at once and after the last attempt of 5xx, logging each without the URL query', async () => {
    const f = start({ address: `${receiver.url}hook?token=s3cret`, maxAttempts: 3 });
    receiver.respond = (res) => { res.writeHead(400).end(); };
    f.forward(event({ reason: 'Bad' }));
    await f.idle();
    receiver.respond = (res) => { res.writeHead(500).end(); };
    f.forward(event({ reason: 'Down' }));
    await f.idle();
    assert.deepEqual(receiver.received.map((r) => [r.url, r.body['reason']]), [
      ['/hook?token=s3cret', 'Bad'], ['/hook?token=s3cret', 'Down'], ['/hook?token=s3cret', 'Down'], ['/hook?token=s3cret', 'Down'],
    ]);
    assert.deepEqual(f.stats, { delivered: 0, duplicates: 0, failed: 2, dropped: 0, abandoned: 0 });
    const errors = logger.lines.filter((l) => l.msg === 'forwarding event failed');
    assert.deepEqual(errors.map((l) => [l.fields['reason'], l.fields['attempts'], l.fields['error']]), [['Bad', 1, 'HTTP 400'], ['Down', 3, 'HTTP 500']]);
    assert.equal(JSON.stringify(logger.lines).includes('s3cret'), false);
  });

  it('retries connection errors, bounded by maxAttempts', async () => {
    const closed = receiver.url;
    await receiver.close();
    receiver = await startReceiver();
    const f = start({ address: closed, maxAttempts: 3 });
    f.forward(event());
    await f.idle();
    assert.deepEqual(f.stats, { delivered: 0, duplicates: 0, failed: 1, dropped: 0, abandoned: 0 });
    assert.deepEqual(clock.sleeps, [750, 1500]);
    assert.match(String(logger.lines.find((l) => l.msg === 'forwarding event failed')?.fields['error']), /ECONNREFUSED/);
  });

  it('retries a POST that gets no answer within the timeout', async () => {
    receiver.respond = (res, index) => { if (index > 0) res.writeHead(202).end(); };
    const f = start({ timeoutMs: 100 });
    f.forward(event());
    await f.idle();
    assert.equal(receiver.received.length, 2);
    assert.deepEqual(f.stats, { delivered: 1, duplicates: 0, failed: 0, dropped: 0, abandoned: 0 });
  });

  it('drops (and counts) events beyond the queue bound while the receiver is slow, sending the rest in order', async () => {
    const held: ServerResponse[] = [];
    receiver.respond = (res) => { held.push(res); };
    const f = start({ queueSize: 2 });
    // The first goes in flight at once; two wait; the fourth does not fit.
    const accepted = ['A', 'B', 'C', 'D'].map((reason) => f.forward(event({ reason })));
    assert.deepEqual(accepted, [true, true, true, false]);
    assert.equal(f.stats.dropped, 1);
    assert.ok(logger.lines.some((l) => l.msg === 'event queue full, event not forwarded' && l.fields['reason'] === 'D'));
    while (held.length === 0) await new Promise((resolve) => { setImmediate(resolve); });
    receiver.respond = (res) => { res.writeHead(202).end(); };
    held[0]?.writeHead(202).end();
    await f.idle();
    assert.deepEqual(receiver.received.map((r) => r.body['reason']), ['A', 'B', 'C']);
    assert.deepEqual(f.stats, { delivered: 3, duplicates: 0, failed: 0, dropped: 1, abandoned: 0 });
  });

  it('close() lets the queue drain, then takes no more events', async () => {
    const f = start({ clock: createSystemClock() });
    for (const reason of ['A', 'B', 'C']) f.forward(event({ reason }));
    await f.close({ graceMs: 10_000 });
    assert.deepEqual(receiver.received.map((r) => r.body['reason']), ['A', 'B', 'C']);
    assert.equal(f.forward(event({ reason: 'late' })), false);
    assert.deepEqual(f.stats, { delivered: 3, duplicates: 0, failed: 0, dropped: 1, abandoned: 0 });
  });

  it('close() abandons what a receiver that never answers still holds once the grace period is over', async () => {
    receiver.respond = () => undefined;
    const f = start({ clock: createSystemClock() });
    f.forward(event({ reason: 'A' }));
    f.forward(event({ reason: 'B' }));
    await f.close({ graceMs: 50 });
    assert.deepEqual(f.stats, { delivered: 0, duplicates: 0, failed: 0, dropped: 0, abandoned: 2 });
    assert.ok(logger.lines.some((l) => l.msg === 'events not forwarded at shutdown' && l.fields['abandoned'] === 2));
  });

  it('refuses an address that is not http(s)', () => {
    assert.throws(() => toEventsUrl('ftp://notification-controller/'), { code: 'RUNTIME_OPTION_INVALID' });
    assert.throws(() => toEventsUrl('not a url'), { code: 'RUNTIME_OPTION_INVALID' });
    assert.equal(toEventsUrl('https://nc.flux-system.svc/').href, 'https://nc.flux-system.svc/');
  });

  it('omits empty namespace, uid and resourceVersion as Go\'s omitempty does', () => {
    const body = toNotificationEvent(
      event({ involvedObject: { apiVersion: 'v1', kind: 'Thing', namespace: '', name: 'x', uid: '' }, metadata: {} }),
      { controller: 'c', instance: 'i' }, 0,
    );
    assert.deepEqual(body?.involvedObject, { kind: 'Thing', name: 'x', apiVersion: 'v1' });
    assert.equal(body.timestamp, '1970-01-01T00:00:00Z');
  });
});
