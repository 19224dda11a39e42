// Recovers the planted structure from generated events the way an analysis would (identity stitching,
// 30-minute sessions, consecutive events) and checks it against the stated parameters within tolerance.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrackingEvent } from '@lens/protocol';
import { ArticleCatalog } from './article-catalog.js';
import { BOT_USER_AGENTS } from './device-profiles.js';
import type { LabelledEvent } from './event-factory.js';
import { generateLabelledEvents } from './generate-events.js';
import { SECTIONS } from './media-group.js';
import {
  BOTS,
  FUNNEL,
  POPULARITY,
  RECOMMENDATIONS,
  SEARCH,
  SEGMENT_SECTION_PREFERENCE,
  retentionRate,
  sectionAffinity,
  type Segment,
} from './planted-truths.js';

const OPTIONS = { seed: 42, users: 5000, days: 56 } as const;
const WEEK = 7 * 86_400_000;
const all: LabelledEvent[] = [...generateLabelledEvents(OPTIONS)];
const humans = all.filter((l) => !l.bot && l.malformed === undefined);
const tracks = (name: string) => humans.filter((l) => l.event.event === name);
const props = (e: TrackingEvent) => e.properties as Record<string, any>;

/** Passes when `actual` is within 3.5 standard errors (plus a small model slack) of the planted p. */
function assertRate(label: string, actual: number, p: number, n: number, slack = 0.005): void {
  const tolerance = 3.5 * Math.sqrt((p * (1 - p)) / Math.max(1, n)) + slack;
  assert.ok(
    Math.abs(actual - p) <= tolerance,
    `${label}: measured ${actual.toFixed(4)} vs planted ${p} (n=${n}, ±${tolerance.toFixed(4)})`,
  );
}

