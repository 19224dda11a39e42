// lens.runs: each pipeline's latest run is found however many runs other pipelines recorded since; the scheduler's
// two lanes (and their table upkeep) record at the same time without losing a run.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { readRuns, recordRuns, type RunRecord } from './run-history.js';

const run = (pipeline: string, at: number, status: RunRecord['status'] = 'succeeded'): RunRecord => ({
  runId: `${pipeline}-${at}`,
  pipeline,
  mode: 'incremental',
  status,
  attempt: 1,
  startedAt: new Date(at),
  endedAt: new Date(at + 100),
  inputVersions: {},
  outputVersion: 1,
  rowsIn: 1,
  rowsOut: 1,
  rowsDeleted: 0,
  expectations: [],
  error: null,
});

it("reads each pipeline's latest run behind 12,000 newer runs of another", async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'prism-runs-')), 'data');
  const t0 = Date.parse('2026-01-05T00:00:00Z');
  await recordRuns(dataDir, [run('gold.daily', t0, 'failed'), run('gold.daily', t0 + 1000)]);
  await recordRuns(
    dataDir,
    Array.from({ length: 12_000 }, (_, i) => run('silver.events', t0 + 60_000 + i * 1000)),
  );
  const latest = await readRuns(dataDir, { latestPerPipeline: true, limit: 100 });
  assert.deepEqual(
    latest.map((r) => [r['pipeline'], r['run_id'], r['status']]),
    [
      ['silver.events', `silver.events-${t0 + 60_000 + 11_999 * 1000}`, 'succeeded'],
      ['gold.daily', `gold.daily-${t0 + 1000}`, 'succeeded'],
    ],
  );
  assert.equal((await readRuns(dataDir, { limit: 5 })).length, 5);
});

it('two lanes recording at once, with lens.runs compacted meanwhile, lose no run and fail no call', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'prism-runs-race-')), 'data');
  const t0 = Date.parse('2026-01-05T00:00:00Z');
  // Both lanes' first passes find no lens.runs: both create it, one wins, both append.
  await Promise.all([recordRuns(dataDir, [run('silver.events', t0)]), recordRuns(dataDir, [run('gold.daily', t0)])]);
  let recording = true;
  const lane = async (pipeline: string): Promise<void> => {
    for (let i = 1; i <= 20; i++) await recordRuns(dataDir, [run(pipeline, t0 + i * 1000)]);
  };
  // The continuous lane's upkeep packs lens.runs while both lanes append (OPTIMIZE commits with dataChange=false).
  const upkeep = async (): Promise<number> => {
    const table = await DeltaTable.open(lakeTablePath(dataDir, 'lens.runs'));
    let packed = 0;
    while (recording) {
      packed += (await table.optimize({ targetFileSize: 1024 * 1024 })).filesRemoved;
      await new Promise((r) => setTimeout(r, 20));
    }
    return packed;
  };
  const packing = upkeep();
  await Promise.all([lane('silver.events'), lane('gold.daily')]).finally(() => (recording = false));
  assert.ok((await packing) > 0, 'the upkeep packed files while the lanes appended');
  const ids = (await readRuns(dataDir, { limit: 1000 })).map((r) => String(r['run_id']));
  assert.equal(ids.length, 42, 'every run is recorded');
  assert.equal(new Set(ids).size, 42, 'once');
  const history = await (await DeltaTable.open(lakeTablePath(dataDir, 'lens.runs'))).history();
  assert.equal(history.filter((h) => h.operation === 'WRITE').length, 42, 'one commit per recordRuns call');
});
