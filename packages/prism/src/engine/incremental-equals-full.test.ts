// The engine's central promise, for every shipped dataset: incremental runs over many small bronze batches —
// with late, out-of-order and duplicate events — produce exactly the tables one full refresh produces.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { lakeTablePath } from '@lens/loader';
import { loadDefinitions } from '../definition/load-definitions.js';
import { buildGraph } from '../graph/pipeline-graph.js';
import { appendBronze, bronzeRows, type BronzeRow } from '../testing/bronze-fixture.js';
import { compareTables } from '../testing/compare-tables.js';
import { readRuns } from './run-history.js';
import { runPipelines } from './run-pipelines.js';

const BATCHES = 8;
const graph = buildGraph(loadDefinitions());

/**
 * Deterministic batches: time order, but 5% of events arrive 2 batches late, 1% are re-sent later, and a few of the
 * first batch's are re-sent in the last with their time a day on (another source's clock, a retry across
 * midnight): the same message id on two days, which both modes keep once per day.
 */
function batches(rows: BronzeRow[]): BronzeRow[][] {
  const out: BronzeRow[][] = Array.from({ length: BATCHES }, () => []);
  rows.forEach((row, i) => {
    const b = Math.floor((i * BATCHES) / rows.length);
    const late = i % 20 === 7 ? Math.min(BATCHES - 1, b + 2) : b;
    out[late]!.push(row);
    if (i % 100 === 3)
      out[Math.min(BATCHES - 1, b + 1)]!.push({
        ...row,
        received_at: new Date(Date.parse(String(row['received_at'])) + 3_600_000).toISOString(),
        log_offset: 1e9 + i,
      });
    // From the first batch into the last: the original's day is no longer among the days the batch touches.
    if (b === 0 && i % 50 === 11) {
      const nextDay = new Date(Date.parse(String(row['timestamp'])) + 86_400_000).toISOString();
      out[BATCHES - 1]!.push({
        ...row,
        timestamp: nextDay,
        event_date: nextDay.slice(0, 10),
        received_at: new Date(Date.parse(String(row['received_at'])) + 7_200_000).toISOString(),
        log_offset: 2e9 + i,
      });
    }
  });
  return out;
}

describe('incremental runs over many small batches equal one full refresh', () => {
  const incDir = join(tmpdir(), `prism-inc-${process.pid}`);
  const fullDir = join(tmpdir(), `prism-full-${process.pid}`);
  before(async () => {
    const rows = [...bronzeRows({ seed: 7, users: 250, days: 5, start: '2025-03-01T00:00:00Z' })];
    const parts = batches(rows);
    for (const part of parts) {
      await appendBronze(incDir, part);
      const records = await runPipelines({ dataDir: incDir, graph, retries: 0 });
      assert.deepEqual(
        records.filter((r) => r.status !== 'succeeded').map((r) => `${r.pipeline}: ${r.error}`),
        [],
      );
    }
    await appendBronze(fullDir, parts.flat());
    const records = await runPipelines({ dataDir: fullDir, graph, mode: { kind: 'full' }, retries: 0 });
    assert.deepEqual(
      records.filter((r) => r.status !== 'succeeded').map((r) => `${r.pipeline}: ${r.error}`),
      [],
    );
  });

  for (const dataset of graph.ordered) {
    it(dataset.name, async () => {
      const diff = await compareTables(lakeTablePath(incDir, dataset.name), lakeTablePath(fullDir, dataset.name));
      assert.ok(diff.rowsB > 0, `${dataset.name} is empty`);
      assert.deepEqual(
        { onlyInIncremental: diff.onlyInA, onlyInFull: diff.onlyInB },
        { onlyInIncremental: 0, onlyInFull: 0 },
        JSON.stringify(diff.sample, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)).slice(0, 1500),
      );
    });
  }

  it('records every run in lens.runs, and a rerun with no new input does nothing', async () => {
    const runs = await readRuns(incDir, { limit: 1000 });
    assert.equal(runs.filter((r) => r['pipeline'] === 'silver.events').length, BATCHES);
    assert.deepEqual(await runPipelines({ dataDir: incDir, graph }), []);
  });
});
