// Funnels on a hand-built lake with known answers: the window edge (inclusive), out-of-order steps, an identity
// merge mid-funnel, entries outside the range, a better second attempt, strict vs ordered vs any, exclusions,
// first-touch breakdown, time to convert and the persons who dropped off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InsightQueryError } from '../errors.js';
import { InsightEngine } from '../insight-engine.js';
import { appendSilverEvents, tempDataDir, writeIdentities, type FixtureEvent } from '../testing/silver-fixture.js';
import type { FunnelResult } from './funnels.js';

const [A, B, C] = ['Article Viewed', 'Paywall Shown', 'Subscription Started'];
const ev = (actor: string, event: string, at: string, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
  actor,
  event,
  at: `2025-01-${at}Z`,
  ...extra,
});
const EVENTS: FixtureEvent[] = [
  ev('p1', A, '06T10:00:00', { section: 'news' }),
  ev('p1', B, '06T10:05:00'),
  ev('p1', C, '06T10:10:00'),
  // p2: anonymous on a2, paywall on a second device a2b, subscribes logged in (user only): one person u2.
  ev('a2', A, '06T11:00:00', { section: 'sport' }),
  ev('a2b', B, '06T12:00:00'),
  ev('u:u2', C, '06T13:00:00'),
  // p3: B exactly at the window's end counts; C one second later does not.
  ev('p3', A, '06T09:00:00'),
  ev('p3', B, '07T09:00:00'),
  ev('p3', C, '07T09:00:01'),
  // p4: B before A.
  ev('p4', B, '06T08:00:00'),
  ev('p4', A, '06T09:00:00'),
  ev('p4', C, '06T10:00:00'),
  // p5: another event between A and B (breaks strict only).
  ev('p5', A, '06T10:00:00'),
  ev('p5', 'Page Viewed', '06T10:01:00'),
  ev('p5', B, '06T10:02:00'),
  // p6: a Refund between A and B (the exclusion).
  ev('p6', A, '06T10:00:00'),
  ev('p6', 'Refund', '06T10:01:00'),
  ev('p6', B, '06T10:02:00'),
  ev('p6', C, '06T10:03:00'),
  // p7: an entry before the range (ignored) and one at its end whose B falls after the range, inside the window.
  ev('p7', A, '05T23:00:00'),
  ev('p7', B, '06T00:30:00'),
  ev('p7', A, '12T23:30:00'),
  ev('p7', B, '13T00:30:00'),
  // p8: a dead first attempt, a complete second one.
  ev('p8', A, '06T00:00:00'),
  ev('p8', A, '10T00:00:00'),
  ev('p8', B, '10T01:00:00'),
  ev('p8', C, '10T02:00:00'),
];
const BASE = {
  steps: [{ event: A }, { event: B }, { event: C }],
  window: { value: 1, unit: 'day' },
  dateRange: { from: '2025-01-06', to: '2025-01-12' },
};

describe('funnels', () => {
  let engine: InsightEngine;
  const run = async (q: object): Promise<FunnelResult> =>
    (await engine.run<FunnelResult>('funnels', { ...BASE, ...q })).result;
  const counts = (r: FunnelResult): number[] => r.steps.map((s) => s.count);

  before(async () => {
    const dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, [...EVENTS].reverse());
    await writeIdentities(dataDir, { a2: 'u2', a2b: 'u2' });
    engine = await InsightEngine.create({ dataDir });
  });
  after(async () => engine.close());

  it('ordered: counts, conversion and drop-off per step', async () => {
    const r = await run({});
    assert.deepEqual(counts(r), [8, 7, 4]);
    assert.equal(r.steps[2]!.conversionRate, 0.5);
    assert.equal(r.steps[1]!.dropOff, 1);
    assert.equal(r.steps[2]!.stepConversionRate, 4 / 7);
    // p1 600 s, p2 7200 s, p6 180 s, p8 7200 s.
    assert.equal(r.timeToConvert.medianSeconds, 3900);
    assert.equal(
      r.timeToConvert.histogram.reduce((t, b) => t + b.count, 0),
      4,
    );
    // A→B: 120, 120, 300, 3600, 3600, 3600, 86400 s.
    assert.equal(r.steps[1]!.medianSecondsFromPrevious, 3600);
  });

  it('strict: another event in between breaks the chain', async () => {
    assert.deepEqual(counts(await run({ order: 'strict' })), [8, 5, 3]);
  });

  it('any order: steps in any order within the window', async () => {
    assert.deepEqual(counts(await run({ order: 'any' })), [8, 8, 5]);
  });

  it('exclusions remove persons who did the excluded event between the steps', async () => {
    assert.deepEqual(counts(await run({ exclusions: [{ event: 'Refund', fromStep: 1, toStep: 2 }] })), [7, 6, 3]);
    assert.deepEqual(counts(await run({ exclusions: [{ event: 'Refund', fromStep: 2, toStep: 3 }] })), [8, 7, 4]);
  });

  it('breaks down by the first-touch value and lists who dropped off', async () => {
    const r = await run({ breakdown: { property: 'section' }, persons: { step: 2 } });
    const by = Object.fromEntries(r.breakdown!.map((b) => [b.value, counts({ steps: b.steps } as FunnelResult)]));
    assert.deepEqual(by, { $none: [6, 5, 2], news: [1, 1, 1], sport: [1, 1, 1] });
    assert.deepEqual(r.persons!.ids, ['p3', 'p5', 'p7']);
    const converted = await run({ persons: { step: 3, outcome: 'converted' } });
    assert.deepEqual(converted.persons!.ids, ['p1', 'p6', 'p8', 'u2']);
  });

  it('a shorter window and per-step filters change the answer; an empty range gives zeros', async () => {
    assert.deepEqual(counts(await run({ window: { value: 30, unit: 'minute' } })), [8, 3, 2]);
    assert.deepEqual(
      counts(await run({ steps: [{ event: A, filters: [{ property: 'section', value: 'news' }] }, { event: B }] })),
      [1, 1],
    );
    const empty = await run({ dateRange: { from: '2024-01-01', to: '2024-01-02' } });
    assert.deepEqual(counts(empty), [0, 0, 0]);
    assert.equal(empty.steps[1]!.conversionRate, null);
    assert.equal(empty.timeToConvert.medianSeconds, null);
  });

  it('rejects bad exclusions and a single step, naming the field', async () => {
    const field = async (q: object): Promise<string> =>
      engine.run('funnels', { ...BASE, ...q }).then(
        () => 'accepted',
        (e: unknown) => (e instanceof InsightQueryError ? e.field : String(e)),
      );
    assert.equal(await field({ exclusions: [{ event: 'Refund', fromStep: 2, toStep: 2 }] }), 'exclusions.0.toStep');
    assert.equal(await field({ steps: [{ event: A }] }), 'steps');
    assert.equal(await field({ order: 'sometimes' }), 'order');
    assert.equal(await field({ window: { value: 0, unit: 'day' } }), 'window.value');
  });
});
