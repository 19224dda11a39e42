// Trends on a hand-built lake with known answers: identity merges, windows at their edges, timezones and DST,
// breakdowns with "$other", every math family, formulas, validation errors naming the field, empty ranges.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InsightQueryError } from '../errors.js';
import { InsightEngine } from '../insight-engine.js';
import { appendSilverEvents, tempDataDir, writeIdentities, type FixtureEvent } from '../testing/silver-fixture.js';
import type { TrendsResult } from './trends.js';

const AV = 'Article Viewed';
const EVENTS: FixtureEvent[] = [
  { actor: 'a1', event: AV, at: '2025-01-06T10:00:00Z', section: 'news', read_time_s: 30 },
  { actor: 'a1', user: 'u1', event: AV, at: '2025-01-06T12:00:00Z', section: 'politics', read_time_s: 50 },
  { actor: 'a2', event: AV, at: '2025-01-07T09:00:00Z', section: 'news', read_time_s: 10 },
  { actor: 'a3', event: AV, at: '2025-01-06T23:30:00Z', section: 'news', read_time_s: 20 },
  { actor: 'a3', event: AV, at: '2025-01-07T03:00:00Z', section: 'tech', read_time_s: 40 },
  { actor: 'a4', event: 'Search Performed', at: '2025-01-08T10:00:00Z' },
  { actor: 'a3', event: AV, at: '2025-01-09T00:00:00Z', section: 'tech' },
  { actor: 'a3', event: AV, at: '2025-01-05T23:59:59Z', section: 'tech' },
  { actor: 'a3', event: AV, at: '2025-03-30T00:30:00Z', section: 'news' },
  { actor: 'a3', event: AV, at: '2025-03-30T23:30:00Z', section: 'news' },
];
const JAN = { from: '2025-01-06', to: '2025-01-08' };

