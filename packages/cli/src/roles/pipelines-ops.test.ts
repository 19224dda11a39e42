// The running pipelines role's ops endpoint, through the real binary (`lens pipelines run --continuous --port P`):
// /health is 503 naming the failing pipeline and since when, 200 once a later pass runs it fine; /metrics counts
// the runs by outcome, the rows written, expectation failures, last success, the scheduler's lag, process metrics.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendBronze, bronzeRows } from '@lens/prism';
import { LENS_BIN } from '../testing/lens-process.js';

/** A sample value of the Prometheus text (NaN when absent). */
const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('lens pipelines run --continuous serves /health (503 naming a failing pipeline, then 200) and /metrics', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lens-pipelines-ops-'));
  const data = join(root, 'data');
  const defs = join(root, 'pipelines');
  mkdirSync(defs);
  // silver.needs_flag reads a file: missing, each run fails (as a lake file gone missing would); present, it runs.
  const flag = join(root, 'flag.csv');
  writeFileSync(
    join(defs, 'silver.copy.yaml'),
    `name: silver.copy
description: Every bronze event's id and type.
owner: tests
inputs: [bronze.events]
schedule: continuous
transform:
  sql: SELECT message_id, type FROM incoming.bronze_events
update:
  mode: append
expectations:
  - { name: is_track, condition: "type = 'track'", action: warn }
`,
  );
  writeFileSync(
    join(defs, 'silver.needs_flag.yaml'),
    `name: silver.needs_flag
description: Fails while the flag file is missing.
owner: tests
inputs: [bronze.events]
schedule: continuous
transform:
  sql: SELECT message_id, (SELECT count(*) FROM read_csv('${flag}')) AS flags FROM incoming.bronze_events
update:
  mode: append
`,
  );
  const config = join(root, 'lens.yaml');
  // One retry 1.5 s later: the failing pass lasts that long, which the scheduler's lag shows.
  writeFileSync(
    config,
    `dataDir: ${JSON.stringify(data)}\npipelines: { dir: ${JSON.stringify(defs)}, shipped: false, host: 127.0.0.1, tickMs: 100, retries: 1, retryBackoffMs: 1500 }\nrecs: { predictionsEveryMinutes: 0 }\n`,
  );
  const rows = [...bronzeRows({ seed: 7, users: 10, days: 1, start: '2025-03-01T00:00:00Z' })];
  await appendBronze(data, rows);
  const tracks = rows.filter((r) => r['type'] === 'track').length;
  assert.ok(tracks > 0 && tracks < rows.length, 'the fixture has track and other events');

  const port = 47_000 + Math.floor(Math.random() * 1000);
  const started = Date.now() / 1000;
  const child = spawn(
    process.execPath,
    [LENS_BIN, 'pipelines', 'run', '--continuous', '--config', config, '--port', String(port), '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  const health = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${base}/health`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const metrics = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
  try {
    const url = await Promise.race([
      new Promise<string | undefined>((resolve) =>
        child.on('message', (m: { type?: string; url?: string }) => m.type === 'lens:ready' && resolve(m.url)),
      ),
      exited.then((code) => {
        throw new Error(`lens pipelines exited (${code}) before it was ready:\n${output}`);
      }),
    ]);
    // Bound to 127.0.0.1 only: the URL names it (it said localhost, which may resolve to ::1, where nothing listens).
    assert.equal(url, `http://127.0.0.1:${port}`, 'lens:ready names the ops endpoint where it listens');

    // The first pass: silver.copy succeeds, silver.needs_flag waits 1.5 s for its retry — the lag shows it.
    const lag = await until('a lag of a second', async () => {
      const value = sample(await metrics(), 'lens_pipelines_scheduler_lag_seconds');
      return value >= 1 ? value : undefined;
    });
    assert.ok(lag >= 1);

    const failing = await until('/health 503', async () => {
      const h = await health();
      return h.status === 503 ? h : undefined;
    });
    assert.equal(failing.body['status'], 'failing');
    assert.equal(failing.body['state'], 'running');
    const [entry] = failing.body['failing'] as { pipeline: string; error: string; since: string; failedRuns: number }[];
    assert.equal(entry!.pipeline, 'silver.needs_flag');
    assert.match(entry!.error, /flag\.csv/);
    assert.ok(Date.parse(entry!.since) / 1000 >= started - 1, `since ${entry!.since}`);

    let text = await metrics();
    assert.equal(sample(text, 'lens_pipelines_runs_total{pipeline="silver.copy",status="succeeded"}'), 1);
    assert.ok(sample(text, 'lens_pipelines_runs_total{pipeline="silver.needs_flag",status="failed"}') >= 1, text);
    assert.equal(sample(text, 'lens_pipelines_rows_written_total{pipeline="silver.copy"}'), rows.length);
    assert.equal(
      sample(
        text,
        'lens_pipelines_expectation_failed_rows_total{pipeline="silver.copy",expectation="is_track",action="warn"}',
      ),
      rows.length - tracks,
    );
    assert.ok(sample(text, 'lens_pipelines_last_success_timestamp_seconds{pipeline="silver.copy"}') >= started - 1);
    assert.ok(
      Number.isNaN(sample(text, 'lens_pipelines_last_success_timestamp_seconds{pipeline="silver.needs_flag"}')),
    );
    assert.equal(sample(text, 'lens_pipelines_run_duration_seconds_count{pipeline="silver.copy"}'), 1);
    assert.equal(sample(text, 'lens_pipelines_failing'), 1);
    assert.ok(sample(text, 'lens_pipelines_process_resident_memory_bytes') > 0, 'process metrics, prefixed');
    assert.ok(!Number.isNaN(sample(text, 'lens_pipelines_nodejs_eventloop_lag_seconds')));

    // The file appears: the next pass runs the pipeline fine, and the role is ready again.
    writeFileSync(flag, 'a\n1\n');
    const ok = await until('/health 200', async () => {
      const h = await health();
      return h.status === 200 ? h : undefined;
    });
    assert.equal(ok.body['status'], 'ok');
    assert.equal(ok.body['failing'], undefined);
    assert.ok((ok.body['passes'] as number) >= 2);
    text = await metrics();
    assert.equal(sample(text, 'lens_pipelines_runs_total{pipeline="silver.needs_flag",status="succeeded"}'), 1);
    assert.equal(sample(text, 'lens_pipelines_rows_written_total{pipeline="silver.needs_flag"}'), rows.length);
    assert.equal(sample(text, 'lens_pipelines_failing'), 0);
    // Passes are quick again: nothing waits a second.
    await until('the lag to fall', async () => {
      const value = sample(await metrics(), 'lens_pipelines_scheduler_lag_seconds');
      return value < 1 ? value : undefined;
    });
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  // Stopped: the port is closed with the role.
  await assert.rejects(fetch(`${base}/health`));
});

test('lens pipelines run refuses --port without --continuous', async () => {
  const child = spawn(process.execPath, [LENS_BIN, 'pipelines', 'run', '--port', '47999'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(output, /--port .* goes with --continuous/);
});

test('the pipelines role fails at start, naming the key, when its ops port is taken', async () => {
  const { createServer } = await import('node:http');
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as { port: number };
  const data = mkdtempSync(join(tmpdir(), 'lens-pipelines-taken-'));
  try {
    const child = spawn(
      process.execPath,
      [LENS_BIN, 'pipelines', 'run', '--continuous', '--data', data, '--port', String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LENS_PIPELINES_HOST: '127.0.0.1' } },
    );
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(
      output,
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(pipelines\\.port; 0 = off\\).*EADDRINUSE`),
    );
  } finally {
    taken.close();
  }
});
