// A user edits a pipeline's SQL so its output columns change: an incremental run refuses with what changed and
// how to rebuild; `--full-refresh` (mode full) rebuilds the table with the new schema in one commit, and the
// incremental runs after it append in the new shape.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { loadDefinitions } from '../definition/load-definitions.js';
import { buildGraph } from '../graph/pipeline-graph.js';
import { appendBronze, bronzeRows } from '../testing/bronze-fixture.js';
import { runPipelines } from './run-pipelines.js';

const definition = (columns: string, partition = '') => `name: silver.typed_events
description: Event names by type (its columns are edited by the test).
owner: tests
inputs: [bronze.events]
transform:
  sql: SELECT ${columns} FROM incoming.bronze_events
update:
  mode: append
${partition}`;

it('a changed output schema fails incremental runs clearly and is adopted by a full refresh', async () => {
  const root = mkdtempSync(join(tmpdir(), 'prism-schema-'));
  const dataDir = join(root, 'data');
  const dir = join(root, 'pipelines');
  mkdirSync(dir);
  const file = join(dir, 'silver.typed_events.yaml');
  const rows = [...bronzeRows({ seed: 5, users: 150, days: 7, start: '2025-03-03T00:00:00Z' })];
  await appendBronze(dataDir, rows.slice(0, 2000));
  const run = (full = false) =>
    runPipelines({
      dataDir,
      graph: buildGraph(loadDefinitions({ dirs: [dir], shipped: false })),
      retries: 0,
      ...(full ? { mode: { kind: 'full' as const } } : {}),
    });

  writeFileSync(file, definition('message_id, type, event'));
  assert.equal((await run())[0]!.status, 'succeeded');
  const table = await DeltaTable.open(lakeTablePath(dataDir, 'silver.typed_events'));
  const before = await table.snapshot();

  // New columns, one dropped, a new partitioning; more bronze arrives.
  writeFileSync(
    file,
    definition(
      "message_id, type, length(coalesce(event, '')) AS event_length, CAST(timestamp AS DATE) AS event_date",
      'partitionBy: [event_date]\n',
    ),
  );
  await appendBronze(dataDir, rows.slice(2000, 3000));
  const [refused] = await run();
  assert.equal(refused!.status, 'failed');
  assert.match(
    refused!.error ?? '',
    /output schema changed \(new columns event_length, event_date; columns no longer produced event; partitioning \[\] → \["event_date"\]\)/,
  );
  assert.match(refused!.error ?? '', /lens pipelines run silver\.typed_events --full-refresh/);
  assert.equal((await table.snapshot()).version, before.version, 'nothing committed');

  const [rebuilt] = await run(true);
  assert.equal(rebuilt!.status, 'succeeded');
  const after = await table.snapshot();
  assert.deepEqual(
    after.schema.fields.map((f) => f.name),
    ['message_id', 'type', 'event_length', 'event_date'],
  );
  assert.deepEqual(after.partitionColumns, ['event_date']);
  const count = async () =>
    Number((await table.sql.all(`SELECT count(*) AS n FROM (${(await table.scan()).sql})`))[0]!['n']);
  assert.equal(await count(), 3000);
  assert.deepEqual(
    await table.sql.all(`SELECT * FROM (${(await table.scan({ version: before.version })).sql}) LIMIT 0`),
    [],
    'old versions still readable',
  );

  // Incremental runs continue in the new shape.
  await appendBronze(dataDir, rows.slice(3000, 3500));
  assert.equal((await run())[0]!.status, 'succeeded');
  assert.equal(await count(), 3500);
});
