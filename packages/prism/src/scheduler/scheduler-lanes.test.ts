// The scheduler's lanes: a scheduled run in progress (gold.gated, blocked on a named pipe until the test lets it
// go) does not hold back the continuous dataset (silver.copy), which keeps picking up bronze; stop() waits for both.
// A scheduled dataset whose first pass found the other lane's table missing runs once it exists, not an hour on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { loadDefinitions } from '../definition/load-definitions.js';
import type { RunRecord } from '../engine/run-history.js';
import { runPipelines } from '../engine/run-pipelines.js';
import { buildGraph } from '../graph/pipeline-graph.js';
import { appendBronze, bronzeRows } from '../testing/bronze-fixture.js';
import { SchedulerMetrics } from './scheduler-metrics.js';
import { startScheduler } from './scheduler.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rows and version of a table (0 rows, version -1 before it exists). */
async function tableState(dataDir: string, name: string): Promise<{ rows: number; version: number }> {
  const t = await DeltaTable.open(lakeTablePath(dataDir, name));
  const snapshot = await t.snapshot().catch(() => undefined);
  if (snapshot === undefined) return { rows: 0, version: -1 };
  const [row] = await t.sql.all(`SELECT count(*) AS n FROM (${(await t.scan({ version: snapshot.version })).sql})`);
  return { rows: Number(row?.['n']), version: snapshot.version };
}

/**
 * A named pipe a run's SQL reads (`read_csv(gate.path)`): the read blocks until `release()` writes it, so the run is
 * in progress, by construction rather than by timing, until the test lets it finish (a slow full refresh, made
 * exact). `opened()` turns true once the run's DuckDB opened it (its transform is running).
 */
function createGate(root: string): { path: string; opened(): boolean; release(): Promise<void> } {
  const path = join(root, 'gate.csv');
  execFileSync('mkfifo', [path]);
  // Opening the pipe for writing completes once a reader opened it.
  const writer = open(path, 'w');
  let handle: FileHandle | undefined;
  void writer.then((h) => (handle = h));
  let released = false;
  return {
    path,
    opened: () => handle !== undefined,
    async release() {
      if (released) return;
      released = true;
      // Should no run have reached the gate, a reader of our own lets the pending open finish (no hung thread).
      const reader = handle === undefined ? openSync(path, constants.O_RDONLY | constants.O_NONBLOCK) : undefined;
      const h = await writer;
      await h.write('a\n1\n');
      await h.close();
      if (reader !== undefined) closeSync(reader);
      // A plain file from now on: a later read (a run that reached the gate only now, a rerun) does not block.
      rmSync(path);
      writeFileSync(path, 'a\n1\n');
    },
  };
}

/** Writes a pipeline definition into `dir`. */
function define(dir: string, name: string, inputs: string, schedule: string, sql: string): void {
  writeFileSync(
    join(dir, `${name}.yaml`),
    `name: ${name}
description: A test dataset.
owner: tests
inputs: [${inputs}]
schedule: ${schedule}
transform:
  sql: ${sql}
update:
  mode: append
`,
  );
}

/** Polls `probe` until it returns a value, or gives up after `ms` (returns undefined). */
async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  return undefined;
}

