// Answers served again: `recommendJson` gives the bytes `responseJson(recommend(…))` gives, with only the listId
// new, logs every list; a cached answer is recomputed once one of its articles ages out with the clock, after a
// new version is loaded, and never shared between requests that differ in what the answer depends on.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { createMemoryKeyValueStore } from '../kv/adapters/memory/index.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { PITCHSIDE, SYNTHETIC_NOW, writeSyntheticVersion } from '../testing/synthetic-store.js';
import { identityKey, personKey, POINTER_KEY, readKey, type CurrentVersion } from './kv-layout.js';
import {
  createRecommendationService,
  type RecommendationRequest,
  type RecommendationService,
} from './recommendation-service.js';
import { responseJson } from './response-json.js';
import { createMemoryServedListLog, servedLine } from './served-list-log.js';

const HOUR = 3_600_000;
let store: KeyValueStore;
let log: ReturnType<typeof createMemoryServedListLog>;
let clock: number;
let service: RecommendationService;

beforeEach(async () => {
  store = createMemoryKeyValueStore();
  await writeSyntheticVersion(store);
  log = createMemoryServedListLog();
  clock = SYNTHETIC_NOW;
  service = createRecommendationService({ store, servedLog: log, now: () => clock, pointerTtlMs: 0 });
});

