// Trending now on a hand-built bronze.events: decay ranks recent views first, bots are ignored, velocity is
// against the article's own baseline, filters by section, and a new bronze commit shows up on the next call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appendBronze, type BronzeRow } from '@lens/prism';
import { InsightEngine } from '../insight-engine.js';
import { tempDataDir } from '../testing/silver-fixture.js';
import type { TrendingResult } from './trending-query.js';

let offset = 0;
function view(article: string, section: string, at: string, bot = false): BronzeRow {
  return {
    message_id: `t${offset}`,
    source_id: 'web',
    type: 'track',
    event: 'Article Viewed',
    name: null,
    category: null,
    user_id: null,
    anonymous_id: `anon-${offset % 7}`,
    group_id: null,
    previous_id: null,
    timestamp: at,
    original_timestamp: null,
    sent_at: null,
    received_at: at,
    context: null,
    properties: JSON.stringify({ article_id: article, section, site: 'daily' }),
    traits: null,
    integrations: null,
    extra: null,
    request_ip: null,
    is_bot: bot,
    log_partition: 0,
    log_offset: offset++,
    event_date: at.slice(0, 10),
  };
}
const NOW = '2025-01-06T12:00:00.000Z';
const minus = (minutes: number): string => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();

describe('trending now', () => {
  let engine: InsightEngine;
  let dataDir: string;
  before(async () => {
    dataDir = await tempDataDir();
    await appendBronze(dataDir, [
      view('art1', 'news', minus(10)),
      view('art1', 'news', minus(5)),
      view('art1', 'news', minus(2)),
      ...Array.from({ length: 5 }, () => view('art2', 'sport', minus(55))),
      ...Array.from({ length: 24 }, (_, h) => view('art2', 'sport', minus(90 + h * 60))),
      ...Array.from({ length: 10 }, () => view('art3', 'news', minus(1), true)),
      view('art4', 'news', minus(90)),
    ]);
    engine = await InsightEngine.create({ dataDir });
  });
  after(async () => engine.close());

  it('ranks by decayed views with velocity against the own baseline, bots and stale articles left out', async () => {
    const r: TrendingResult = await engine.trending({ now: NOW });
    assert.deepEqual(
      r.articles.map((a) => a.articleId),
      ['art1', 'art2'],
    );
    const [a1, a2] = r.articles;
    assert.ok(Math.abs(a1!.score - (2 ** (-10 / 15) + 2 ** (-5 / 15) + 2 ** (-2 / 15))) < 1e-9);
    assert.equal(a1!.velocity, 72);
    assert.equal(a2!.views, 5);
    assert.ok(Math.abs(a2!.velocity - 5 / (25 / 24)) < 1e-9);
    assert.equal(a2!.baselineViewsPerHour, 1);
  });

  it('filters by section and sees a new bronze commit on the next call', async () => {
    assert.deepEqual(
      (await engine.trending({ now: NOW, section: 'sport' })).articles.map((a) => a.articleId),
      ['art2'],
    );
    await appendBronze(
      dataDir,
      Array.from({ length: 10 }, () => view('art2', 'sport', minus(1))),
    );
    const r = await engine.trending({ now: NOW });
    assert.equal(r.bronzeVersion, 2);
    assert.deepEqual(
      r.articles.map((a) => [a.articleId, a.views]),
      [
        ['art2', 15],
        ['art1', 3],
      ],
    );
  });

  it('rejects a bad parameter naming it', async () => {
    await assert.rejects(engine.trending({ minutes: 0 }), /minutes/);
  });
});
