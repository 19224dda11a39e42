// The warm copy answers exactly what the lake answers (identity resolution included) for the versions it reports,
// and queries on columns it does not hold (JSON properties) are answered from the lake. After a commit, a query is
// answered at once from the copy it has (stale-while-revalidate: the copy's versions in meta, the result cached under
// them) while the newest versions are built on the side; one waits only for a copy lacking an older commit.
import assert from 'node:assert/strict';
import { rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InsightEngine, type InsightResponse } from './insight-engine.js';
import type { FunnelResult } from './kinds/funnels.js';
import type { TrendsResult } from './kinds/trends.js';
import type { Logger } from './logger.js';
import { appendSilverEvents, tempDataDir, writeIdentities, type FixtureEvent } from './testing/silver-fixture.js';

const AV = 'Article Viewed';
const EVENTS: FixtureEvent[] = [
  { actor: 'a1', event: AV, at: '2025-01-06T10:00:00Z', section: 'news', props: { campaign: 'spring' } },
  { actor: 'a2', event: AV, at: '2025-01-06T11:00:00Z', section: 'tech', props: { campaign: 'winter' } },
  { actor: 'a2', event: 'Paywall Shown', at: '2025-01-06T11:05:00Z' },
  { actor: 'a3', event: AV, at: '2025-01-07T10:00:00Z', section: 'news' },
];
const Q = { series: [{ event: AV, math: 'unique' }], dateRange: { from: '2025-01-06', to: '2025-01-07' } };
const BY_CAMPAIGN = { ...Q, filters: [{ property: 'campaign', value: 'spring' }] };
const TOTAL = { ...Q, series: [{ event: AV, math: 'total' }] };

/** A Logger that records the engine's events, and waits for one. */
class RecordingLogger implements Logger {
  readonly events: { msg: string; obj: Record<string, unknown> }[] = [];
  readonly #waiting: {
    test: (msg: string, obj: Record<string, unknown>) => boolean;
    resolve: () => void;
    reject: (error: Error) => void;
  }[] = [];
  info = (obj: object, msg = ''): void => this.#record(obj, msg);
  warn = (obj: object, msg = ''): void => this.#record(obj, msg);
  error = (obj: object, msg = ''): void => this.#record(obj, msg);
  debug = (obj: object, msg = ''): void => this.#record(obj, msg);

  /** Resolves when a warm copy of `versions` has been built (already, or later). */
  built(versions: Record<string, number>): Promise<void> {
    const test = (msg: string, obj: Record<string, unknown>): boolean =>
      msg === 'warm_built' && JSON.stringify(obj['versions']) === JSON.stringify(versions);
    if (this.events.some((e) => test(e.msg, e.obj))) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiting.push({ test, resolve, reject }));
  }

  #record(obj: object, msg: string): void {
    this.events.push({ msg, obj: obj as Record<string, unknown> });
    for (const w of this.#waiting) {
      if (msg === 'warm_build_failed') w.reject(new Error(`warm build failed: ${JSON.stringify(obj)}`));
      else if (w.test(msg, obj as Record<string, unknown>)) w.resolve();
    }
  }
}

