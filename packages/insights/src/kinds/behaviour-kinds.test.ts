// Paths, stickiness, lifecycle, affinity and search on hand-built lakes with known answers: session
// boundaries, collapsed repeats, start/end anchors, days active, new/returning/resurrecting/dormant with
// history before the range, co-read and next-read pairs, click-through and refinement windows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InsightEngine } from '../insight-engine.js';
import { appendSilverEvents, tempDataDir, writeIdentities, type FixtureEvent } from '../testing/silver-fixture.js';
import type { AffinityResult } from './affinity.js';
import type { LifecycleResult } from './lifecycle.js';
import type { PathsResult } from './paths.js';
import type { SearchResult } from './search.js';
import type { StickinessResult } from './stickiness.js';

const e = (actor: string, event: string, at: string, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
  actor,
  event,
  at: `2025-01-${at}Z`,
  ...extra,
});
const AV = 'Article Viewed';
const EVENTS: FixtureEvent[] = [
  // Paths: x has two sessions (a 2-hour gap), y one; x repeats Article (collapsed).
  e('x', 'Home', '06T10:00:00'),
  e('x', 'Article', '06T10:01:00'),
  e('x', 'Article', '06T10:02:00'),
  e('x', 'Search', '06T10:03:00'),
  e('x', 'Article', '06T10:04:00'),
  e('x', 'Article', '06T12:30:00'),
  e('x', 'Subscribe', '06T12:31:00'),
  e('y', 'Home', '06T09:00:00'),
  e('y', 'Search', '06T09:01:00'),
  e('y', 'Article', '06T09:02:00'),
  e('y', '$pageview', '06T09:03:00', { page_path: '/home' }),
  e('y', '$pageview', '06T09:04:00', { page_path: '/politics' }),
  // Lifecycle / stickiness (event Login): L1 on 6, 7, 9; L2 on 3 (before the range) and 7; L3 on 8 (device l3b = L1? no: its own person).
  e('l1', 'Login', '06T08:00:00'),
  e('l1b', 'Login', '07T08:00:00'),
  e('l1', 'Login', '09T08:00:00'),
  e('l2', 'Login', '03T08:00:00'),
  e('l2', 'Login', '07T08:00:00'),
  e('l3', 'Login', '08T08:00:00'),
  e('l3', 'Login', '08T09:00:00'),
  // Affinity: r1 news, politics, news (one session); r2 news, politics; r3 news, tech; r4 food.
  e('r1', AV, '06T10:00:00', { section: 'news' }),
  e('r1', AV, '06T10:05:00', { section: 'politics' }),
  e('r1', AV, '06T10:10:00', { section: 'news' }),
  e('r2', AV, '06T10:00:00', { section: 'news' }),
  e('r2', AV, '07T10:00:00', { section: 'politics' }),
  e('r3', AV, '06T10:00:00', { section: 'news' }),
  e('r3', AV, '06T10:01:00', { section: 'tech' }),
  e('r4', AV, '06T10:00:00', { section: 'food' }),
  // Search: s1 brexit → click in 1 min; "Brexit " → refined to "brexit deal" in 2 min (0 results); s2 football → click after 40 min.
  e('s1', 'Search Performed', '06T10:00:00', { search_query: 'brexit', result_count: 5 }),
  e('s1', 'Search Result Clicked', '06T10:01:00'),
  e('s1', 'Search Performed', '06T11:00:00', { search_query: 'Brexit ', result_count: 5 }),
  e('s1', 'Search Performed', '06T11:02:00', { search_query: 'brexit deal', result_count: 0 }),
  e('s2', 'Search Performed', '06T10:00:00', { search_query: 'football', result_count: 3 }),
  e('s2', 'Search Result Clicked', '06T10:40:00'),
];