describe('trends', () => {
  let engine: InsightEngine;
  let dataDir: string;
  const run = async (q: object): Promise<TrendsResult> => (await engine.run<TrendsResult>('trends', q)).result;
  const values = (r: TrendsResult, label = 'A', breakdown: string | null = null): (number | null)[] =>
    r.series.find((s) => s.label === label && s.breakdown === breakdown)!.values;

  before(async () => {
    dataDir = await tempDataDir();
    // Arrive out of order, in two commits.
    await appendSilverEvents(dataDir, EVENTS.slice(5));
    await appendSilverEvents(dataDir, EVENTS.slice(0, 5).reverse());
    await writeIdentities(dataDir, { a1: 'u1', a2: 'u1' });
    engine = await InsightEngine.create({ dataDir, now: () => new Date('2025-01-08T12:00:00Z') });
  });
  after(async () => engine.close());

  it('counts totals per UTC day, with [from, to] inclusive days and the edges excluded', async () => {
    const r = await run({ series: [{ event: AV }], dateRange: JAN });
    assert.deepEqual(r.buckets, ['2025-01-06T00:00:00', '2025-01-07T00:00:00', '2025-01-08T00:00:00']);
    assert.deepEqual(values(r), [3, 2, 0]);
    assert.equal(r.series[0]!.total, 5);
  });

  it('counts a person once across anonymous and logged-in devices', async () => {
    const r = await run({
      series: [
        { event: AV, math: 'unique' },
        { event: AV, math: 'per_person_avg' },
      ],
      dateRange: JAN,
    });
    assert.deepEqual(values(r, 'A'), [2, 2, 0]);
    assert.deepEqual(values(r, 'B'), [1.5, 1, null]);
  });

  it('buckets by local day in the query timezone', async () => {
    const r = await run({ series: [{ event: AV }], dateRange: JAN, timezone: 'America/New_York' });
    assert.deepEqual(values(r), [4, 1, 1]);
  });

  it('handles the DST change: 23 hourly buckets on 2025-03-30 in London, midnight BST is the next day', async () => {
    const days = await run({
      series: [{ event: AV }],
      dateRange: { from: '2025-03-30', to: '2025-03-31' },
      timezone: 'Europe/London',
    });
    assert.deepEqual(values(days), [1, 1]);
    const utc = await run({ series: [{ event: AV }], dateRange: { from: '2025-03-30', to: '2025-03-31' } });
    assert.deepEqual(values(utc), [2, 0]);
    const hours = await run({
      series: [{ event: AV }],
      dateRange: { from: '2025-03-30', to: '2025-03-30' },
      interval: 'hour',
      timezone: 'Europe/London',
    });
    assert.equal(hours.buckets.length, 23);
    assert.equal(values(hours)[0], 1);
  });

  it('an hourly range that does not start on the hour keeps its last, partial hour (and its events)', async () => {
    const atTwenty = await InsightEngine.create({
      dataDir,
      now: () => new Date('2025-01-08T10:20:00Z'),
    });
    try {
      const { result } = await atTwenty.run<TrendsResult>('trends', {
        series: [{ event: 'Search Performed' }],
        interval: 'hour',
        dateRange: { last: 1, unit: 'hour' },
      });
      assert.deepEqual(result.buckets, ['2025-01-08T09:00:00', '2025-01-08T10:00:00']);
      assert.deepEqual(result.series[0]!.values, [0, 1]);
      const absolute = await atTwenty.run<TrendsResult>('trends', {
        series: [{ event: 'Search Performed' }],
        interval: 'hour',
        dateRange: { from: '2025-01-08T09:30:00Z', to: '2025-01-08T10:30:00Z' },
      });
      assert.deepEqual(absolute.result.buckets, ['2025-01-08T09:00:00', '2025-01-08T10:00:00']);
    } finally {
      await atTwenty.close();
    }
  });

  it('aggregates a numeric property and the active-user windows (WAU reaches back before the range)', async () => {
    const r = await run({
      series: [
        { event: AV, math: 'sum', property: 'read_time_s' },
        { event: AV, math: 'max', property: 'read_time_s' },
        { event: AV, math: 'wau' },
        { event: AV, math: 'dau' },
      ],
      dateRange: JAN,
    });
    assert.deepEqual(values(r, 'A'), [100, 50, 0]);
    assert.deepEqual(values(r, 'B'), [50, 40, null]);
    assert.deepEqual(values(r, 'C'), [2, 2, 2]);
    assert.deepEqual(values(r, 'D'), [2, 2, 0]);
  });

  it('breaks down by the top N values and folds the rest into $other', async () => {
    const r = await run({ series: [{ event: AV }], dateRange: JAN, breakdown: { property: 'section', limit: 1 } });
    assert.deepEqual(values(r, 'A', 'news'), [2, 1, 0]);
    assert.deepEqual(values(r, 'A', '$other'), [1, 1, 0]);
    assert.equal(r.series.length, 2);
  });

  it('filters on event properties and evaluates formulas across series', async () => {
    const r = await run({
      series: [
        { event: AV },
        { event: AV, math: 'unique', filters: [{ property: 'section', op: 'in', value: ['news', 'politics'] }] },
      ],
      formula: 'A/B',
      dateRange: JAN,
    });
    assert.deepEqual(values(r, 'B'), [2, 1, 0]);
    assert.deepEqual(r.formula!.series[0]!.values, [1.5, 2, null]);
    const weekly = await run({
      series: [{ event: AV }],
      dateRange: JAN,
      interval: 'week',
      filters: [{ property: 'read_time_s', op: 'gte', value: 30 }],
    });
    assert.deepEqual(values(weekly), [3]);
  });

  it('answers an empty range with zeros, and relative ranges end now', async () => {
    assert.deepEqual(
      values(await run({ series: [{ event: AV }], dateRange: { from: '2024-01-01', to: '2024-01-02' } })),
      [0, 0],
    );
    const rel = await run({ series: [{ event: AV }], dateRange: { last: 3, unit: 'day' } });
    assert.deepEqual(values(rel), [3, 2, 0]);
  });

  it('rejects bad queries naming the field', async () => {
    const field = async (q: object): Promise<string> =>
      engine.run('trends', q).then(
        () => 'accepted',
        (e: unknown) => (e instanceof InsightQueryError ? e.field : String(e)),
      );
    assert.equal(await field({ series: [{ event: AV, math: 'mode' }], dateRange: JAN }), 'series.0.math');
    assert.equal(await field({ series: [{ event: AV, math: 'sum' }], dateRange: JAN }), 'series.0.property');
    assert.equal(await field({ series: [{ event: AV }], dateRange: JAN, timezone: 'Mars/Olympus' }), 'timezone');
    assert.equal(
      await field({ series: [{ event: AV }], dateRange: { from: '2025-13-01', to: '2025-01-02' } }),
      'dateRange.from',
    );
    assert.equal(await field({ series: [], dateRange: JAN }), 'series');
    assert.equal(
      await field({ series: [{ event: AV, filters: [{ property: 'x;drop', value: 1 }] }], dateRange: JAN }),
      'series.0.filters.0.property',
    );
    await assert.rejects(
      engine.run('trends', { series: [{ event: AV }], dateRange: JAN, formula: 'A/C' }),
      (e: unknown) =>
        e instanceof InsightQueryError && e.field === 'formula' && /series C does not exist/.test(e.message),
    );
    assert.equal(await field({ series: [{ event: AV }], dateRange: JAN, formula: 'A+' }), 'formula');
    // Impossible days, centuries, and the sub-field of a relative range named as itself.
    assert.equal(
      await field({ series: [{ event: AV }], dateRange: { from: '2026-02-30', to: '2026-03-05' } }),
      'dateRange.from',
    );
    assert.equal(
      await field({ series: [{ event: AV }], dateRange: { from: '1900-01-01', to: '2026-11-27' } }),
      'dateRange.to',
    );
    assert.equal(
      await field({ series: [{ event: AV }], dateRange: { from: '0001-01-01', to: '0001-01-02' } }),
      'dateRange.from',
    );
    assert.equal(await field({ series: [{ event: AV }], dateRange: { last: '7' } }), 'dateRange.last');
    assert.equal(await field({ series: [{ event: AV }], dateRange: { last: 3, unit: 'year' } }), 'dateRange.unit');
    assert.equal(
      await field({
        series: [{ event: AV, filters: [{ property: 'read_time_s', op: 'gt', value: '' }] }],
        dateRange: JAN,
      }),
      'series.0.filters.0.value',
    );
    // A NUL in a value is data, not the end of the generated SQL.
    const nul = await run({
      series: [{ event: 'Article \u0000 Viewed', filters: [{ property: 'section', value: 'a\u0000b' }] }],
      dateRange: JAN,
    });
    assert.deepEqual(values(nul), [0, 0, 0]);
    // The field is named once: "dateRange: Required" (it read "dateRange: dateRange: Required").
    await assert.rejects(engine.run('trends', { series: [{ event: AV }] }), { message: 'dateRange: Required' });
    await assert.rejects(
      engine.run('trends', { series: [{ event: AV }], dateRange: { from: '2025-01-30', to: '2025-01-01' } }),
      { message: 'dateRange.to: must not be before from' },
    );
    await assert.rejects(engine.run('trends', { series: [{ event: AV }], dateRange: { last: 0 } }), {
      message: /^dateRange\.last: /,
    });
  });

  it('serves a repeat from the cache until a commit changes a table', async () => {
    const dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, EVENTS.slice(0, 2));
    // warmMaxLagMs 0: the query after the commit waits for the new warm copy (a stale answer is cached under the old
    // versions: warm-events.test.ts).
    const e = await InsightEngine.create({ dataDir, warmMaxLagMs: 0 });
    try {
      const q = { series: [{ event: AV }], dateRange: JAN };
      const first = await e.run<TrendsResult>('trends', q);
      const second = await e.run<TrendsResult>('trends', q);
      assert.equal(second.meta.cached, true);
      await appendSilverEvents(dataDir, EVENTS.slice(2, 3));
      const third = await e.run<TrendsResult>('trends', q);
      assert.equal(third.meta.cached, false);
      assert.deepEqual(
        [first.result.series[0]!.values, third.result.series[0]!.values],
        [
          [2, 0, 0],
          [2, 1, 0],
        ],
      );
    } finally {
      await e.close();
    }
  });
});
