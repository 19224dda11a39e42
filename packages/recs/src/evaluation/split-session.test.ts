// The evaluation's private session: cut at the split time, limited to the memory it is given, and spilling to a
// folder of its own under the data directory that close() removes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { cutSplitSession, openSplitSession } from './split-session.js';

it('cuts the silver tables at the split (and moves the cut), with the memory limit given and a spill folder removed on close', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'recs-split-')), 'data');
  const tables = {
    'silver.events': ['timestamp', ['2026-01-01T10:00:00Z', '2026-01-03T10:00:00Z']],
    'silver.identities': ['first_linked_at', ['2026-01-01T11:00:00Z']],
    'silver.content': ['first_seen_at', ['2026-01-01T09:00:00Z', '2026-01-02T12:00:00Z']],
  } as const;
  for (const [name, [column, times]] of Object.entries(tables)) {
    const table = await DeltaTable.open(lakeTablePath(dataDir, name));
    await table.create({ columns: [{ name: column, type: 'timestamp' }] });
    await table.append({ rows: times.map((t) => ({ [column]: new Date(t) })) });
  }
  const db = await openSplitSession(dataDir, '2026-01-02T00:00:00Z', 200 * 2 ** 20);
  const [row] =
    await db.all(`SELECT current_setting('memory_limit') AS memory, current_setting('temp_directory') AS spill,
    (SELECT count(*) FROM silver.events) AS events, (SELECT count(*) FROM full_events) AS all_events,
    (SELECT count(*) FROM silver.identities) AS links, (SELECT count(*) FROM silver.content) AS articles`);
  assert.match(String(row!['memory']), /^200(\.0)? MiB$/);
  const spill = String(row!['spill']);
  assert.ok(spill.startsWith(join(dataDir, 'tmp', 'recs', 'duckdb-')), spill);
  assert.deepEqual([row!['events'], row!['all_events'], row!['links'], row!['articles']].map(Number), [1, 2, 1, 1]);
  // A rolling evaluation's next fold moves the cut in the same session: later, then earlier than every row.
  const counts = async (): Promise<number[]> => {
    const [c] = await db.all(`SELECT (SELECT count(*) FROM silver.events) AS events,
      (SELECT count(*) FROM silver.identities) AS links, (SELECT count(*) FROM silver.content) AS articles`);
    return [c!['events'], c!['links'], c!['articles']].map(Number);
  };
  await cutSplitSession(db, '2026-01-04T00:00:00Z');
  assert.deepEqual(await counts(), [2, 1, 2]);
  await cutSplitSession(db, '2026-01-01T00:00:00Z');
  assert.deepEqual(await counts(), [0, 0, 0]);
  db.close();
  assert.equal(existsSync(spill), false);
  assert.deepEqual(readdirSync(join(dataDir, 'tmp', 'recs')), []);
});