describe('warm events', () => {
  let dataDir: string;
  let warm: InsightEngine;
  let cold: InsightEngine;
  before(async () => {
    dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, EVENTS);
    await writeIdentities(dataDir, { a1: 'u1', a3: 'u1' });
    // Every query waits for a copy of the newest versions (the rebuild itself is what this suite tests).
    warm = await InsightEngine.create({ dataDir, cacheSize: 0, warmMaxLagMs: 0 });
    cold = await InsightEngine.create({ dataDir, cacheSize: 0, warm: false });
  });
  after(async () => {
    await warm.close();
    await cold.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("gives the lake's answers, persons resolved, on warm columns and on JSON properties", async () => {
    for (const q of [Q, { ...Q, filters: [{ property: 'section', value: 'news' }] }, BY_CAMPAIGN]) {
      const [w, c] = await Promise.all([warm.run<TrendsResult>('trends', q), cold.run<TrendsResult>('trends', q)]);
      assert.deepEqual(w.result, c.result);
    }
    assert.deepEqual((await warm.run<TrendsResult>('trends', Q)).result.series[0]!.values, [2, 1]);
    assert.deepEqual((await warm.run<TrendsResult>('trends', BY_CAMPAIGN)).result.series[0]!.values, [1, 0]);
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

describe('warm events behind the lake (stale-while-revalidate)', () => {
  let dataDir: string;
  let log: RecordingLogger;
  let warm: InsightEngine;
  let cold: InsightEngine;
  const lake = (q: object): Promise<InsightResponse<TrendsResult>> => cold.run<TrendsResult>('trends', q);
  before(async () => {
    dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, EVENTS);
    await writeIdentities(dataDir, { a1: 'u1', a3: 'u1' });
    log = new RecordingLogger();
    // The default bound (60 s): the commits below are seconds old.
    warm = await InsightEngine.create({ dataDir, logger: log });
    cold = await InsightEngine.create({ dataDir, cacheSize: 0, warm: false });
  });
  after(async () => {
    await warm.close();
    await cold.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("answers a query right after a commit from the copy it has, with that copy's versions, then the new copy", async () => {
    const [before, beforeTotal] = [await lake(Q), await lake(TOTAL)];
    const first = await warm.run<TrendsResult>('trends', Q);
    assert.deepEqual([first.meta.versions, first.result], [before.meta.versions, before.result]);

    await appendSilverEvents(dataDir, [{ actor: 'a8', event: AV, at: '2025-01-07T12:00:00Z' }]);
    const [now, nowTotal] = [await lake(Q), await lake(TOTAL)];
    assert.notDeepEqual(now.result, before.result);
    assert.notDeepEqual(nowTotal.result, beforeTotal.result);
    // Computed on the old copy: its versions, and the lake's answer at those versions.
    const stale = await warm.run<TrendsResult>('trends', TOTAL);
    assert.deepEqual(
      [stale.meta.versions, stale.result, stale.meta.cached],
      [beforeTotal.meta.versions, beforeTotal.result, false],
    );
    // The build of the newest versions was started by that query, not awaited by it.
    assert.ok(
      log.events.some(
        (e) =>
          e.msg === 'warm_build_started' && JSON.stringify(e.obj['versions']) === JSON.stringify(now.meta.versions),
      ),
    );
    // A result cached under the old versions is served as theirs (whether or not the new copy is done by now).
    const repeat = await warm.run<TrendsResult>('trends', Q);
    if (repeat.meta.cached)
      assert.deepEqual([repeat.meta.versions, repeat.result], [before.meta.versions, before.result]);
    else assert.deepEqual([repeat.meta.versions, repeat.result], [now.meta.versions, now.result]);
    // A query on a JSON property is answered from the lake, at the newest versions.
    const lakeOnly = await warm.run<TrendsResult>('trends', BY_CAMPAIGN);
    assert.deepEqual([lakeOnly.meta.versions, lakeOnly.result], [now.meta.versions, (await lake(BY_CAMPAIGN)).result]);

    await log.built(now.meta.versions);
    for (const [q, expected] of [
      [Q, now],
      [TOTAL, nowTotal],
    ] as const) {
      const fresh = await warm.run<TrendsResult>('trends', q);
      assert.deepEqual([fresh.meta.versions, fresh.result], [expected.meta.versions, expected.result]);
    }
    // The stale answers were not cached as the new versions' answer.
    assert.deepEqual((await warm.run<TrendsResult>('trends', TOTAL)).result, nowTotal.result);
  });

  it('answers from the old copy after a silver.identities commit too (persons as they were)', async () => {
    const q = { ...Q, interval: 'week' };
    const before = await lake(q);
    assert.deepEqual((await warm.run<TrendsResult>('trends', Q)).meta.versions, before.meta.versions);
    await writeIdentities(dataDir, { a8: 'u1' });
    const now = await lake(q);
    assert.notDeepEqual(now.result, before.result);
    const stale = await warm.run<TrendsResult>('trends', q);
    assert.deepEqual([stale.meta.versions, stale.result], [before.meta.versions, before.result]);
    await log.built(now.meta.versions);
    const fresh = await warm.run<TrendsResult>('trends', q);
    assert.deepEqual([fresh.meta.versions, fresh.result], [now.meta.versions, now.result]);
  });

  it('waits for a new copy when the copy lacks a commit made longer ago than warmMaxLagMs', async () => {
    assert.deepEqual((await warm.run<TrendsResult>('trends', Q)).meta.versions, (await lake(Q)).meta.versions);
    const version = await appendSilverEvents(dataDir, [{ actor: 'a7', event: AV, at: '2025-01-06T12:00:00Z' }]);
    // Committed two minutes ago, as far as the commit time (the commit file's modification time) says.
    const past = new Date(Date.now() - 120_000);
    const commit = join(dataDir, 'lake', 'silver', 'events', '_delta_log', `${String(version).padStart(20, '0')}.json`);
    await utimes(commit, past, past);
    const now = await lake(Q);
    const answer = await warm.run<TrendsResult>('trends', Q);
    assert.deepEqual([answer.meta.versions, answer.result], [now.meta.versions, now.result]);
  });
});
