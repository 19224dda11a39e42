// lens.runs: each pipeline's latest run is found however many runs other pipelines recorded since.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
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
