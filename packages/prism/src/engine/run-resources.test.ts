// What a run's DuckDB may use: pipelines.memoryLimit as its memory_limit, and a spill folder of its own under the data
// directory (DuckDB's default is `.tmp` in the working directory), removed when the run ends.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { loadDefinitions } from '../definition/load-definitions.js';
import { buildGraph } from '../graph/pipeline-graph.js';
import { appendBronze, bronzeRows } from '../testing/bronze-fixture.js';
import { runPipelines } from './run-pipelines.js';

it("runs each dataset's DuckDB with the memory limit given and a spill folder of its own under the data directory", async () => {
  const root = mkdtempSync(join(tmpdir(), 'prism-resources-'));
  const dataDir = join(root, 'data');
  const dir = join(root, 'pipelines');
  mkdirSync(dir);
  for (const name of ['silver.settings_a', 'silver.settings_b'])
    writeFileSync(
      join(dir, `${name}.yaml`),
      `name: ${name}
description: The settings of the run's DuckDB.
owner: tests
inputs: [bronze.events]
transform:
  sql: >-
    SELECT current_setting('memory_limit') AS memory_limit, current_setting('temp_directory') AS temp_directory,
    count(*) AS n FROM incoming.bronze_events
update:
  mode: append
`,
    );
  await appendBronze(
    dataDir,
    [...bronzeRows({ seed: 3, users: 5, days: 1, start: '2025-02-01T00:00:00Z' })].slice(0, 10),
  );
  const graph = buildGraph(loadDefinitions({ dirs: [dir], shipped: false }));
  const records = await runPipelines({ dataDir, graph, retries: 0, memoryLimitBytes: 300 * 2 ** 20 });
  assert.deepEqual(
    records.map((r) => [r.pipeline, r.status]),
    [
      ['silver.settings_a', 'succeeded'],
      ['silver.settings_b', 'succeeded'],
    ],
  );
  const settings = [];
  for (const name of ['silver.settings_a', 'silver.settings_b']) {
    const [row] = await (await DeltaTable.open(lakeTablePath(dataDir, name))).query();
    settings.push(row!);
  }
  const spillRoot = join(dataDir, 'tmp', 'prism');
  for (const row of settings) {
    assert.match(String(row['memory_limit']), /^300(\.0)? MiB$/);
    assert.ok(String(row['temp_directory']).startsWith(join(spillRoot, 'duckdb-')), String(row['temp_directory']));
    assert.equal(existsSync(String(row['temp_directory'])), false, 'removed when the run ended');
  }
  assert.notEqual(settings[0]!['temp_directory'], settings[1]!['temp_directory'], 'one folder per run');
  assert.deepEqual(readdirSync(spillRoot), []);
});
