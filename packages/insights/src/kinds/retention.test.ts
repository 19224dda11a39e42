// Retention on a hand-built lake with known answers: first-time vs recurring cohorts, "on" vs "on or after",
// a person whose history starts before the range, an identity merge, a timezone moving a person's cohort,
// and unobserved periods reported as null.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InsightEngine } from '../insight-engine.js';
import { appendSilverEvents, tempDataDir, writeIdentities, type FixtureEvent } from '../testing/silver-fixture.js';
import type { RetentionResult } from './retention.js';

const AV = 'Article Viewed';
const at = (actor: string, when: string): FixtureEvent => ({
  actor,
  event: AV,
  at: when.length === 5 ? `2025-${when}T10:00:00Z` : when,
});
const EVENTS: FixtureEvent[] = [
  at('q1', '01-06'),
  at('q1', '01-14'),
  at('q1', '01-28'),
  at('q2', '2025-01-12T23:30:00Z'),
  at('q2', '2025-01-13T00:10:00Z'),
  at('q3', '01-14'),
  at('q3', '01-22'),
  at('q3', '01-29'),
  at('q4', '01-02'),
  at('q4', '01-08'),
  at('q4', '01-15'),
  at('b5', '01-07'),
  at('u:u5', '01-21'),
];
const BASE = {
  startEvent: { event: AV },
  returnEvent: { event: AV },
  period: 'week',
  periods: 4,
  dateRange: { from: '2025-01-06', to: '2025-01-19' },
};

describe('retention', () => {
  let engine: InsightEngine;
  const run = async (q: object): Promise<RetentionResult> =>
    (await engine.run<RetentionResult>('retention', { ...BASE, ...q })).result;
  const table = (r: RetentionResult): Record<string, (number | null)[]> =>
    Object.fromEntries(r.cohorts.map((c) => [c.cohort.slice(0, 10), [c.size, ...c.values]]));

  before(async () => {
    const dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, EVENTS.slice(6));
    await appendSilverEvents(dataDir, EVENTS.slice(0, 6));
    await writeIdentities(dataDir, { b5: 'u5' });
    engine = await InsightEngine.create({ dataDir });
  });
  after(async () => engine.close());

  it('first-time weekly cohorts, returning "on" each week; unobserved weeks are null', async () => {
    const r = await run({});
    assert.deepEqual(table(r), { '2025-01-06': [3, 3, 2, 1, 1, null], '2025-01-13': [1, 1, 1, 1, null, null] });
    assert.deepEqual(r.cohorts[0]!.rates.slice(0, 2), [1, 2 / 3]);
    assert.deepEqual(r.average.slice(0, 3), [1, 3 / 4, 2 / 4]);
  });

  it('"on or after" counts persons returning in that week or any later one', async () => {
    assert.deepEqual(table(await run({ mode: 'on_or_after' }))['2025-01-06'], [3, 3, 3, 2, 1, null]);
  });

  it('recurring cohorts take every week with a start event, including a person first seen before the range', async () => {
    assert.deepEqual(table(await run({ cohort: 'recurring' })), {
      '2025-01-06': [4, 4, 3, 1, 1, null],
      '2025-01-13': [4, 4, 1, 2, null, null],
    });
  });

  it('cohorts follow the query timezone', async () => {
    const r = await run({ timezone: 'Europe/Berlin' });
    assert.deepEqual(Object.fromEntries(r.cohorts.map((c) => [c.cohort.slice(0, 10), c.size])), {
      '2025-01-06': 2,
      '2025-01-13': 2,
    });
  });

  it('daily periods and an empty range', async () => {
    const days = await run({ period: 'day', periods: 2, dateRange: { from: '2025-01-12', to: '2025-01-13' } });
    assert.deepEqual(table(days), { '2025-01-12': [1, 1, 1, 0] });
    assert.deepEqual((await run({ dateRange: { from: '2024-01-01', to: '2024-01-07' } })).cohorts, []);
  });
});
