// The scheduler: schedules' due times (every N, cron), and a running scheduler picking up new bronze data.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { loadDefinitions } from '../definition/load-definitions.js';
import { buildGraph } from '../graph/pipeline-graph.js';
import { appendBronze, bronzeRows } from '../testing/bronze-fixture.js';
import { readRuns } from '../engine/run-history.js';
import { noopLogger, type Logger } from '../logger.js';
import { runPipelines } from '../engine/run-pipelines.js';
import { nextDue } from './schedule.js';
import { startScheduler } from './scheduler.js';

describe('scheduler', () => {
  it('computes due times', () => {
    const last = new Date('2025-01-01T10:00:30Z');
    const now = new Date('2025-01-01T10:01:00Z');
    assert.equal(nextDue('continuous', last, now).toISOString(), now.toISOString());
    assert.equal(nextDue('every 5 minutes', last, now).toISOString(), '2025-01-01T10:05:30.000Z');
    assert.equal(nextDue('cron: 0 * * * *', last, now).toISOString(), '2025-01-01T11:00:00.000Z');
    assert.equal(nextDue('every 5m', undefined, now).toISOString(), now.toISOString());
  });

  it('keeps silver.events up with bronze while running', async () => {
    const dataDir = join(tmpdir(), `prism-sched-${process.pid}`);
    const rows = [...bronzeRows({ seed: 3, users: 40, days: 1, start: '2025-02-01T00:00:00Z' })];
    await appendBronze(dataDir, rows.slice(0, 100));
    const graph = buildGraph(loadDefinitions().filter((d) => d.name === 'silver.events'));
    const scheduler = startScheduler({ dataDir, graph, tickMs: 50 });
    const count = async () => {
      const t = await DeltaTable.open(lakeTablePath(dataDir, 'silver.events'));
      return t.snapshot().then(
        async () => Number((await t.sql.all(`SELECT count(*) AS n FROM (${(await t.scan()).sql})`))[0]?.['n']),
        () => 0,
      );
    };
    const until = async (pred: (n: number) => boolean) => {
      for (let i = 0; i < 200; i++) {
        const n = await count();
        if (pred(n)) return n;
        await new Promise((r) => setTimeout(r, 50));
      }
      return count();
    };
    const first = await until((n) => n > 0);
    await appendBronze(dataDir, rows.slice(100));
    const humans = rows.filter((r) => !r['is_bot']).length;
    assert.equal(await until((n) => n === humans), humans);
    assert.ok(first > 0 && first < humans);
    await scheduler.stop();
  });

  it('stops at once when a failing dataset waits for its retry (no backoff waited out), recording it failed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'prism-sched-stop-'));
    const dataDir = join(root, 'data');
    const dir = join(root, 'pipelines');
    mkdirSync(dir);
    // Fails at run time on every attempt (a cast DuckDB refuses), after its input resolved.
    writeFileSync(
      join(dir, 'silver.broken.yaml'),
      `name: silver.broken
description: Fails on every run.
owner: tests
inputs: [bronze.events]
transform:
  sql: SELECT message_id, CAST('not a number' AS INTEGER) AS n FROM incoming.bronze_events
update:
  mode: append
`,
    );
    await appendBronze(dataDir, [...bronzeRows({ seed: 5, users: 5, days: 1, start: '2025-02-01T00:00:00Z' })]);
    const graph = buildGraph(loadDefinitions({ dirs: [dir], shipped: false }));
    const retrying: string[] = [];
    const logger: Logger = { ...noopLogger, warn: (_fields: object, msg?: string) => void retrying.push(msg ?? '') };
    const scheduler = startScheduler({ dataDir, graph, tickMs: 50, logger });
    for (let i = 0; i < 400 && !retrying.includes('pipeline_retrying'); i++)
      await new Promise((r) => setTimeout(r, 25));
    assert.ok(retrying.includes('pipeline_retrying'), 'the first attempt failed and a retry waits (1 s, then 2 s)');
    const started = Date.now();
    await scheduler.stop();
    // Waiting out the backoff takes at least 3 s (the rest of 1 s, then 2 s, between attempts).
    assert.ok(Date.now() - started < 2500, `stop took ${Date.now() - started} ms: it waited out the backoff`);
    const broken = await readRuns(dataDir, { pipeline: 'silver.broken' });
    assert.equal(broken.length, 1);
    assert.equal(broken[0]!['status'], 'failed');
    assert.match(String(broken[0]!['error']), /not a number|Conversion/i);
  });

  it('skips a dataset whose tables have not moved since its last run, without opening DuckDB; runs it when they move', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'prism-unchanged-'));
    const rows = [...bronzeRows({ seed: 4, users: 20, days: 1, start: '2025-02-01T00:00:00Z' })];
    await appendBronze(dataDir, rows.slice(0, 50));
    const graph = buildGraph(loadDefinitions().filter((d) => d.name === 'silver.events'));
    const skipped: string[] = [];
    const logger: Logger = {
      ...noopLogger,
      debug: (fields: object, msg?: string) => {
        if (msg === 'pipeline_unchanged_skipped') skipped.push((fields as { pipeline: string }).pipeline);
      },
    };
    const unchanged = new Map<string, string>();
    const tick = () => runPipelines({ dataDir, graph, logger, unchanged, retries: 0 });
    assert.equal((await tick()).length, 1, 'the first run');
    // Its own commit moved silver.events: one more (empty) look, then nothing to look at.
    assert.equal((await tick()).length, 0);
    assert.deepEqual(skipped, []);
    assert.equal((await tick()).length, 0);
    assert.deepEqual(skipped, ['silver.events']);
    await appendBronze(dataDir, rows.slice(50));
    const after = await tick();
    assert.equal(after.length, 1, 'new bronze rows: it runs');
    assert.equal(after[0]!.rowsIn, rows.length - 50);
  });

  it('two schedulers on one data directory never both commit the same input rows (the batch number fences a run)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'prism-two-'));
    const rows = [...bronzeRows({ seed: 6, users: 30, days: 1, start: '2025-02-01T00:00:00Z' })];
    const graph = buildGraph(loadDefinitions().filter((d) => d.name === 'silver.events'));
    await appendBronze(dataDir, rows.slice(0, 40));
    await runPipelines({ dataDir, graph, retries: 0 });
    // Both runs start from the same state; bronze moves between their starts, so they pin different versions.
    await appendBronze(dataDir, rows.slice(40, 80));
    const first = runPipelines({ dataDir, graph, retries: 0 });
    await appendBronze(dataDir, rows.slice(80));
    const second = runPipelines({ dataDir, graph, retries: 0 });
    const records = [...(await first), ...(await second)];
    await runPipelines({ dataDir, graph, retries: 0 }); // whatever the loser left
    const t = await DeltaTable.open(lakeTablePath(dataDir, 'silver.events'));
    const [counts] = await t.sql.all(
      `SELECT count(*) AS n, count(DISTINCT message_id) AS d FROM (${(await t.scan()).sql})`,
    );
    assert.equal(
      Number(counts!['n']),
      Number(counts!['d']),
      `no row twice: ${JSON.stringify(records.map((r) => [r.status, r.rowsOut, r.error]))}`,
    );
    assert.equal(Number(counts!['d']), rows.filter((r) => !r['is_bot']).length, 'and none missing');
  });

  it('takes its retries from the caller, and reports a failing pipeline in health() until a pass runs it fine', async () => {
    const root = mkdtempSync(join(tmpdir(), 'prism-sched-health-'));
    const dataDir = join(root, 'data');
    const dir = join(root, 'pipelines');
    mkdirSync(dir);
    const flag = join(root, 'flag.csv');
    writeFileSync(
      join(dir, 'silver.flagged.yaml'),
      `name: silver.flagged
description: Fails while the flag file is missing.
owner: tests
inputs: [bronze.events]
transform:
  sql: SELECT message_id, (SELECT count(*) FROM read_csv('${flag}')) AS n FROM incoming.bronze_events
update:
  mode: append
`,
    );
    await appendBronze(dataDir, [...bronzeRows({ seed: 8, users: 5, days: 1, start: '2025-02-01T00:00:00Z' })]);
    const graph = buildGraph(loadDefinitions({ dirs: [dir], shipped: false }));
    const retrying: string[] = [];
    const logger: Logger = { ...noopLogger, warn: (_fields: object, msg?: string) => void retrying.push(msg ?? '') };
    const scheduler = startScheduler({ dataDir, graph, tickMs: 50, logger, retries: 0, backoffMs: 60_000 });
    try {
      assert.equal(scheduler.health().ready, true, 'ready before any pass failed');
      for (let i = 0; i < 400 && scheduler.health().failing === undefined; i++)
        await new Promise((r) => setTimeout(r, 25));
      const failing = scheduler.health();
      assert.equal(failing.ready, false);
      assert.equal(failing.failing?.[0]?.pipeline, 'silver.flagged');
      assert.deepEqual(retrying, [], 'retries: 0 — no retry');
      // Each pass fails it again: the streak grows, its start stays.
      for (let i = 0; i < 400 && (scheduler.health().failing?.[0]?.failedRuns ?? 0) < 2; i++)
        await new Promise((r) => setTimeout(r, 25));
      assert.equal(scheduler.health().failing?.[0]?.since, failing.failing?.[0]?.since);
      writeFileSync(flag, 'a\n1\n');
      for (let i = 0; i < 400 && !scheduler.health().ready; i++) await new Promise((r) => setTimeout(r, 25));
      const ok = scheduler.health();
      assert.equal(ok.ready, true);
      assert.equal(ok.failing, undefined);
      assert.equal(ok.state, 'running');
    } finally {
      await scheduler.stop();
    }
    assert.equal(scheduler.health().state, 'stopped');
    assert.equal(scheduler.health().ready, false);
  });
});
