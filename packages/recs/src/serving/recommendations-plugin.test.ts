// GET /v1/recommendations through Fastify inject on a hand-made served version: person lists (by user id
// and by a linked device), context neighbours, trending fallbacks, age limits, site filter, top-up, errors.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMemoryKeyValueStore } from '../kv/adapters/memory/index.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { PITCHSIDE, SYNTHETIC_NOW, writeSyntheticVersion } from '../testing/synthetic-store.js';
import { recommendationsPlugin } from './recommendations-plugin.js';
import { createMemoryServedListLog } from './served-list-log.js';

let store: KeyValueStore;
let app: FastifyInstance;
let log: ReturnType<typeof createMemoryServedListLog>;

beforeEach(async () => {
  store = createMemoryKeyValueStore();
  log = createMemoryServedListLog();
  app = Fastify();
  await app.register(recommendationsPlugin({ store, servedLog: log, now: () => SYNTHETIC_NOW, maxK: 20 }));
});

const get = async (query: string): Promise<{ status: number; body: any }> => {
  const res = await app.inject({ method: 'GET', url: `/v1/recommendations?${query}` });
  return { status: res.statusCode, body: res.json() };
};
const ids = (body: any): string[] => body.items.map((i: any) => i.articleId);

test('503 until a version is loaded, then 200', async () => {
  const unloaded = await app.inject({ url: '/v1/recommendations?userId=u1' });
  assert.equal(unloaded.statusCode, 503);
  assert.equal(unloaded.json().error.code, 'not_loaded');
  assert.match(unloaded.json().error.message, /lens recs load/);
  assert.equal(unloaded.headers['retry-after'], '30');
  await writeSyntheticVersion(store);
  assert.equal((await get('userId=u1')).status, 503, 'the pointer is cached for a second');
  const fresh = Fastify();
  await fresh.register(recommendationsPlugin({ store, now: () => SYNTHETIC_NOW }));
  assert.equal((await fresh.inject({ url: '/v1/recommendations?userId=u1' })).statusCode, 200);
});

test('a known person gets their list with reasons; stale articles (section age limit) are left out; topped up from trending', async () => {
  await writeSyntheticVersion(store);
  const { status, body } = await get('userId=u1&k=5');
  assert.equal(status, 200);
  assert.equal(body.source, 'person');
  assert.equal(body.personId, 'u1');
  assert.deepEqual(ids(body), ['foo-1', 'foo-2', 'mot-1', 'new-1', 'pol-2']); // new-old is 60 h old: news allows 48 h
  assert.deepEqual(
    body.items.map((i: any) => i.reason),
    ['section_affinity', 'co_read', 'section_affinity', 'trending', 'trending'],
  );
  assert.equal(body.items[1].becauseArticleId, 'foo-0');
  assert.deepEqual(
    body.items.map((i: any) => i.position),
    [1, 2, 3, 4, 5],
  );
  // Scores follow the list order: the trending top-ups below the person's last item, not at their raw views.
  const scores: number[] = body.items.map((i: any) => i.score);
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i]! <= scores[i - 1]!, `scores in order: ${scores}`);
  assert.ok(scores[3]! > 0);
  assert.match(body.listId, /^[0-9a-f-]{36}$/);
  assert.equal(log.entries.length, 1);
  assert.equal(log.entries[0]!.listId, body.listId);
});

test('a device linked to the person gets the person list; an unknown one with context gets neighbours, never the context itself', async () => {
  await writeSyntheticVersion(store);
  assert.equal((await get('anonymousId=d1&k=2')).body.personId, 'u1');
  const ctx = await get('anonymousId=stranger&context=pol-1&k=3');
  assert.equal(ctx.body.source, 'context');
  assert.deepEqual(ids(ctx.body), ['opi-1', 'pol-2', 'new-1']);
  const both = await get('userId=u1&context=pol-1&k=3');
  assert.equal(both.body.source, 'person+context');
  assert.deepEqual(ids(both.body), ['foo-1', 'opi-1', 'foo-2']);
  for (const item of both.body.items as { score: number }[])
    assert.equal(
      item.score,
      Math.round(item.score * 1e6) / 1e6,
      `blended scores rounded like stored ones: ${item.score}`,
    );
});

test('nobody known and no context: trending, per site when asked; exclude removes articles', async () => {
  await writeSyntheticVersion(store);
  const all = await get('anonymousId=nobody&k=3');
  assert.equal(all.body.source, 'trending');
  assert.deepEqual(ids(all.body), ['new-1', 'foo-1', 'pol-2']);
  const site = await get(`k=5&site=${PITCHSIDE}&exclude=foo-1`);
  assert.deepEqual(ids(site.body), ['mot-2']);
  assert.ok(site.body.items.every((i: any) => i.site === PITCHSIDE));
});

test('lists age with the clock: an hour-2 article disappears once past its limit', async () => {
  await writeSyntheticVersion(store);
  const later = Fastify();
  await later.register(recommendationsPlugin({ store, now: () => SYNTHETIC_NOW + 47 * 3_600_000 }));
  const body = (await later.inject({ url: '/v1/recommendations?userId=u1&k=10' })).json();
  assert.ok(!ids(body).includes('foo-1'), 'football: 48 h limit, foo-1 is now 49 h old');
  assert.ok(ids(body).includes('mot-1'), 'motorsport: default 72 h, mot-1 is 57 h old');
});

test('invalid requests are 400 with a message (unknown parameters are ignored)', async () => {
  await writeSyntheticVersion(store);
  for (const q of ['k=0', 'k=21', 'k=abc', 'k=Infinity', 'userId=', `context=${'x'.repeat(300)}`]) {
    const { status, body } = await get(q);
    assert.equal(status, 400, q);
    assert.equal(body.error.code, 'invalid_query', q);
    assert.equal(typeof body.error.message, 'string', q);
    assert.ok(['k', 'userId', 'context'].includes(body.error.field), `${q}: names the parameter`);
  }
});

test('a HEAD is answered without a list: nothing is logged as served', async () => {
  await writeSyntheticVersion(store);
  const head = await app.inject({ method: 'HEAD', url: '/v1/recommendations?userId=u1&k=5' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.body, '');
  assert.equal((await app.inject({ method: 'HEAD', url: '/v1/recommendations?k=0' })).statusCode, 400);
  assert.equal(log.entries.length, 0);
  await get('userId=u1&k=5');
  assert.equal(log.entries.length, 1, 'a GET is logged');
});
