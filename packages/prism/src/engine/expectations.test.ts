// A user's own pipelines next to the shipped ones, exercising every expectation action: warn counts, drop
// removes, quarantine moves rows (with the expectation's name) to <dataset>_quarantine, fail aborts that
// pipeline — with its error in lens.runs — while the others still run.
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
import { quarantineTableName } from './quarantine-table.js';
import { readRuns } from './run-history.js';
import { runPipelines } from './run-pipelines.js';

const CHECKED = `name: silver.checked
description: Bronze events with every expectation action.
owner: tests
inputs: [bronze.events]
transform:
  sql: SELECT message_id, type, event FROM incoming.bronze_events
update:
  mode: append
expectations:
  - { name: no_identify, condition: "type <> 'identify'", action: warn }
  - { name: no_alias, condition: "type <> 'alias'", action: drop }
  - { name: no_group, condition: "type <> 'group'", action: quarantine }
`;
const STRICT = `name: silver.strict
description: Fails whenever a page view arrives.
owner: tests
inputs: [bronze.events]
transform:
  sql: SELECT message_id, type FROM incoming.bronze_events
update:
  mode: append
expectations:
  - { name: no_pages, condition: "type <> 'page'", action: fail }
`;

it('applies warn, drop, quarantine and fail, records the counts, and a failing pipeline stops only itself', async () => {
  const root = mkdtempSync(join(tmpdir(), 'prism-expect-'));
  const dataDir = join(root, 'data');
  const dir = join(root, 'pipelines');
  mkdirSync(dir);
  writeFileSync(join(dir, 'silver.checked.yaml'), CHECKED);
  writeFileSync(join(dir, 'silver.strict.yaml'), STRICT);
  const rows = [...bronzeRows({ seed: 3, users: 400, days: 14, start: '2025-03-03T00:00:00Z' })];
  await appendBronze(dataDir, rows);
  const count = (type: string) => rows.filter((r) => r['type'] === type).length;
  assert.ok(
    count('identify') > 0 && count('alias') > 0 && count('group') > 0 && count('page') > 0,
    'the demo data has every type',
  );

  const graph = buildGraph(loadDefinitions({ dirs: [dir], shipped: false }));
  const records = await runPipelines({ dataDir, graph, retries: 0 });
  const checked = records.find((r) => r.pipeline === 'silver.checked')!;
  const strict = records.find((r) => r.pipeline === 'silver.strict')!;
  assert.equal(checked.status, 'succeeded');
  assert.deepEqual(
    checked.expectations.map((e) => [e.name, e.action, e.failedRows]),
    [
      ['no_identify', 'warn', count('identify')],
      ['no_alias', 'drop', count('alias')],
      ['no_group', 'quarantine', count('group')],
    ],
  );
  assert.equal(strict.status, 'failed');
  assert.match(strict.error ?? '', /no_pages/);
  assert.deepEqual(strict.expectations, [{ name: 'no_pages', action: 'fail', failedRows: count('page') }]);

  const out = await (await DeltaTable.open(lakeTablePath(dataDir, 'silver.checked'))).query();
  assert.equal(out.length, rows.length - count('alias') - count('group'));
  assert.ok(
    out.some((r) => r['type'] === 'identify'),
    'warn keeps the rows',
  );
  assert.ok(!out.some((r) => r['type'] === 'alias' || r['type'] === 'group'));
  const quarantined = await (
    await DeltaTable.open(lakeTablePath(dataDir, quarantineTableName('silver.checked')))
  ).query();
  assert.equal(quarantined.length, count('group'));
  assert.ok(quarantined.every((q) => q['expectation'] === 'no_group' && JSON.parse(String(q['row'])).type === 'group'));
  assert.equal(
    (await DeltaTable.open(lakeTablePath(dataDir, 'silver.strict'))
      .then((t) => t.snapshot())
      .then(
        (s) => s.version,
        () => -1,
      )) <= 0,
    true,
  );

  const runs = await readRuns(dataDir, { limit: 10 });
  const failed = runs.find((r) => r['pipeline'] === 'silver.strict');
  assert.equal(failed?.['status'], 'failed');
  // Its first run: a full refresh, as a successful first run is recorded (it read 'incremental').
  assert.equal(failed?.['mode'], 'full_refresh');
  assert.match(String(failed?.['error']), /no_pages/);
  assert.deepEqual(JSON.parse(String(failed?.['expectations'])), [
    { name: 'no_pages', action: 'fail', failedRows: count('page') },
  ]);
  assert.match(
    String(runs.find((r) => r['pipeline'] === 'silver.checked')?.['expectations']),
    /"no_group".*"failedRows":\d+/,
  );
});

it('does not retry a run error that cannot succeed on a retry (a column type Delta cannot store)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'prism-noretry-'));
  const dataDir = join(root, 'data');
  const dir = join(root, 'pipelines');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'silver.huge.yaml'),
    `name: silver.huge
description: sum() of a BIGINT is a HUGEINT, which Delta has no type for.
owner: tests
inputs: [bronze.events]
transform:
  sql: SELECT type, sum(log_offset) AS total FROM incoming.bronze_events GROUP BY ALL
update:
  mode: full_refresh
`,
  );
  await appendBronze(dataDir, [...bronzeRows({ seed: 4, users: 20, days: 1, start: '2025-03-03T00:00:00Z' })]);
  const graph = buildGraph(loadDefinitions({ dirs: [dir], shipped: false }));
  const started = Date.now();
  const [record] = await runPipelines({ dataDir, graph, retries: 2, backoffMs: 5000 });
  assert.equal(record?.status, 'failed');
  assert.match(record?.error ?? '', /HUGEINT/);
  assert.equal(record?.attempt, 1);
  assert.ok(Date.now() - started < 5000, 'no backoff waited');
});
