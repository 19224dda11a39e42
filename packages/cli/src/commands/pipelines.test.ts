// `lens pipelines` through the real binary on a small demo lake: run (incremental, then a date-range
// backfill and a full refresh), list, status, history and lineage (plain and OpenLineage).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { appendBronze, bronzeRows } from '@lens/prism';
import { LENS_BIN } from '../testing/lens-process.js';

const data = join(mkdtempSync(join(tmpdir(), 'lens-pipelines-')), 'data');
const lens = (...args: string[]) =>
  spawnSync(process.execPath, [LENS_BIN, 'pipelines', ...args, '--data', data, '--log-level', 'warn'], {
    encoding: 'utf8',
    // `run --continuous` that starts the scheduler never exits by itself.
    timeout: 120_000,
  });

before(async () => {
  await appendBronze(data, [...bronzeRows({ seed: 11, users: 120, days: 3, start: '2025-03-03T00:00:00Z' })]);
});

describe('lens pipelines', () => {
  it('runs every shipped pipeline (a first run is a full refresh), then has nothing to do', () => {
    const first = lens('run');
    assert.equal(first.status, 0, first.stderr);
    for (const name of ['silver.events', 'silver.sessions', 'gold.kpi_daily', 'gold.user_features'])
      assert.match(
        first.stdout,
        new RegExp(`^${name.replace('.', '\\.')} +succeeded +(incremental|full_refresh)`, 'm'),
      );
    const again = lens('run');
    assert.match(again.stdout, /nothing to do: no input changed since the last run/);
  });

  it('backfills a date range and full-refreshes from the same definitions', () => {
    const backfill = lens('run', 'gold.kpi_daily', '--from', '2025-03-04', '--to', '2025-03-04');
    assert.equal(backfill.status, 0, backfill.stderr);
    assert.match(backfill.stdout, /^gold\.kpi_daily +succeeded +backfill/m);
    const full = lens('run', 'silver.events', '--full-refresh');
    assert.match(full.stdout, /^silver\.events +succeeded +full_refresh/m);
    const bad = lens('run', '--from', '2025-03-04');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--from and --to go together/);
    const backwards = lens('run', 'gold.kpi_daily', '--from', '2025-03-05', '--to', '2025-03-04');
    assert.equal(backwards.status, 1);
    assert.match(backwards.stderr, /--to 2025-03-04 is before --from 2025-03-05: nothing to backfill/);
    for (const [from, to, named] of [
      ['2025-13-01', '2025-13-02', '--from 2025-13-01'],
      ['2025-02-28', '2025-02-30', '--to 2025-02-30'],
      ['2025-3-1', '2025-03-02', '--from 2025-3-1'],
    ]) {
      const impossible = lens('run', 'gold.kpi_daily', '--from', from!, '--to', to!);
      assert.equal(impossible.status, 1);
      assert.ok(impossible.stderr.includes(`${named!}: not a calendar date; dates are YYYY-MM-DD`), impossible.stderr);
      assert.doesNotMatch(impossible.stdout, /failed/);
    }
    for (const args of [['gold.kpi_daily'], ['--full-refresh'], ['--from', '2025-03-04', '--to', '2025-03-04']]) {
      const continuous = lens('run', '--continuous', ...args);
      assert.equal(continuous.status, 1, `--continuous ${args.join(' ')}`);
      assert.match(continuous.stderr, /--continuous runs every pipeline incrementally/);
    }
    const unknown = lens('run', 'gold.nope');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no pipeline named gold\.nope/);
  });

  it('lists pipelines, shows status and history, and exports lineage', () => {
    assert.match(lens('list').stdout, /^PIPELINE +UPDATE +SCHEDULE +INPUTS$/m);
    assert.match(lens('list').stdout, /^silver\.events +append +continuous +bronze\.events$/m);
    assert.match(lens('status').stdout, /^PIPELINE +STATUS +ENDED +ROWS OUT$/m);
    assert.match(lens('status').stdout, /^gold\.kpi_daily +succeeded +\d{4}-\d\d-\d\dT[\d:.]+Z \d+$/m);
    const history = JSON.parse(lens('history', 'silver.events').stdout) as { pipeline: string; status: string }[];
    assert.ok(history.length >= 2 && history.every((r) => r.pipeline === 'silver.events' && r.status === 'succeeded'));
    assert.equal((JSON.parse(lens('history', '-n', '1').stdout) as unknown[]).length, 1);
    const table = lens('history', 'silver.events', '-n', '2', '--format', 'table').stdout;
    assert.match(table, /^\| started_at +\| pipeline +\| mode +\| status +\| attempt +\| seconds +\| rows_in /m);
    assert.equal(
      table.match(/^\| \d{4}-\d\d-\d\dT[\d:.]+Z \| silver\.events +\| \w+ +\| succeeded \| 1 +\| [\d.]+ +\|/gm)?.length,
      2,
    );
    const csv = lens('history', 'silver.events', '-n', '1', '--format', 'csv').stdout.trim().split('\n');
    assert.equal(csv[0], Object.keys(history[0]!).join(','));
    assert.equal(csv.length, 2);
    for (const [args, message] of [
      [['history', '--format', 'yaml'], /--format must be json, table or csv \(got yaml\)/],
      [['history', '-n', 'abc'], /--limit: "abc" is not a positive integer/],
      [['history', '-n', '-3'], /--limit: "-3" is not a positive integer/],
      [['history', 'silver.evnts'], /no pipeline named silver\.evnts \(lens pipelines list shows them\)/],
    ] as const) {
      const bad = lens(...args);
      assert.equal(bad.status, 1, args.join(' '));
      assert.match(bad.stderr, message, args.join(' '));
    }
    assert.match(lens('lineage').stdout, /^silver\.events → gold\.kpi_daily$/m);
    type OlEvent = {
      schemaURL: string;
      eventType?: string;
      eventTime: string;
      run?: { runId: string };
      job: { name: string };
      inputs: { name: string }[];
      outputs: { name: string; outputFacets?: { outputStatistics?: { rowCount: number } } }[];
    };
    const events = lens('lineage', '--openlineage')
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as OlEvent);
    const jobs = events.filter((e) => e.schemaURL.endsWith('/JobEvent'));
    const kpi = jobs.find((e) => e.outputs.some((o) => o.name === 'gold.kpi_daily'));
    assert.deepEqual(kpi?.inputs.map((i) => i.name).sort(), ['silver.events', 'silver.sessions']);
    assert.ok(
      jobs.every((e) => e.eventType === undefined && e.run === undefined),
      'static lineage has no run',
    );
    // A RunEvent is the pipeline's latest run in lens.runs: its id, end time and rows, not a made-up success.
    const [latest] = JSON.parse(lens('history', 'gold.kpi_daily', '-n', '1').stdout) as {
      run_id: string;
      ended_at: string;
      rows_out: number;
    }[];
    const kpiRun = events.find((e) => e.schemaURL.endsWith('/RunEvent') && e.job.name === 'gold.kpi_daily');
    assert.equal(kpiRun?.eventType, 'COMPLETE');
    assert.equal(kpiRun?.run?.runId, latest!.run_id);
    assert.equal(Date.parse(kpiRun!.eventTime), Date.parse(latest!.ended_at));
    assert.equal(kpiRun?.outputs[0]?.outputFacets?.outputStatistics?.rowCount, Number(latest!.rows_out));
    const runIds = events.filter((e) => e.run).map((e) => e.run!.runId);
    assert.equal(new Set(runIds).size, runIds.length, 'one RunEvent per pipeline');
  });
});
