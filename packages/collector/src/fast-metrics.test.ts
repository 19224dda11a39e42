import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1];

test('a FastHistogram exports what a prom-client histogram with the same observations exports', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const fast = new FastHistogram('lat_seconds', 'latency', ['route'], BUCKETS, ours);
  const reference = new Histogram({
    name: 'lat_seconds',
    help: 'latency',
    labelNames: ['route'],
    buckets: BUCKETS,
    registers: [theirs],
  });
  const samples: [string, number][] = [
    ['/a', 0.0005],
    ['/a', 0.001],
    ['/a', 0.05],
    ['/b', 3],
    ['/a', 0.2],
  ];
  for (const [route, value] of samples) {
    fast.labels(route).observe(value);
    reference.labels(route).observe(value);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
});

test('an unlabelled FastHistogram is exported before its first observation, and reset zeroes it', async () => {
  const registry = new Registry();
  const histogram = new FastHistogram('wait_seconds', 'wait', [], BUCKETS, registry);
  assert.match(await registry.metrics(), /^wait_seconds_bucket\{le="\+Inf"\} 0$/m);
  histogram.observe(0.005);
  assert.match(await registry.metrics(), /^wait_seconds_count 1$/m);
  registry.resetMetrics();
  assert.match(await registry.metrics(), /^wait_seconds_count 0$/m);
});

test('FastCounter children add up, and the cluster aggregation sums them across registries', async () => {
  const registries = [new Registry(), new Registry()];
  const counters = registries.map((r) => new FastCounter('events_total', 'events', ['source'], r));
  counters[0]!.labels('web').value += 3;
  counters[1]!.labels('web').value += 4;
  counters[1]!.labels('app').value += 1;
  assert.throws(() => counters[0]!.labels('web', 'extra'), /2 label values for labels source/);
  const merged = AggregatorRegistry.aggregate(await Promise.all(registries.map((r) => r.getMetricsAsJSON())));
  const text = await merged.metrics();
  assert.match(text, /^events_total\{source="web"\} 7$/m);
  assert.match(text, /^events_total\{source="app"\} 1$/m);
});
