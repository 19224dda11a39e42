// A small, hand-made served version in a KeyValueStore (as `loadRecommendations` would write it), so the
// service and HTTP tests can assert exact lists.
import type { KeyValueStore } from '../kv/key-value-store.js';
import {
  articleKey,
  identityKey,
  personKey,
  POINTER_KEY,
  trendingKey,
  type CurrentVersion,
  type StoredItem,
} from '../serving/kv-layout.js';

/** The data clock of the synthetic version: 2025-03-01T12:00Z. */
export const SYNTHETIC_NOW = Date.parse('2025-03-01T12:00:00Z');
const hoursAgo = (h: number): number => SYNTHETIC_NOW - h * 3_600_000;
const it = (a: string, s: number, r: string, sec: string, site: string, ageH: number, b?: string): StoredItem => ({
  a,
  s,
  r,
  sec,
  site,
  pub: hoursAgo(ageH),
  ...(b ? { b } : {}),
});

export const NORTHWIND = 'www.northwind-daily.example';
export const PITCHSIDE = 'www.pitchside.example';

/** Writes version `v1` (person u1 with device d1, article pol-1's neighbours, trending) and points at it. */
export async function writeSyntheticVersion(store: KeyValueStore, loadedAt = SYNTHETIC_NOW): Promise<void> {
  const v = 'v1';
  const pointer: CurrentVersion = { version: v, computedAt: SYNTHETIC_NOW, loadedAt, tables: {} };
  await store.putMany([
    {
      key: personKey(v, 'u1'),
      value: JSON.stringify([
        it('foo-1', 0.9, 'section_affinity', 'football', PITCHSIDE, 2),
        it('foo-2', 0.8, 'co_read', 'football', PITCHSIDE, 3, 'foo-0'),
        it('new-old', 0.7, 'section_affinity', 'news', NORTHWIND, 60),
        it('mot-1', 0.5, 'section_affinity', 'motorsport', PITCHSIDE, 10),
      ]),
    },
    { key: identityKey(v, 'd1'), value: 'u1' },
    {
      key: articleKey(v, 'pol-1'),
      value: JSON.stringify([
        it('opi-1', 0.4, 'section_co_read', 'opinion', NORTHWIND, 5),
        it('pol-1', 0.3, 'co_read', 'politics', NORTHWIND, 1),
        it('pol-2', 0.2, 'co_read', 'politics', NORTHWIND, 4),
      ]),
    },
    {
      key: trendingKey(v, '*'),
      value: JSON.stringify([
        it('new-1', 50, 'trending', 'news', NORTHWIND, 1),
        it('foo-1', 40, 'trending', 'football', PITCHSIDE, 2),
        it('pol-2', 30, 'trending', 'politics', NORTHWIND, 4),
        it('foo-3', 20, 'trending', 'food', 'www.hearthandtable.example', 30),
      ]),
    },
    {
      key: trendingKey(v, PITCHSIDE),
      value: JSON.stringify([
        it('foo-1', 40, 'trending', 'football', PITCHSIDE, 2),
        it('mot-2', 10, 'trending', 'motorsport', PITCHSIDE, 8),
      ]),
    },
    { key: POINTER_KEY, value: JSON.stringify(pointer) },
  ]);
}
