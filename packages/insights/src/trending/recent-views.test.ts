// The in-memory views behind trending now: late rows merged into time order, window and baseline edges
// (start exclusive, end inclusive), per-row site/section filters, ties broken by article id, old rows dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentViews } from './recent-views.js';

const MIN = 60_000_000;
const row = (min: number, articleId: string | null, section = 'news', site = 'a') => ({
  tsUs: min * MIN,
  articleId,
  section,
  site,
});
const window = { nowUs: 100 * MIN, windowStartUs: 40 * MIN, baselineStartUs: 0, halfLifeMinutes: 15, limit: 10 };

describe('recent views', () => {
  it('ranks the window with decayed scores and counts the baseline, late rows included', () => {
    const v = new RecentViews();
    v.add([row(90, 'x'), row(100, 'y'), row(40, 'y'), row(101, 'x')]);
    // A later batch holding older rows (late events) is merged into time order.
    v.add([row(70, 'x'), row(10, 'x'), row(0, 'x'), row(60, null)]);
    const r = v.rank(window);
    assert.deepEqual(
      r.map((a) => [a.articleId, a.views, a.baseline]),
      [
        ['y', 1, 1],
        ['x', 2, 1],
      ],
    );
    assert.ok(Math.abs(r[1]!.score - (2 ** (-10 / 15) + 2 ** (-30 / 15))) < 1e-12);
    assert.equal(r[0]!.score, 1);
  });

  it('filters rows by site and section, an unknown value matching nothing; ties by article id', () => {
    const v = new RecentViews();
    v.add([row(50, 'b', 'sport'), row(50, 'a', 'sport'), row(50, 'c', 'news'), row(50, 'd', 'sport', 'other')]);
    assert.deepEqual(
      v.rank({ ...window, section: 'sport', site: 'a' }).map((a) => a.articleId),
      ['a', 'b'],
    );
    assert.deepEqual(v.rank({ ...window, section: 'culture' }), []);
    assert.deepEqual(
      v.rank({ ...window, limit: 2 }).map((a) => a.articleId),
      ['a', 'b'],
    );
  });

  it('drops rows up to a time', () => {
    const v = new RecentViews();
    v.add([row(10, 'x'), row(20, 'x'), row(50, 'x'), row(60, 'y')]);
    assert.equal(v.dropUntil(20 * MIN, 3), false, 'fewer than asked: kept');
    assert.equal(v.length, 4);
    assert.equal(v.dropUntil(20 * MIN), true);
    assert.equal(v.length, 2);
    assert.deepEqual(
      v.rank({ ...window, windowStartUs: 0 }).map((a) => [a.articleId, a.views]),
      [
        ['y', 1],
        ['x', 1],
      ],
    );
    // Articles are renumbered after a drop; new rows still find theirs.
    v.add([row(70, 'y'), row(80, 'z')]);
    assert.deepEqual(
      v.rank({ ...window, windowStartUs: 0 }).map((a) => [a.articleId, a.views]),
      [
        ['y', 2],
        ['z', 1],
        ['x', 1],
      ],
    );
  });
});
