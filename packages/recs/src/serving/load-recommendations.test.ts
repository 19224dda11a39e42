// Loading gold tables into the embedded store (SQLite + LRU cache): what is served matches the tables, an
// unchanged lake is not reloaded, a reload swaps versions while requests keep being answered (no downtime,
// never a mix), and versions beyond keepVersions are deleted.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { appendBronze, bronzeRows, runPipelines } from '@lens/prism';
import { createSqliteKeyValueStore } from '../kv/adapters/sqlite/index.js';
import { withLruCache, type CachedKeyValueStore } from '../kv/lru-cache.js';
import { buildDemoLake, DEMO_START, RECS_INPUTS } from '../testing/demo-lake.js';
import { recsPipelineGraph } from '../training/recs-pipelines.js';
import { LOADING_KEY, POINTER_KEY, versionPrefix } from './kv-layout.js';
import { RecsTrainingError } from '../errors.js';
import { loadRecommendationsInWorker } from './load-in-worker.js';
import { ABANDONED_LOAD_MS, loadRecommendations, openLoadSession, readPointer } from './load-recommendations.js';
import { createRecommendationService } from './recommendation-service.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lens-recs-load-'));
const OPTIONS = { users: 600, days: 10 };
let store: CachedKeyValueStore;

before(async () => {
  await buildDemoLake(dataDir, OPTIONS);
  store = withLruCache(createSqliteKeyValueStore({ backend: 'sqlite', path: join(dataDir, 'recs', 'kv.sqlite') }), {
    maxEntries: 10_000,
    uncachedPrefixes: [POINTER_KEY],
  });
});
after(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function addDay(day: number): Promise<void> {
  const from = new Date(Date.parse(DEMO_START) + (day - 1) * 86_400_000).toISOString().slice(0, 10);
  await appendBronze(
    dataDir,
    [...bronzeRows({ ...OPTIONS, days: day, seed: 42, start: DEMO_START })].filter(
      (r) => String(r['timestamp']) >= from,
    ),
  );
  const runs = await runPipelines({ dataDir, graph: recsPipelineGraph(), retries: 0, names: RECS_INPUTS });
  assert.ok(
    runs.every((r) => r.status === 'succeeded'),
    JSON.stringify(runs.filter((r) => r.status !== 'succeeded')),
  );
}

test('a load serves what gold.recommendations holds; reloading an unchanged lake is a no-op', async () => {
  const first = await loadRecommendations({ dataDir, store });
  assert.equal(first.status, 'loaded');
  assert.ok(first.keys > 500, `${first.keys} keys`);
  const rows = await (await DeltaTable.open(lakeTablePath(dataDir, 'gold.recommendations'))).query();
  const person = String(rows.find((r) => Number(r['rank']) === 1)!['person_id']);
  const expected = rows
    .filter((r) => r['person_id'] === person)
    .sort((a, b) => Number(a['rank']) - Number(b['rank']))
    .map((r) => String(r['article_id']));
  const service = createRecommendationService({ store, now: () => Date.now(), ageLimits: { default: 100_000 } });
  const res = await service.recommend({ userId: person, k: 5 });
  assert.equal(res.source, 'person');
  assert.deepEqual(
    res.items.map((i) => i.articleId),
    expected.slice(0, 5),
  );
  assert.equal((await loadRecommendations({ dataDir, store })).status, 'unchanged');
  // Device links change with live traffic; the lists only with the gold tables: a new silver.identities version
  // alone reloads nothing.
  const identities = await DeltaTable.open(lakeTablePath(dataDir, 'silver.identities'));
  await identities.append({ sql: `SELECT * FROM (${(await identities.scan()).sql}) LIMIT 1` });
  assert.equal((await loadRecommendations({ dataDir, store })).status, 'unchanged');
});

test('a reload swaps versions under live traffic without a failed or mixed answer; old versions are deleted', async () => {
  const v1 = (await readPointer(store))!.version;
  await addDay(OPTIONS.days + 1);
  const service = createRecommendationService({ store, pointerTtlMs: 0 });
  const seen: string[] = [];
  let loading = true;
  const traffic = (async () => {
    while (loading) {
      const res = await service.recommend({ anonymousId: 'nobody', k: 10 });
      assert.ok(res.items.length > 0);
      seen.push(res.modelVersion);
      await new Promise((r) => setImmediate(r)); // the SQLite store answers without I/O: let the loader run, as real traffic would
    }
  })();
  // As the server loads: on a DuckDB of one thread, limited, spilling to a folder of its own.
  const spillUnder = join(dataDir, 'tmp', 'recs-load');
  const second = await loadRecommendations({
    dataDir,
    store,
    session: { threads: 1, memoryLimitBytes: 256 * 2 ** 20, spillUnder },
  });
  assert.deepEqual(readdirSync(spillUnder), [], 'the load removed its spill folder');
  loading = false;
  await traffic;
  for (let i = 0; i < 3; i++) seen.push((await service.recommend({ anonymousId: 'nobody', k: 10 })).modelVersion);
  assert.equal(second.status, 'loaded');
  assert.notEqual(second.version, v1);
  const firstNew = seen.indexOf(second.version);
  assert.ok(seen.length > 10 && seen[0] === v1, `answers during the load: ${seen.length}`);
  assert.ok(
    firstNew > 0 && seen.slice(firstNew).every((v) => v === second.version),
    'after the swap, only the new version',
  );
  assert.ok((await store.keys(versionPrefix(v1))).length > 0, 'the previous version is kept (keepVersions 2)');
  // The second version is a layer over the first: the first stays as long as a kept pointer reads it.
  assert.deepEqual(second.layers, [second.version, v1]);
  await addDay(OPTIONS.days + 2);
  const third = await loadRecommendations({ dataDir, store, maxLayers: 2 });
  // Two layers at most, and most lists changed since the first version (two days of reading): the third is written
  // whole. The first and second stay while the pointer before the third (kept for requests in flight) reads them.
  assert.equal(third.kind, 'whole');
  assert.deepEqual(third.deletedVersions, []);
  await addDay(OPTIONS.days + 3);
  const fourth = await loadRecommendations({ dataDir, store, maxLayers: 1 });
  assert.equal(fourth.kind, 'whole');
  assert.deepEqual(fourth.deletedVersions.sort(), [v1, second.version].sort());
  assert.deepEqual(await store.keys(versionPrefix(v1)), []);
  assert.deepEqual(await store.keys(versionPrefix(second.version)), []);
  assert.ok((await store.keys(versionPrefix(third.version))).length > 0);
});

/** Recomputes every list (`lens pipelines run --full-refresh`). */
async function fullRefreshRecommendations(): Promise<void> {
  const runs = await runPipelines({
    dataDir,
    graph: recsPipelineGraph(),
    retries: 0,
    names: ['gold.recommendations'],
    mode: { kind: 'full' },
  });
  assert.equal(runs[0]?.status, 'succeeded');
}

/** Every person's top 10 in gold.recommendations, by person. */
async function tableLists(): Promise<Map<string, string[]>> {
  const rows = await (await DeltaTable.open(lakeTablePath(dataDir, 'gold.recommendations'))).query();
  const lists = new Map<string, { rank: number; a: string }[]>();
  for (const r of rows) {
    const list = lists.get(String(r['person_id'])) ?? [];
    list.push({ rank: Number(r['rank']), a: String(r['article_id']) });
    lists.set(String(r['person_id']), list);
  }
  return new Map(
    [...lists].map(([p, l]) => [
      p,
      l
        .sort((a, b) => a.rank - b.rank)
        .slice(0, 10)
        .map((i) => i.a),
    ]),
  );
}

test('training recomputes who read; a layer holds only the lists that changed; everyone is served the table', async () => {
  // A full refresh: every list computed as of the newest event.
  await fullRefreshRecommendations();
  await loadRecommendations({ dataDir, store });
  const before = await tableLists();
  // One person reads one more article a minute after the newest event.
  const rows = [...bronzeRows({ ...OPTIONS, days: OPTIONS.days + 3, seed: 42, start: DEMO_START })];
  const reads = rows.filter((r) => r.event === 'Article Viewed' && r.user_id !== null);
  const last = reads[reads.length - 1]!;
  const newest = rows.map((r) => String(r.timestamp)).reduce((t, x) => (x > t ? x : t), '');
  const at = new Date(Date.parse(newest) + 60_000).toISOString();
  const reader = String(last.user_id);
  await appendBronze(dataDir, [{ ...last, message_id: 'layer-test-read', timestamp: at, received_at: at }]);
  const runs = await runPipelines({ dataDir, graph: recsPipelineGraph(), retries: 0, names: RECS_INPUTS });
  assert.ok(
    runs.every((r) => r.status === 'succeeded'),
    JSON.stringify(runs.filter((r) => r.status !== 'succeeded')),
  );
  const recsRun = runs.find((r) => r.pipeline === 'gold.recommendations')!;
  const after = await tableLists();
  assert.ok(after.size > 300, `${after.size} people`);
  // Incremental training recomputed the reader alone (no list is an hour behind the newest event).
  assert.ok(recsRun.rowsOut > 0 && recsRun.rowsOut <= 50, `${recsRun.rowsOut} rows recomputed`);
  const changed = [...after].filter(([p, l]) => JSON.stringify(before.get(p)) !== JSON.stringify(l)).map(([p]) => p);
  assert.ok(
    changed.every((p) => p === reader),
    `changed: ${changed.join(', ')}`,
  );
  const loaded = await loadRecommendations({ dataDir, store });
  assert.equal(loaded.kind, 'layer');
  const prefix = versionPrefix(loaded.version);
  const personKeys = (await store.keys(prefix)).filter((k) => k.startsWith(`${prefix}p:`));
  assert.ok(personKeys.length <= 1 && personKeys.every((k) => k === `${prefix}p:${reader}`), personKeys.join(', '));
  // A person whose rows are gone is hidden by a tombstone, not served the older layers' list.
  const gone = [...after.keys()].find((p) => p !== reader)!;
  const recs = await DeltaTable.open(lakeTablePath(dataDir, 'gold.recommendations'));
  await recs.delete(`person_id = '${gone.replace(/'/g, "''")}'`);
  const next = await loadRecommendations({ dataDir, store });
  assert.equal(next.kind, 'layer');
  assert.equal(await store.get(`${versionPrefix(next.version)}p:${gone}`), '[]');
  // A layer deeper than two is diffed against the whole version at the bottom instead.
  assert.deepEqual(next.layers, [next.version, ...loaded.layers!]);
  const base = loaded.layers![loaded.layers!.length - 1]!;
  await recs.delete(`person_id = '${reader.replace(/'/g, "''")}'`);
  const deep = await loadRecommendations({ dataDir, store, maxLayers: 2 });
  assert.equal(deep.kind, 'layer');
  assert.deepEqual(deep.layers, [deep.version, base]);
  // Everything changed since that version is in it, tombstones included.
  for (const person of [gone, reader]) assert.equal(await store.get(`${versionPrefix(deep.version)}p:${person}`), '[]');
  after.delete(reader);
  const service = createRecommendationService({ store, pointerTtlMs: 0, ageLimits: { default: 100_000 } });
  for (const person of [gone, reader])
    assert.notEqual((await service.recommend({ userId: person, k: 10 })).source, 'person', person);
  after.delete(gone);
  for (const [person, expected] of after) {
    const res = await service.recommend({ userId: person, k: 10 });
    // Ages are not checked here, and a person's list never holds what they read: the served list is the table's.
    assert.deepEqual(
      res.items.slice(0, expected.length).map((i) => i.articleId),
      expected,
      `person ${person}`,
    );
  }
});

test('when the served tables were vacuumed away, the next load writes its version whole', async () => {
  await fullRefreshRecommendations();
  const recs = await DeltaTable.open(lakeTablePath(dataDir, 'gold.recommendations'));
  const removed = await recs.vacuum({ retentionHours: 0, force: true, now: Date.now() + 1000 });
  assert.ok(removed.length > 0, 'the served version’s files are gone');
  const loaded = await loadRecommendations({ dataDir, store });
  assert.equal(loaded.kind, 'whole');
  const service = createRecommendationService({ store, pointerTtlMs: 0, ageLimits: { default: 100_000 } });
  let compared = 0;
  for (const [person, expected] of await tableLists()) {
    if (compared++ > 50) break;
    const res = await service.recommend({ userId: person, k: 10 });
    assert.deepEqual(
      res.items.slice(0, expected.length).map((i) => i.articleId),
      expected,
    );
  }
});

test("a load's DuckDB session takes the threads, memory limit and spill folder it is given", async () => {
  const spillUnder = join(dataDir, 'tmp', 'session-check');
  const db = await openLoadSession({ threads: 1, memoryLimitBytes: 300 * 2 ** 20, spillUnder });
  const [row] = await db.all(
    `SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory, current_setting('temp_directory') AS spill`,
  );
  db.close();
  assert.equal(Number(row!['threads']), 1);
  assert.match(String(row!['memory']), /^300(\.0)? MiB$/);
  assert.ok(String(row!['spill']).startsWith(join(spillUnder, 'duckdb-')), String(row!['spill']));
  assert.deepEqual(readdirSync(spillUnder), []);
});

test('a load on a worker thread writes the same version through its own store, and its errors keep their type', async () => {
  const path = join(dataDir, 'recs', 'worker-kv.sqlite');
  const inWorker = await loadRecommendationsInWorker({ dataDir, kv: { backend: 'sqlite', path } });
  const served = (await readPointer(store))!;
  assert.equal(inWorker.status, 'loaded');
  assert.equal(inWorker.version, served.version, 'the lake as the serving store last loaded it');
  // The same load on this thread, into a fresh store of its own: the same keys.
  const here = createSqliteKeyValueStore({ backend: 'sqlite', path: join(dataDir, 'recs', 'here-kv.sqlite') });
  const other = createSqliteKeyValueStore({ backend: 'sqlite', path });
  try {
    const inThread = await loadRecommendations({ dataDir, store: here });
    assert.equal(inThread.keys, inWorker.keys);
    assert.equal((await readPointer(other))!.version, inWorker.version);
    const keys = await other.keys(versionPrefix(inWorker.version));
    assert.ok(keys.length > 500);
    assert.deepEqual(keys.sort(), (await here.keys(versionPrefix(inThread.version))).sort());
  } finally {
    await other.close();
    await here.close();
  }
  const untrained = join(dataDir, 'no-lake-here');
  await assert.rejects(
    loadRecommendationsInWorker({
      dataDir: untrained,
      kv: { backend: 'sqlite', path: join(dataDir, 'recs', 'x.sqlite') },
    }),
    (error: unknown) => error instanceof RecsTrainingError && error.context['step'] === 'load',
  );
  const stop = new AbortController();
  const stopped = loadRecommendationsInWorker(
    { dataDir, kv: { backend: 'sqlite', path: join(dataDir, 'recs', 'y.sqlite') } },
    stop.signal,
  );
  stop.abort();
  await assert.rejects(
    stopped,
    (error: unknown) => error instanceof RecsTrainingError && error.context['step'] === 'load-aborted',
  );
});

test('a load that never finished leaves its keys, which a later load deletes once it is abandoned', async () => {
  const own = createSqliteKeyValueStore({ backend: 'sqlite', path: join(dataDir, 'recs', 'abandoned.sqlite') });
  try {
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const killed = versionPrefix('killed-v');
    // What a load killed mid-write leaves: some of its keys, and its note that it started.
    await own.putMany([
      { key: `${killed}p:someone`, value: '[]' },
      { key: `${killed}t:*`, value: '[]' },
      { key: LOADING_KEY, value: JSON.stringify([{ version: 'killed-v', startedAt: t0 }]) },
    ]);
    const soon = await loadRecommendations({ dataDir, store: own, now: () => t0 + ABANDONED_LOAD_MS / 2 });
    assert.equal(soon.status, 'loaded');
    assert.equal((await own.keys(killed)).length, 2, 'a load started not long ago may still be running elsewhere');
    assert.deepEqual(
      JSON.parse((await own.get(LOADING_KEY))!).map((l: { version: string }) => l.version),
      ['killed-v'],
      'the finished load is no longer listed',
    );
    await own.deleteMany([POINTER_KEY]); // so that the next load writes again
    const later = await loadRecommendations({ dataDir, store: own, now: () => t0 + ABANDONED_LOAD_MS + 60_000 });
    assert.deepEqual(await own.keys(killed), []);
    assert.ok(later.deletedVersions.includes('killed-v'), later.deletedVersions.join());
    assert.deepEqual(JSON.parse((await own.get(LOADING_KEY))!), []);
    assert.ok((await own.keys(versionPrefix(later.version))).length > 500, 'the served version is whole');
  } finally {
    await own.close();
  }
});
