// Loading gold tables into the embedded store (SQLite + LRU cache): what is served matches the tables, an
// unchanged lake is not reloaded, a reload swaps versions while requests keep being answered (no downtime,
// never a mix), and versions beyond keepVersions are deleted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { POINTER_KEY, versionPrefix } from './kv-layout.js';
import { loadRecommendations, readPointer } from './load-recommendations.js';
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
  const second = await loadRecommendations({ dataDir, store });
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
  await addDay(OPTIONS.days + 2);
  const third = await loadRecommendations({ dataDir, store });
  assert.deepEqual(third.deletedVersions, [v1]);
  assert.deepEqual(await store.keys(versionPrefix(v1)), []);
  assert.ok((await store.keys(versionPrefix(second.version))).length > 0);
});