it(
  'runs continuous datasets in a lane of their own: a scheduled run in progress does not hold them back',
  { timeout: 60_000 },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'prism-lanes-'));
    const dataDir = join(root, 'data');
    const dir = join(root, 'pipelines');
    mkdirSync(dir);
    const gate = createGate(root);
    define(dir, 'silver.copy', 'bronze.events', 'continuous', 'SELECT message_id FROM incoming.bronze_events');
    // Reads the other lane's table, then waits for the gate.
    const sql = `SELECT message_id, (SELECT count(*) FROM read_csv('${gate.path}')) AS gate FROM incoming.silver_copy`;
    define(dir, 'gold.gated', 'silver.copy', 'every 1 hour', sql);
    const graph = buildGraph(loadDefinitions({ dirs: [dir], shipped: false }));
    const rows = [...bronzeRows({ seed: 11, users: 10, days: 1, start: '2025-02-01T00:00:00Z' })];
    await appendBronze(dataDir, rows.slice(0, 40));
    // silver.copy exists before the scheduler starts, so gold.gated's first pass runs (its input is there).
    await runPipelines({ dataDir, graph, names: ['silver.copy'], retries: 0 });
    const before = await tableState(dataDir, 'silver.copy');
    assert.equal(before.rows, 40);

    const records: RunRecord[] = [];
    const metrics = new SchedulerMetrics({ processMetrics: false });
    const scheduler = startScheduler({
      dataDir,
      graph,
      tickMs: 50,
      retries: 0,
      metrics,
      onRuns: (r) => records.push(...r),
    });
    try {
      assert.ok(await until(() => gate.opened() || undefined, 15_000), 'gold.gated reached the gate');
      const during = scheduler.health();

      await appendBronze(dataDir, rows.slice(40));
      // The continuous lane's passes record silver.copy's runs (onRuns) once they finished.
      const copied = (): number =>
        records
          .filter((r) => r.pipeline === 'silver.copy' && r.status === 'succeeded')
          .reduce((n, r) => n + r.rowsOut, 0);
      const caughtUp = await until(() => (copied() === rows.length - 40 ? true : undefined), 10_000);
      assert.ok(caughtUp, 'silver.copy picked up the new bronze rows while gold.gated was still running');
      const after = await tableState(dataDir, 'silver.copy');
      assert.equal(after.rows, rows.length);
      assert.ok(after.version > before.version);
      assert.equal(records.filter((r) => r.pipeline === 'gold.gated').length, 0, 'gold.gated is still running');
      assert.equal((await tableState(dataDir, 'gold.gated')).version, -1, 'and has not committed');
      const meanwhile = scheduler.health();
      assert.ok(during.lanes.scheduled.passStartedAt !== null, 'the scheduled lane was in its pass, at gold.gated');
      assert.ok(
        meanwhile.lanes.continuous.passes > during.lanes.continuous.passes,
        'the continuous lane passed meanwhile',
      );
      assert.equal(meanwhile.lanes.scheduled.passes, 0, 'while the scheduled lane is still in its first pass');
      assert.equal(meanwhile.lanes.scheduled.passStartedAt, during.lanes.scheduled.passStartedAt);
      // The top level covers both lanes: the scheduled pass is the oldest open one, and every pass counts.
      assert.equal(meanwhile.passStartedAt, meanwhile.lanes.scheduled.passStartedAt);
      assert.equal(meanwhile.passes, meanwhile.lanes.continuous.passes);
      assert.equal(meanwhile.lastPassAt, meanwhile.lanes.continuous.lastPassAt);
      assert.ok(meanwhile.lagSeconds >= meanwhile.lanes.scheduled.lagSeconds);
      // Per lane in Prometheus too: gold.gated has waited since start-up, silver.copy since its last pass began.
      const lag = (lane: string): number => {
        const line = text.split('\n').find((l) => l.startsWith(`lens_pipelines_lane_lag_seconds{lane="${lane}"} `));
        return Number(line?.split(' ')[1]);
      };
      const text = await metrics.registry.getSingleMetricAsString('lens_pipelines_lane_lag_seconds');
      assert.ok(lag('scheduled') >= lag('continuous') && lag('continuous') >= 0, text);

      // stop() waits for the run in progress (and for both lanes) before it resolves.
      let stopped = false;
      const stopping = scheduler.stop().then(() => (stopped = true));
      await sleep(300);
      assert.equal(stopped, false, 'stop() waits for gold.gated');
      assert.equal(scheduler.health().state, 'stopping');
      await gate.release();
      await stopping;
      assert.equal(scheduler.health().state, 'stopped');
      const gated = records.filter((r) => r.pipeline === 'gold.gated');
      assert.equal(gated.length, 1);
      assert.equal(gated[0]!.status, 'succeeded', gated[0]!.error ?? '');
      // It read silver.copy at the version pinned when it started: the other lane's commits during the run are left
      // for its next run, none half-read.
      assert.deepEqual(gated[0]!.inputVersions['silver.copy'], { from: -1, to: before.version });
      assert.equal(gated[0]!.rowsIn, 40);
      assert.equal((await tableState(dataDir, 'gold.gated')).rows, 40);
    } finally {
      await gate.release();
      await scheduler.stop();
    }
  },
);

it(
  "runs a scheduled dataset whose first pass found the other lane's table missing once it exists, not at its next time",
  { timeout: 60_000 },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'prism-lanes-missing-'));
    const dataDir = join(root, 'data');
    const dir = join(root, 'pipelines');
    mkdirSync(dir);
    // silver.copy's first run (it creates the table) waits for the gate: gold.daily's first pass, in the other lane,
    // certainly finds silver.copy missing — as on a fresh data directory, where both lanes start together.
    const gate = createGate(root);
    const sql = `SELECT message_id, (SELECT count(*) FROM read_csv('${gate.path}')) AS gate FROM incoming.bronze_events`;
    define(dir, 'silver.copy', 'bronze.events', 'continuous', sql);
    define(dir, 'gold.daily', 'silver.copy', 'every 1 hour', 'SELECT message_id FROM incoming.silver_copy');
    const graph = buildGraph(loadDefinitions({ dirs: [dir], shipped: false }));
    const rows = [...bronzeRows({ seed: 12, users: 5, days: 1, start: '2025-02-01T00:00:00Z' })];
    await appendBronze(dataDir, rows);
    const records: RunRecord[] = [];
    const scheduler = startScheduler({ dataDir, graph, tickMs: 50, retries: 0, onRuns: (r) => records.push(...r) });
    try {
      const first = await until(() => records.find((r) => r.pipeline === 'gold.daily'), 15_000);
      assert.equal(first?.status, 'skipped');
      assert.match(String(first?.error), /input silver\.copy does not exist yet/);
      assert.ok(await until(() => gate.opened() || undefined, 15_000), "silver.copy's first run reached the gate");
      await gate.release();
      const ran = await until(
        () => records.find((r) => r.pipeline === 'gold.daily' && r.status === 'succeeded'),
        15_000,
      );
      assert.ok(ran, 'gold.daily ran once silver.copy existed (its schedule would have waited an hour)');
      assert.equal(ran.rowsOut, rows.length);
      // Waiting for its input cost nothing: a skipped run is recorded once, not at every tick.
      assert.equal(records.filter((r) => r.pipeline === 'gold.daily' && r.status === 'skipped').length, 1);
    } finally {
      await gate.release();
      await scheduler.stop();
    }
  },
);
