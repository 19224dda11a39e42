// The typed-array kernels (ordered funnels, event paths) give the general SQL's answers: a direct check of the
// funnel kernel on hand-made columns, then a random lake (ties, repeats, identity merges, session gaps) queried
// with the kernels on and off — windows, exclusions, breakdowns, time zones, filters, sampling and
// person-scoped filters; paths from a start, to an end, both, none, with exclusions and session gaps. (A person-scoped
// breakdown is not compared: its mode() picks arbitrarily between equally frequent values, run to run.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InsightEngine } from '../insight-engine.js';
import { appendSilverEvents, tempDataDir, writeIdentities, type FixtureEvent } from '../testing/silver-fixture.js';
import { MASK_SPAN, duckMedian, funnelKernel } from './funnel-kernel.js';
import { FunnelQuery, type FunnelResult } from './funnels.js';
import type { PathsResult } from './paths.js';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Numbers equal to 1e-9 relative (averages sum in a different order); everything else exactly. */
function assertClose(a: unknown, b: unknown, path = '$'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${path}: ${a} vs ${b}`);
    return;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), path);
    for (const k of Object.keys(a))
      assertClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  assert.equal(a, b, path);
}

describe('typed-array kernels', () => {
  it("follows entries to the earliest next step inside the window and keeps each person's furthest attempt", () => {
    const q = FunnelQuery.parse({
      steps: [{ event: 'A' }, { event: 'B' }, { event: 'C' }],
      window: { value: 10, unit: 'second' },
      dateRange: { last: 1, unit: 'day' },
    });
    const s = 1_000_000;
    // Person 1: A@0 B@5 C@10 (window edge, inclusive) → 3; person 2: A@0 B@11 (too late), A@20 B@20 (not after) B@25 → 2 from t1 = 20;
    // person 3: A@1, a row matching B and C at once @2 (C must come strictly after B), C@3 → 3.
    const rows: [number, number, number][] = [
      [1, 0, 1],
      [1, 5, 2],
      [1, 10, 4],
      [2, 0, 1],
      [2, 11, 2],
      [2, 20, 1],
      [2, 20, 2],
      [2, 25, 2],
      [3, 1, 1],
      [3, 2, 6],
      [3, 3, 4],
    ];
    const shuffled = [...rows].reverse();
    const cols = {
      rows: rows.length,
      names: ['pm', 't'],
      cols: [Float64Array.from(shuffled, (r) => r[0] * MASK_SPAN + r[2]), Float64Array.from(shuffled, (r) => r[1] * s)],
    };
    const out = funnelKernel(q, cols, 10, 0, 100 * s);
    const total = out.find((r) => r['total'] === 1)!;
    assert.deepEqual([total['c1'], total['c2'], total['c3']], [3, 3, 2]);
    // B − A: 5 (p1), 5 (p2), 1 (p3) → median 5; C − B: 5, 1.
    assert.equal(total['med2'], 5);
    assert.equal(total['med3'], 3);
    assert.deepEqual(
      (total['conv'] as number[]).sort((a, b) => a - b),
      [2, 10],
    );
    assert.equal(duckMedian([1, 2, 4, 8]), 3);
    assert.equal(duckMedian([]), null);
  });

  describe('equals the general SQL on random lakes', () => {
    let dataDir: string;
    let fast: InsightEngine;
    let sql: InsightEngine;
    const EVENTS = ['A', 'B', 'C', 'D', 'Refund', 'Other'];
    const SECTIONS = ['news', 'sport', 'tech', null];

    before(async () => {
      dataDir = await tempDataDir();
      const r = rng(7);
      const events: FixtureEvent[] = [];
      const base = Date.parse('2025-03-24T00:00:00Z'); // the London DST change is on the 30th
      for (let p = 0; p < 150; p++) {
        const n = 1 + Math.floor(r() * 25);
        let t = base + Math.floor(r() * 10 * 86_400) * 1000;
        let section: string | null = null;
        for (let k = 0; k < n; k++) {
          // Mostly minutes apart, sometimes the same instant (ties), sometimes days. Events at the same instant
          // share the section: which of two tied entries SQL keeps is arbitrary, so their breakdown must agree.
          const gap = r() < 0.15 ? 0 : r() < 0.8 ? Math.floor(r() * 3600) * 1000 : Math.floor(r() * 3 * 86_400) * 1000;
          t += gap;
          if (gap > 0 || k === 0) section = SECTIONS[Math.floor(r() * SECTIONS.length)]!;
          events.push({
            actor: r() < 0.2 ? `d${p}b` : `d${p}`,
            event: EVENTS[Math.floor(r() * EVENTS.length)]!,
            at: new Date(t).toISOString(),
            ...(section ? { section } : {}),
          });
        }
      }
      await appendSilverEvents(dataDir, events.slice(0, 900));
      await appendSilverEvents(dataDir, events.slice(900));
      // Some second devices belong to their person (an identity merge), others stay separate.
      await writeIdentities(
        dataDir,
        Object.fromEntries(
          Array.from({ length: 75 }, (_, p) => [`d${p * 2}b`, `u${p * 2}`]).concat(
            Array.from({ length: 75 }, (_, p) => [`d${p * 2}`, `u${p * 2}`]),
          ),
        ),
      );
      fast = await InsightEngine.create({ dataDir, cacheSize: 0 });
      sql = await InsightEngine.create({ dataDir, cacheSize: 0, kernels: false });
    });
    after(async () => {
      await fast.close();
      await sql.close();
    });

    const range = { from: '2025-03-25', to: '2025-04-01' };
    const QUERIES: [string, object][] = [
      [
        'three steps, one day',
        { steps: [{ event: 'A' }, { event: 'B' }, { event: 'C' }], window: { value: 1, unit: 'day' } },
      ],
      [
        'four steps, repeats, one hour',
        { steps: [{ event: 'A' }, { event: 'B' }, { event: 'A' }, { event: 'C' }], window: { value: 1, unit: 'hour' } },
      ],
      [
        'exclusions',
        {
          steps: [{ event: 'A' }, { event: 'B' }, { event: 'C' }],
          exclusions: [
            { event: 'Refund', fromStep: 1, toStep: 2 },
            { event: 'D', fromStep: 2, toStep: 3 },
          ],
          window: { value: 2, unit: 'day' },
        },
      ],
      [
        'breakdown, London time',
        {
          steps: [{ event: 'A' }, { event: 'B' }],
          breakdown: { property: 'section', limit: 2 },
          timezone: 'Europe/London',
          window: { value: 6, unit: 'hour' },
        },
      ],
      [
        'step filters and $any',
        {
          steps: [
            { event: 'A', filters: [{ property: 'section', op: 'in', value: ['news', 'tech'] }] },
            { event: '$any' },
            { event: 'C' },
          ],
          window: { value: 30, unit: 'minute' },
        },
      ],
      [
        'global and person-scoped filters, sampled',
        {
          steps: [{ event: 'B' }, { event: 'C' }],
          filters: [
            { property: 'section', op: 'neq', value: 'sport' },
            { property: 'section', value: 'tech', scope: 'person' },
          ],
          sample: 0.6,
        },
      ],
    ];
    for (const [name, q] of QUERIES) {
      it(name, async () => {
        const query = { dateRange: range, ...q };
        const [a, b] = [await fast.run<FunnelResult>('funnels', query), await sql.run<FunnelResult>('funnels', query)];
        assert.ok(b.result.steps[0]!.count > 0, 'the query has entries');
        assertClose(a.result, b.result);
      });
    }

    const PATHS: [string, object][] = [
      ['paths: first steps of every session', { steps: 5 }],
      [
        'paths: from a start, short sessions, excluded events',
        { start: 'A', steps: 4, sessionGapMinutes: 20, exclude: ['Other'] },
      ],
      ['paths: to an end', { end: 'C', steps: 3 }],
      [
        'paths: from a start to an end, filtered',
        { start: 'B', end: 'D', steps: 6, filters: [{ property: 'section', op: 'neq', value: 'news' }] },
      ],
      [
        'paths: London time range, person-scoped filter',
        { steps: 3, timezone: 'Europe/London', filters: [{ property: 'section', value: 'sport', scope: 'person' }] },
      ],
    ];
    for (const [name, q] of PATHS) {
      it(name, async () => {
        const query = { dateRange: range, ...q };
        const [a, b] = [await fast.run<PathsResult>('paths', query), await sql.run<PathsResult>('paths', query)];
        assert.ok(b.result.sessions > 0 && b.result.links.length > 0, 'the query finds paths');
        assert.deepEqual(a.result, b.result);
      });
    }
  });
});