describe('paths, stickiness, lifecycle, affinity, search', () => {
  let engine: InsightEngine;
  const run = async <R>(kind: string, q: object): Promise<R> =>
    (await engine.run<R>(kind, { dateRange: { from: '2025-01-06', to: '2025-01-09' }, ...q })).result;
  const links = (r: PathsResult): string[] => r.links.map((l) => `${l.source}>${l.target}:${l.value}`).sort();

  before(async () => {
    const dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, [...EVENTS].reverse());
    await writeIdentities(dataDir, { l1b: 'l1' });
    engine = await InsightEngine.create({ dataDir });
  });
  after(async () => engine.close());

  it('paths from a start event: levels within the session, repeats collapsed', async () => {
    const r = await run<PathsResult>('paths', { start: 'Home', steps: 3 });
    assert.deepEqual(links(r), [
      '1_Home>2_Article:1',
      '1_Home>2_Search:1',
      '2_Article>3_Search:1',
      '2_Search>3_Article:1',
    ]);
    assert.equal(r.sessions, 2);
    assert.deepEqual(
      r.nodes.filter((n) => n.level === 1).map((n) => [n.name, n.value]),
      [['Home', 2]],
    );
  });

  it('paths to an end event stay inside the session that reached it', async () => {
    const r = await run<PathsResult>('paths', { end: 'Subscribe', steps: 3 });
    assert.deepEqual(links(r), ['2_Article>3_Subscribe:1']);
    const both = await run<PathsResult>('paths', {
      start: 'Home',
      end: 'Article',
      steps: 4,
      exclude: ['Login', AV, 'Search Performed', 'Search Result Clicked'],
    });
    assert.deepEqual(links(both), ['1_Home>2_Article:1', '1_Home>2_Search:1', '2_Search>3_Article:1']);
    const pages = await run<PathsResult>('paths', { nodeType: 'page' });
    assert.deepEqual(links(pages), ['1_/home>2_/politics:1']);
  });

  it('stickiness: persons by days active in the range', async () => {
    const r = await run<StickinessResult>('stickiness', { event: { event: 'Login' } });
    assert.equal(r.periods, 4);
    assert.deepEqual(
      r.counts.map((c) => c.persons),
      [2, 0, 1, 0],
    );
  });

  it('lifecycle: new, returning, resurrecting and dormant per day, with history before the range', async () => {
    const r = await run<LifecycleResult>('lifecycle', { event: { event: 'Login' } });
    assert.deepEqual(
      r.buckets.map((b) => b.slice(8, 10)),
      ['06', '07', '08', '09'],
    );
    assert.deepEqual(r.new, [1, 0, 1, 0]);
    assert.deepEqual(r.returning, [0, 1, 0, 0]);
    assert.deepEqual(r.resurrecting, [0, 1, 0, 1]);
    assert.deepEqual(r.dormant, [0, 0, -2, -1]);
  });

  it('affinity: co-read support, confidence and lift', async () => {
    const r = await run<AffinityResult>('affinity', {});
    assert.equal(r.total, 4);
    const np = r.pairs.find((p) => p.from === 'news' && p.to === 'politics')!;
    assert.deepEqual([np.count, np.support, np.confidence, np.lift], [2, 0.5, 2 / 3, 2 / 3 / (2 / 4)]);
    const pn = r.pairs.find((p) => p.from === 'politics' && p.to === 'news')!;
    assert.deepEqual([pn.confidence, pn.lift], [1, 1 / (3 / 4)]);
    assert.equal(
      r.pairs.some((p) => p.from === 'food' || p.to === 'food'),
      false,
    );
    assert.equal((await run<AffinityResult>('affinity', { minSupport: 2 })).pairs.length, 2);
  });

  it('affinity: next read within a session', async () => {
    const r = await run<AffinityResult>('affinity', { mode: 'next_read' });
    // Transitions: r1 news→politics, politics→news; r3 news→tech (r2's reads are a day apart: two sessions).
    assert.equal(r.total, 3);
    const by = Object.fromEntries(r.pairs.map((p) => [`${p.from}>${p.to}`, p.confidence]));
    assert.deepEqual(by, { 'news>politics': 0.5, 'news>tech': 0.5, 'politics>news': 1 });
  });

  it('search: per query click-through, refinement and zero results', async () => {
    const r = await run<SearchResult>('search', {});
    const by = Object.fromEntries(
      r.topQueries.map((s) => [s.query, [s.searches, s.clickThroughRate, s.refinementRate, s.zeroResultSearches]]),
    );
    assert.deepEqual(by, { brexit: [2, 0.5, 0.5, 0], 'brexit deal': [1, 0, 0, 1], football: [1, 0, 0, 0] });
    assert.deepEqual(
      r.zeroResultQueries.map((s) => s.query),
      ['brexit deal'],
    );
    assert.deepEqual(r.totals, { searches: 4, zeroResultRate: 0.25, clickThroughRate: 0.25, refinementRate: 0.25 });
  });

  it('empty ranges answer empty results', async () => {
    const dateRange = { from: '2024-01-01', to: '2024-01-02' };
    assert.deepEqual((await run<PathsResult>('paths', { dateRange })).links, []);
    assert.deepEqual((await run<AffinityResult>('affinity', { dateRange })).pairs, []);
    assert.equal((await run<SearchResult>('search', { dateRange })).totals.clickThroughRate, null);
    assert.deepEqual((await run<LifecycleResult>('lifecycle', { event: { event: 'Login' }, dateRange })).new, [0, 0]);
  });
});