describe('planted truths', () => {
  it('funnel: Article Viewed → Paywall Shown → Subscription Started at the planted step rates', () => {
    const views = tracks('Article Viewed').filter((l) => props(l.event).subscriber === false);
    const paywalls = tracks('Paywall Shown');
    const subs = tracks('Subscription Started');
    assertRate(
      'paywall per non-subscriber view',
      paywalls.length / views.length,
      FUNNEL.paywallPerArticleView,
      views.length,
    );
    assertRate('subscription per paywall', subs.length / paywalls.length, FUNNEL.subscribePerPaywall, paywalls.length);
  });

  it('retention: weekly cohorts (by first event, identities stitched) follow the planted curves, campaign cohort lower', () => {
    const userOfAnon = new Map<string, string>();
    for (const { event } of humans)
      if (typeof event.userId === 'string') userOfAnon.set(event.anonymousId as string, event.userId);
    const weeksOf = new Map<string, Set<number>>();
    for (const { event, time } of humans) {
      const key =
        typeof event.userId === 'string'
          ? event.userId
          : (userOfAnon.get(event.anonymousId as string) ?? (event.anonymousId as string));
      const weeks = weeksOf.get(key) ?? new Set<number>();
      weeks.add(Math.floor((time - Date.parse('2025-01-06T00:00:00Z')) / WEEK));
      weeksOf.set(key, weeks);
    }
    assert.equal(weeksOf.size, new Set(humans.map((l) => l.person)).size, 'stitching must give one key per person');
    for (const cohort of [0, 1, 2, 3]) {
      const members = [...weeksOf.values()].filter((w) => Math.min(...w) === cohort);
      for (const k of [1, 2, 4]) {
        const active = members.filter((w) => w.has(cohort + k)).length;
        assertRate(
          `cohort ${cohort} week ${k}`,
          active / members.length,
          retentionRate(cohort, k),
          members.length,
          0.02,
        );
      }
    }
  });

  it('co-reading affinity: the next article of a session follows the planted section transitions', () => {
    const matrix = sectionAffinity();
    const counts = new Map<string, number>();
    const rows = new Map<string, number>();
    const lastView = new Map<string, { section: string; time: number }>();
    for (const { event, time } of tracks('Article Viewed')) {
      const prev = lastView.get(event.anonymousId as string);
      const section = props(event).section as string;
      if (prev !== undefined && time - prev.time < 30 * 60_000) {
        counts.set(`${prev.section}>${section}`, (counts.get(`${prev.section}>${section}`) ?? 0) + 1);
        rows.set(prev.section, (rows.get(prev.section) ?? 0) + 1);
      }
      lastView.set(event.anonymousId as string, { section, time });
    }
    for (const from of SECTIONS)
      for (const to of SECTIONS) {
        const n = rows.get(from) ?? 0;
        assertRate(`P(${to} | ${from})`, (counts.get(`${from}>${to}`) ?? 0) / n, matrix[from][to], n, 0.01);
      }
  });

  it('section preference per segment: the first article of each session', () => {
    const firsts = new Map<Segment, Map<string, number>>();
    const lastTime = new Map<string, number>();
    for (const { event, time, segment } of tracks('Article Viewed')) {
      const anon = event.anonymousId as string;
      if (time - (lastTime.get(anon) ?? -Infinity) > 30 * 60_000) {
        const bySection = firsts.get(segment as Segment) ?? new Map<string, number>();
        bySection.set(props(event).section, (bySection.get(props(event).section) ?? 0) + 1);
        firsts.set(segment as Segment, bySection);
      }
      lastTime.set(anon, time);
    }
    for (const [segment, bySection] of firsts) {
      const n = [...bySection.values()].reduce((a, b) => a + b, 0);
      for (const section of SECTIONS)
        assertRate(
          `${segment} ${section}`,
          (bySection.get(section) ?? 0) / n,
          SEGMENT_SECTION_PREFERENCE[segment][section],
          n,
          0.01,
        );
    }
  });

  it('popularity: Zipf by rank within a section-day (fitted exponent) and a heavy tail overall', () => {
    const catalog = new ArticleCatalog(OPTIONS.seed);
    const byRank = new Array<number>(6).fill(0);
    const perArticle = new Map<string, number>();
    for (const { event } of tracks('Article Viewed')) {
      const { article_id: id, section } = props(event);
      perArticle.set(id, (perArticle.get(id) ?? 0) + 1);
      const day = parseInt(String(id).split('-')[1] ?? '', 36);
      const list = catalog.articlesOf(section, day);
      const rank = list.findIndex((a) => a.id === id);
      assert.ok(rank >= 0, `unknown article ${String(id)}`);
      if (!(list[0] as { breaking: boolean }).breaking && rank < byRank.length) byRank[rank] = (byRank[rank] ?? 0) + 1;
    }
    const xs = byRank.map((_, r) => Math.log(r + 1));
    const ys = byRank.map((c) => Math.log(c));
    const mx = xs.reduce((a, b) => a + b) / xs.length;
    const my = ys.reduce((a, b) => a + b) / ys.length;
    const slope =
      xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] as number) - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    assert.ok(
      Math.abs(-slope - POPULARITY.zipfExponent) < 0.1,
      `fitted Zipf exponent ${(-slope).toFixed(3)} vs ${POPULARITY.zipfExponent}`,
    );
    const sorted = [...perArticle.values()].sort((a, b) => b - a);
    const top = sorted.slice(0, Math.ceil(sorted.length / 10)).reduce((a, b) => a + b, 0);
    const share = top / sorted.reduce((a, b) => a + b, 0);
    assert.ok(share > 0.35, `top 10% of articles get ${(share * 100).toFixed(1)}% of views`);
  });

  it('recommendation click-through and search zero-result rates', () => {
    const shown = tracks('Recommendation Shown');
    const clicked = tracks('Recommendation Clicked');
    for (const list of Object.keys(
      RECOMMENDATIONS.clickThroughRate,
    ) as (keyof typeof RECOMMENDATIONS.clickThroughRate)[]) {
      const n = shown.filter((l) => props(l.event).list_id === list).length;
      const c = clicked.filter((l) => props(l.event).list_id === list).length;
      assertRate(`CTR ${list}`, c / n, RECOMMENDATIONS.clickThroughRate[list], n);
    }
    const searches = tracks('Search Performed');
    const zero = searches.filter((l) => props(l.event).result_count === 0).length;
    assertRate('zero-result searches', zero / searches.length, SEARCH.zeroResultRate, searches.length);
  });

  it('bots: the planted share of users, crawler user agents only on bots, inhuman rates', () => {
    const people = new Map<number, boolean>();
    for (const { person, bot } of all) people.set(person, bot);
    const bots = [...people.values()].filter(Boolean).length;
    assertRate('bot share of users', bots / people.size, BOTS.userShare, people.size, 0);
    const gaps: number[] = [];
    const last = new Map<number, number>();
    for (const { event, bot, person, time, malformed } of all) {
      if (malformed !== undefined) continue;
      const ua = (event.context as { userAgent?: string }).userAgent;
      assert.equal(
        ua !== undefined && BOT_USER_AGENTS.includes(ua),
        bot,
        `user agent ${String(ua)} on a ${bot ? 'bot' : 'human'}`,
      );
      if (bot && event.type === 'page') {
        const prev = last.get(person);
        if (prev !== undefined && time - prev < 60_000) gaps.push(time - prev);
        last.set(person, time);
      }
    }
    gaps.sort((a, b) => a - b);
    assert.ok((gaps[gaps.length >> 1] as number) < 2500, `median bot page gap ${gaps[gaps.length >> 1]} ms`);
  });
});
