// The warm table answers exactly what the lake answers (identity resolution included), is rebuilt when a
// table commits, and queries on columns it does not hold (JSON properties) are answered from the lake.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InsightEngine } from './insight-engine.js';
import type { FunnelResult } from './kinds/funnels.js';
import type { TrendsResult } from './kinds/trends.js';
import { appendSilverEvents, tempDataDir, writeIdentities, type FixtureEvent } from './testing/silver-fixture.js';

const AV = 'Article Viewed';
const EVENTS: FixtureEvent[] = [
  { actor: 'a1', event: AV, at: '2025-01-06T10:00:00Z', section: 'news', props: { campaign: 'spring' } },
  { actor: 'a2', event: AV, at: '2025-01-06T11:00:00Z', section: 'tech', props: { campaign: 'winter' } },
  { actor: 'a2', event: 'Paywall Shown', at: '2025-01-06T11:05:00Z' },
  { actor: 'a3', event: AV, at: '2025-01-07T10:00:00Z', section: 'news' },
];
const Q = { series: [{ event: AV, math: 'unique' }], dateRange: { from: '2025-01-06', to: '2025-01-07' } };

describe('warm events', () => {
  let dataDir: string;
  let warm: InsightEngine;
  let cold: InsightEngine;
  before(async () => {
    dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, EVENTS);
    await writeIdentities(dataDir, { a1: 'u1', a3: 'u1' });
    warm = await InsightEngine.create({ dataDir, cacheSize: 0 });
    cold = await InsightEngine.create({ dataDir, cacheSize: 0, warm: false });
  });
  after(async () => {
    await warm.close();
    await cold.close();
  });

  it("gives the lake's answers, persons resolved, on warm columns and on JSON properties", async () => {
    for (const q of [
      Q,
      { ...Q, filters: [{ property: 'section', value: 'news' }] },
      { ...Q, filters: [{ property: 'campaign', value: 'spring' }] },
    ]) {
      const [w, c] = await Promise.all([warm.run<TrendsResult>('trends', q), cold.run<TrendsResult>('trends', q)]);
      assert.deepEqual(w.result, c.result);
    }
    assert.deepEqual((await warm.run<TrendsResult>('trends', Q)).result.series[0]!.values, [2, 1]);
    assert.deepEqual(
      (await warm.run<TrendsResult>('trends', { ...Q, filters: [{ property: 'campaign', value: 'spring' }] })).result
        .series[0]!.values,
      [1, 0],
    );
    const f = await warm.run<FunnelResult>('funnels', {
      steps: [{ event: AV }, { event: 'Paywall Shown' }],
      dateRange: Q.dateRange,
      persons: { step: 2, outcome: 'converted' },
    });
    assert.deepEqual(f.result.persons!.ids, ['a2']);
  });

  it('is rebuilt when silver.identities or silver.events commits', async () => {
    await writeIdentities(dataDir, { a2: 'u1' });
    assert.deepEqual((await warm.run<TrendsResult>('trends', Q)).result.series[0]!.values, [1, 1]);
    await appendSilverEvents(dataDir, [{ actor: 'a9', event: AV, at: '2025-01-07T12:00:00Z' }]);
    assert.deepEqual((await warm.run<TrendsResult>('trends', Q)).result.series[0]!.values, [1, 2]);
  });
});
