import assert from 'node:assert/strict';
import { isBobError } from '../../../src/shared/index.ts';
import { createMetricsRegistry, exponentialBucketsRange, RECONCILE_DURATION_BUCKETS, registerBobMetrics } from '../../../src/runtime/index.ts';

const invalid = (error: unknown): boolean => isBobError(error, 'RUNTIME_METRIC_INVALID');

describe('runtime/metrics', () => {
  it('renders the 0.0.4 text format exactly (golden)', () => {
    const registry = createMetricsRegistry();
    const requests = registry.counter({ name: 'demo_requests_total', help: 'Requests, by "code".\nSecond line with \\ backslash.', labelNames: ['code', 'path'] });
    const depth = registry.gauge({ name: 'demo_depth', help: 'Depth.' });
    const duration = registry.histogram({ name: 'demo_seconds', help: 'Duration.', labelNames: ['op'], buckets: [0.5, 1, 2.5] });
    registry.gauge({ name: 'demo_unused', help: 'Labelled, no series yet.', labelNames: ['x'] });
    requests.inc({ code: '200', path: '/v2/' });
    requests.inc({ code: '200', path: '/v2/' }, 2);
    requests.inc({ code: '404', path: 'a"b\\c\nd' });
    requests.inc({ code: '200', path: '/a' });
    depth.set({}, 3);
    depth.dec({});
    for (const value of [0.1, 0.5, 0.7, 3]) duration.observe({ op: 'pull' }, value);
    duration.observe({ op: 'ls' }, 1);
    assert.equal(registry.render(), [
      '# HELP demo_requests_total Requests, by "code".\\nSecond line with \\\\ backslash.',
      '# TYPE demo_requests_total counter',
      'demo_requests_total{code="200",path="/a"} 1',
      'demo_requests_total{code="200",path="/v2/"} 3',
      'demo_requests_total{code="404",path="a\\"b\\\\c\\nd"} 1',
      '# HELP demo_depth Depth.',
      '# TYPE demo_depth gauge',
      'demo_depth 2',
      '# HELP demo_seconds Duration.',
      '# TYPE demo_seconds histogram',
      'demo_seconds_bucket{op="ls",le="0.5"} 0',
      'demo_seconds_bucket{op="ls",le="1"} 1',
      'demo_seconds_bucket{op="ls",le="2.5"} 1',
      'demo_seconds_bucket{op="ls",le="+Inf"} 1',
      'demo_seconds_sum{op="ls"} 1',
      'demo_seconds_count{op="ls"} 1',
      'demo_seconds_bucket{op="pull",le="0.5"} 2',
      'demo_seconds_bucket{op="pull",le="1"} 3',
      'demo_seconds_bucket{op="pull",le="2.5"} 3',
      'demo_seconds_bucket{op="pull",le="+Inf"} 4',
      'demo_seconds_sum{op="pull"} 4.3',
      'demo_seconds_count{op="pull"} 4',
      '',
    ].join('\n'));
  });

  it('formats +Inf, -Inf and small numbers; rejects NaN', () => {
    const registry = createMetricsRegistry();
    const gauge = registry.gauge({ name: 'g', help: 'h', labelNames: ['v'] });
    gauge.set({ v: 'a' }, Infinity);
    gauge.set({ v: 'b' }, -Infinity);
    gauge.set({ v: 'c' }, 1e-7);
    assert.equal(registry.render(), '# HELP g h\n# TYPE g gauge\ng{v="a"} +Inf\ng{v="b"} -Inf\ng{v="c"} 1e-7\n');
    assert.throws(() => { gauge.set({ v: 'd' }, NaN); }, invalid);
  });

  describe('histogram buckets', () => {
    it('reconcile buckets are Flux\'s ExponentialBucketsRange(10e-3, 1800, 10)', () => {
      assert.equal(RECONCILE_DURATION_BUCKETS.length, 10);
      assert.equal(RECONCILE_DURATION_BUCKETS[0], 0.01);
      const computed = exponentialBucketsRange(10e-3, 1800, 10);
      RECONCILE_DURATION_BUCKETS.forEach((bound, index) => {
        const ratio = bound / (computed[index] ?? NaN);
        assert.ok(Math.abs(ratio - 1) < 1e-14, `bucket ${index}: ${bound} vs ${computed[index]}`);
        if (index > 0) assert.ok(Math.abs(bound / (RECONCILE_DURATION_BUCKETS[index - 1] ?? NaN) - 180_000 ** (1 / 9)) < 1e-12);
      });
      // The last bound is Go's float64 result, just below 1800: what gotk exposes as le.
      assert.equal(String(RECONCILE_DURATION_BUCKETS[9]), '1799.9999999999986');
    });

    it('counts le inclusively and keeps +Inf = count', () => {
      const registry = createMetricsRegistry();
      const histogram = registry.histogram({ name: 'h', help: 'h', buckets: [1, 2] });
      for (const value of [1, 2, 2.0000001, -5]) histogram.observe({}, value);
      assert.deepEqual(histogram.get({}), {
        buckets: [{ le: 1, count: 2 }, { le: 2, count: 3 }, { le: Infinity, count: 4 }],
        sum: 1 + 2 + 2.0000001 - 5,
        count: 4,
      });
    });

    const badBuckets: [string, number[]][] = [['decreasing', [2, 1]], ['equal', [1, 1]], ['NaN', [NaN]], ['infinite in the middle', [1, Infinity, 2]]];
    for (const [name, buckets] of badBuckets) {
      it(`rejects ${name} buckets`, () => {
        assert.throws(() => createMetricsRegistry().histogram({ name: 'h', help: 'h', buckets }), invalid);
      });
    }

    it('accepts a trailing +Inf and exponentialBucketsRange rejects bad ranges', () => {
      const registry = createMetricsRegistry();
      registry.histogram({ name: 'h', help: 'h', buckets: [1, Infinity] });
      assert.match(registry.render(), /h_bucket\{le="1"\} 0\nh_bucket\{le="\+Inf"\} 0\n/);
      for (const [min, max, count] of [[0, 1, 3], [2, 1, 3], [1, 2, 1]] as const) {
        assert.throws(() => exponentialBucketsRange(min, max, count), invalid);
      }
    });
  });

  describe('validation', () => {
    it('rejects bad or duplicate names and labels', () => {
      const registry = createMetricsRegistry();
      registry.histogram({ name: 'x', help: 'h', buckets: [1] });
      const attempts: [string, () => unknown][] = [
        ['bad metric name', () => registry.counter({ name: '1abc', help: 'h' })],
        ['duplicate name', () => registry.gauge({ name: 'x', help: 'h' })],
        ['histogram sample name taken', () => registry.counter({ name: 'x_count', help: 'h' })],
        ['bad label name', () => registry.counter({ name: 'c1', help: 'h', labelNames: ['a-b'] })],
        ['reserved label name', () => registry.counter({ name: 'c2', help: 'h', labelNames: ['__a'] })],
        ['le on a histogram', () => registry.histogram({ name: 'c3', help: 'h', labelNames: ['le'], buckets: [1] })],
        ['duplicate label name', () => registry.counter({ name: 'c4', help: 'h', labelNames: ['a', 'a'] })],
      ];
      for (const [name, attempt] of attempts) assert.throws(attempt, invalid, name);
    });

    it('rejects missing, extra labels and a decreasing counter', () => {
      const registry = createMetricsRegistry();
      const counter = registry.counter({ name: 'c', help: 'h', labelNames: ['a', 'b'] });
      assert.throws(() => { counter.inc({ a: 'x' } as { a: string; b: string }); }, invalid);
      assert.throws(() => { counter.inc({ a: 'x', b: 'y', c: 'z' } as { a: string; b: string }); }, invalid);
      assert.throws(() => { counter.inc({ a: 'x', b: 'y' }, -1); }, invalid);
      assert.equal(counter.get({ a: 'x', b: 'y' }), undefined);
    });
  });

  describe('series removal', () => {
    it('deleteSeries drops matching series of every metric that has those labels', () => {
      const registry = createMetricsRegistry();
      const a = registry.gauge({ name: 'a', help: 'h', labelNames: ['namespace', 'name', 'type'] });
      const b = registry.counter({ name: 'b', help: 'h', labelNames: ['name', 'namespace'] });
      const c = registry.counter({ name: 'c', help: 'h', labelNames: ['name'] });
      a.set({ namespace: 'apps', name: 'x', type: 'Ready' }, 1);
      a.set({ namespace: 'apps', name: 'x', type: 'Stalled' }, 0);
      a.set({ namespace: 'apps', name: 'y', type: 'Ready' }, 1);
      b.inc({ name: 'x', namespace: 'apps' });
      b.inc({ name: 'x', namespace: 'other' });
      c.inc({ name: 'x' });
      assert.equal(registry.deleteSeries({ namespace: 'apps', name: 'x' }), 3);
      assert.equal(a.get({ namespace: 'apps', name: 'y', type: 'Ready' }), 1);
      assert.equal(b.get({ name: 'x', namespace: 'other' }), 1);
      assert.equal(c.get({ name: 'x' }), 1, 'a metric without the namespace label is untouched');
      assert.equal(registry.deleteSeries({}), 0);
      assert.equal(b.remove({ name: 'x', namespace: 'other' }), true);
      assert.equal(b.remove({ name: 'x', namespace: 'other' }), false);
      assert.doesNotMatch(registry.render(), /^b\{/m);
    });
  });

  describe('bob metrics', () => {
    it('registers bob\'s metric families with Flux\'s labels and buckets', () => {
      const registry = createMetricsRegistry();
      const metrics = registerBobMetrics(registry);
      const object = { kind: 'OCIRepository', name: 'podinfo', namespace: 'apps' };
      metrics.reconcileDuration.observe(object, 0.2);
      metrics.recordCondition(object, 'Ready', 'True');
      metrics.recordSuspend(object, false);
      metrics.registryRequests.inc({ host: 'ghcr.io', method: 'GET', code: '200' });
      metrics.fetchedBytes.inc({}, 1024);
      metrics.workqueueDepth.set({}, 4);
      metrics.reconciles.inc({ result: 'success' });
      const text = registry.render();
      const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => `${match[1]} ${match[2]}`);
      assert.deepEqual(types, [
        'bob_reconcile_condition gauge',
        'bob_suspend_status gauge',
        'bob_reconcile_duration_seconds histogram',
        'bob_registry_requests_total counter',
        'bob_fetched_bytes_total counter',
        'bob_workqueue_depth gauge',
        'bob_reconciles_total counter',
      ]);
      const les = [...text.matchAll(/^bob_reconcile_duration_seconds_bucket\{.*le="([^"]+)"\}/gm)].map((match) => match[1]);
      assert.deepEqual(les, [...RECONCILE_DURATION_BUCKETS.map(String), '+Inf']);
      assert.match(text, /^bob_reconcile_condition\{kind="OCIRepository",name="podinfo",namespace="apps",type="Ready",status="True"\} 1$/m);
      assert.match(text, /^bob_reconcile_condition\{kind="OCIRepository",name="podinfo",namespace="apps",type="Ready",status="False"\} 0$/m);
      assert.match(text, /^bob_reconcile_condition\{kind="OCIRepository",name="podinfo",namespace="apps",type="Ready",status="Unknown"\} 0$/m);
      assert.match(text, /^bob_fetched_bytes_total 1024$/m);
      assert.match(text, /^bob_workqueue_depth 4$/m);

      assert.equal(metrics.deleteObject({ ...object, extra: 'ignored' } as typeof object), 5);
      assert.doesNotMatch(registry.render(), /podinfo/);
      assert.match(registry.render(), /^bob_registry_requests_total\{host="ghcr.io",method="GET",code="200"\} 1$/m);
    });
  });
});