const json = async (request: RecommendationRequest): Promise<{ listId: string; body: string; items: string[] }> => {
  const body = (await service.recommendJson!(request)).toString();
  const parsed = JSON.parse(body) as { listId: string; items: { articleId: string }[] };
  return { listId: parsed.listId, body, items: parsed.items.map((i) => i.articleId) };
};
const withoutListId = (body: string): string => body.replace(/^\{"listId":"[^"]*"/, '');

test('recommendJson: the bytes responseJson writes for recommend, a new listId each time, every list logged', async () => {
  const requests: RecommendationRequest[] = [
    { userId: 'u1', k: 5 },
    { anonymousId: 'd1', k: 2 },
    { anonymousId: 'stranger', context: 'pol-1', k: 3 },
    { userId: 'u1', context: 'pol-1', k: 3, site: PITCHSIDE },
    { k: 5, site: PITCHSIDE, exclude: ['foo-1'] },
    {},
    { userId: 'ü "1"', k: 3 },
  ];
  await store.putMany([
    {
      key: personKey('v1', 'ü "1"'),
      value: JSON.stringify([{ a: 'art-é😀\u2028', s: 0.5, r: 'section_affinity', sec: 'news', pub: SYNTHETIC_NOW }]),
    },
  ]);
  for (const request of requests) {
    const response = await service.recommend(request);
    const first = await json(request);
    const again = await json(request);
    assert.equal(withoutListId(first.body), withoutListId(responseJson(response)), JSON.stringify(request));
    assert.equal(first.body, responseJson({ ...response, listId: first.listId }), 'byte for byte');
    assert.equal(withoutListId(again.body), withoutListId(first.body));
    assert.notEqual(again.listId, first.listId);
    assert.match(again.listId, /^[0-9a-f-]{36}$/);
    // the three lists of this request were logged, each with its own listId and the same rows otherwise
    const logged = log.entries.slice(-3);
    assert.deepEqual(
      logged.map((e) => e.listId),
      [response.listId, first.listId, again.listId],
    );
    const lines = logged.map((e) => JSON.parse(servedLine(e)) as Record<string, unknown>);
    const plain = logged.map((e) => {
      const { rowTail: _, rowRest: __, ...rest } = e;
      return JSON.parse(servedLine(rest)) as Record<string, unknown>;
    });
    assert.deepEqual(lines, plain, 'a row built from the cached tail is the row built from the response');
    assert.ok(logged[1]!.rowRest && logged[2]!.rowRest, 'recommendJson hands the log the row bytes it keeps');
    assert.deepEqual(
      lines.map((l) => ({ ...l, list_id: '' })),
      [0, 1, 2].map(() => ({ ...lines[0], list_id: '' })),
    );
    assert.deepEqual(logged[1]!.response.items, response.items);
    assert.deepEqual(logged[2]!.request, request);
  }
});

test('the same answer is shared only by requests it belongs to: a device and its person share; other ids and k do not', async () => {
  const byUser = await json({ userId: 'u1', k: 3 });
  const byDevice = await json({ anonymousId: 'd1', k: 3 });
  assert.equal(withoutListId(byDevice.body), withoutListId(byUser.body), 'd1 is linked to u1');
  assert.equal(
    log.entries.at(-1)!.request.anonymousId,
    'd1',
    'the row names the device asking, not the earlier request',
  );
  assert.equal(JSON.parse(servedLine(log.entries.at(-1)!)).anonymous_id, 'd1');
  assert.equal(JSON.parse(servedLine(log.entries.at(-1)!)).user_id, null);
  assert.deepEqual((await json({ userId: 'u1', k: 2 })).items, ['foo-1', 'foo-2']);
  assert.deepEqual((await json({ anonymousId: 'nobody', k: 3 })).items, ['new-1', 'foo-1', 'pol-2']);
  assert.deepEqual((await json({ anonymousId: 'nobody', k: 3, site: PITCHSIDE })).items, ['foo-1', 'mot-2']);
  await assert.rejects(service.recommend({ userId: 'u1', k: 3, site: 'www.nowhere.example' }), (error: unknown) => {
    assert.equal((error as { statusCode?: number }).statusCode, 400);
    assert.match((error as Error).message, /^unknown site "www\.nowhere\.example"/);
    return true;
  });
  assert.deepEqual((await json({ anonymousId: 'nobody', k: 3, exclude: ['new-1'] })).items, [
    'foo-1',
    'pol-2',
    'foo-3',
  ]);
  assert.deepEqual((await json({ anonymousId: 'other', context: 'pol-1', k: 3 })).items, ['opi-1', 'pol-2', 'new-1']);
});

test('an answer is recomputed once one of its articles ages out, and when the clock goes back', async () => {
  const request = { userId: 'u1', k: 10 };
  const before = await json(request);
  assert.ok(before.items.includes('foo-2'), 'foo-2 is 3 h old');
  clock = SYNTHETIC_NOW + 45 * HOUR; // foo-2 (football, 48 h) is 48 h old: still fresh
  assert.deepEqual((await json(request)).items, before.items);
  clock = SYNTHETIC_NOW + 45 * HOUR + 1; // one ms past its limit, the first of the answer's articles to go
  const after = await json(request);
  assert.ok(!after.items.includes('foo-2'), 'foo-2 aged out');
  assert.ok(after.items.includes('foo-1'), 'foo-1 has an hour left');
  const recomputed = await createRecommendationService({ store, now: () => clock }).recommend(request);
  assert.deepEqual(
    after.items,
    recomputed.items.map((i) => i.articleId),
    'what a fresh service answers',
  );
  clock = SYNTHETIC_NOW;
  assert.deepEqual((await json(request)).items, before.items, 'back in time: the article is fresh again');
});

test('a new version is served at once, not the answers cached for the old one', async () => {
  const request = { userId: 'u1', k: 3 };
  assert.deepEqual((await json(request)).items, ['foo-1', 'foo-2', 'mot-1']);
  const pointer: CurrentVersion = { version: 'v2', computedAt: SYNTHETIC_NOW, loadedAt: SYNTHETIC_NOW, tables: {} };
  clock += 1; // the pointer is read again (pointerTtlMs 0)
  await store.putMany([
    {
      key: personKey('v2', 'u1'),
      value: JSON.stringify([{ a: 'v2-only', s: 1, r: 'section_affinity', sec: 'news', pub: SYNTHETIC_NOW }]),
    },
    { key: POINTER_KEY, value: JSON.stringify(pointer) },
  ]);
  const next = JSON.parse((await service.recommendJson!(request)).toString()) as {
    modelVersion: string;
    items: unknown[];
  };
  assert.equal(next.modelVersion, 'v2');
  assert.deepEqual(
    next.items.map((i) => (i as { articleId: string }).articleId),
    ['v2-only'],
  );
});

test('the same request object is answered from what was resolved for it, and follows the clock too', async () => {
  const request: RecommendationRequest = { userId: 'u1', k: 10 };
  const first = await json(request);
  assert.deepEqual((await json(request)).items, first.items);
  clock = SYNTHETIC_NOW + 47 * HOUR;
  assert.ok(!(await json(request)).items.includes('foo-1'), 'aged out for the same object as well');
});

test('recommendJsonNow: nothing before a request object was answered; then its answer at once, until it would change', async () => {
  const request: RecommendationRequest = { userId: 'u1', k: 10 };
  const now = (): string | undefined => service.recommendJsonNow!(request)?.toString();
  assert.equal(now(), undefined, 'never answered: nothing to serve without looking up');
  const first = await json(request);
  const logged = log.entries.length;
  const again = now();
  assert.ok(again !== undefined);
  assert.equal(withoutListId(again), withoutListId(first.body), 'the same bytes but the listId');
  assert.notEqual(JSON.parse(again).listId, first.listId);
  assert.equal(log.entries.length, logged + 1, 'logged as served');
  assert.equal(log.entries.at(-1)!.listId, JSON.parse(again).listId);
  assert.equal(service.recommendJsonNow!({ userId: 'u1', k: 10 }), undefined, 'another object: looked up first');
  clock = SYNTHETIC_NOW + 45 * HOUR + 1; // foo-2 ages out: the kept answer is no longer what would be computed
  assert.equal(now(), undefined);
  assert.equal(log.entries.length, logged + 1, 'nothing logged when nothing is served');
  assert.ok(!(await json(request)).items.includes('foo-2'));
  assert.ok(!JSON.parse(now()!).items.some((i: { articleId: string }) => i.articleId === 'foo-2'));
});

test('never recommends what the person read: the trending top-up and context neighbours leave it out', async () => {
  await store.putMany([
    { key: readKey('v1', 'u1'), value: JSON.stringify(['new-1', 'pol-2']) },
    { key: readKey('v1', 'reader'), value: JSON.stringify(['new-1']) },
  ]);
  const u1 = await json({ userId: 'u1', k: 10 });
  assert.ok(u1.items.includes('foo-3'), u1.body); // topped up from trending…
  assert.deepEqual(
    u1.items.filter((a) => a === 'new-1' || a === 'pol-2'),
    [],
  ); // …without what u1 read
  const viaDevice = await json({ anonymousId: 'd1', k: 10, context: 'pol-1' });
  assert.ok(viaDevice.items.includes('opi-1'), viaDevice.body);
  assert.equal(viaDevice.items.includes('pol-2'), false, viaDevice.body);
  // A person with reads but no list of their own gets trending without them; nobody else is affected.
  assert.deepEqual((await json({ anonymousId: 'reader', k: 3 })).items, ['foo-1', 'pol-2', 'foo-3']);
  assert.deepEqual((await json({ anonymousId: 'nobody', k: 3 })).items, ['new-1', 'foo-1', 'pol-2']);
  assert.deepEqual((await json({ anonymousId: 'reader', k: 3 })).items, ['foo-1', 'pol-2', 'foo-3']);
});

test('a device linked to a person after training keeps its own list and its reads left out', async () => {
  // Identities load at their newest version: d2 now links to u9, who has no list or reads in the trained version;
  // d2 was trained as its own person and read new-1 (the top trending article).
  await store.putMany([
    { key: identityKey('v1', 'd2'), value: 'u9' },
    {
      key: personKey('v1', 'd2'),
      value: JSON.stringify([{ a: 'pol-2', s: 0.5, r: 'section_affinity', sec: 'politics', pub: SYNTHETIC_NOW }]),
    },
    { key: readKey('v1', 'd2'), value: JSON.stringify(['new-1']) },
  ]);
  const answer = await service.recommend({ anonymousId: 'd2', k: 3 });
  assert.equal(answer.source, 'person');
  assert.equal(answer.items[0]?.articleId, 'pol-2');
  assert.ok(!answer.items.some((i) => i.articleId === 'new-1'), JSON.stringify(answer.items));
});
