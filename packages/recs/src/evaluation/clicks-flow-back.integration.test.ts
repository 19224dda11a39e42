// Clicks flow back: a list served by the API carries a listId; a client sends `Recommendation Clicked` with
// that list_id through a real collector (HTTP → durable log → loader → bronze.events → Prism silver.events),
// where it lands with list_id, and clickThrough joins it to lens.served_recommendations.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { createCollector } from '@lens/collector';
import { createDuckDB, DeltaTable } from '@lens/lake';
import { lakeTablePath, runLoaderOnce } from '@lens/loader';
import { createEventLog } from '@lens/log';
import { buildGraph, loadDefinitions, runPipelines } from '@lens/prism';
import { LensConfig, LoaderConfig } from '@lens/protocol';
import { createMemoryKeyValueStore } from '../kv/adapters/memory/index.js';
import { recommendationsPlugin } from '../serving/recommendations-plugin.js';
import { createDeltaServedListLog } from '../serving/served-list-log.js';
import { SYNTHETIC_NOW, writeSyntheticVersion } from '../testing/synthetic-store.js';
import { clickThrough } from './click-through.js';

const WRITE_KEY = 'recs-test-write-key';

test('Recommendation Clicked with the served list_id lands in silver.events and joins to the served list', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-recs-clicks-'));
  const log = await createEventLog({ backend: 'local', dir: join(dataDir, 'log'), minFreeDiskBytes: 0 });
  const writer = await log.openWriter();
  const collector = await createCollector({
    config: LensConfig.parse({}).collector,
    sources: [{ id: 'web', name: 'Web', writeKey: WRITE_KEY, enabled: true }],
    sink: writer,
  });
  const { port } = await collector.listen({ host: '127.0.0.1', port: 0 });
  try {
    const store = createMemoryKeyValueStore();
    await writeSyntheticVersion(store);
    const served = createDeltaServedListLog({ dataDir, flushEveryMs: 60_000 });
    const api = Fastify();
    await api.register(recommendationsPlugin({ store, servedLog: served, now: () => SYNTHETIC_NOW }));
    const clicked = (await api.inject({ url: '/v1/recommendations?userId=u1&k=3' })).json();
    const ignored = (await api.inject({ url: '/v1/recommendations?anonymousId=d9&context=pol-1&k=3' })).json();
    await served.close();

    const event = {
      type: 'track',
      event: 'Recommendation Clicked',
      userId: 'u1',
      anonymousId: 'd1',
      messageId: 'click-1',
      timestamp: new Date(SYNTHETIC_NOW + 5000).toISOString(),
      properties: { list_id: clicked.listId, article_id: clicked.items[1].articleId, position: 2 },
    };
    const res = await fetch(`http://127.0.0.1:${port}/v1/track`, {
      method: 'POST',
      body: JSON.stringify(event),
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
    });
    assert.equal(res.status, 200);
    await runLoaderOnce({ config: LoaderConfig.parse({ port: 0 }), dataDir, log });
    const records = await runPipelines({
      dataDir,
      graph: buildGraph(loadDefinitions()),
      names: ['silver.events'],
      retries: 0,
    });
    assert.equal(records[0]?.status, 'succeeded', JSON.stringify(records));

    const db = await createDuckDB();
    const rows = await db.all(
      `SELECT list_id, article_id, position FROM (${(await (await DeltaTable.open(lakeTablePath(dataDir, 'silver.events'), { sql: db })).scan()).sql}) WHERE event_name = 'Recommendation Clicked'`,
    );
    db.close();
    assert.deepEqual(
      rows.map((r) => ({ ...r, position: Number(r['position']) })),
      [{ list_id: clicked.listId, article_id: clicked.items[1].articleId, position: 2 }],
    );

    const ctr = await clickThrough(dataDir);
    assert.deepEqual(ctr, [
      { source: 'context', lists: 1, clickedLists: 0, clicks: 0, ctr: 0 },
      { source: 'person', lists: 1, clickedLists: 1, clicks: 1, ctr: 1 },
    ]);
    assert.notEqual(ignored.listId, clicked.listId);
  } finally {
    await collector.close();
    await writer.close();
    await log.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
