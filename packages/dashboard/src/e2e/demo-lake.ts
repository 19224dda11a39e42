// Test data for the dashboard: a temp data dir with a real lake — demo events (ending now, so Realtime has
// something trending) in bronze.events, every Prism pipeline run over them (silver.*, gold.*, lens.runs),
// and a few rejected records in bronze.quarantine.
import { DeltaTable } from '@lens/lake';
import { lakeTablePath, QUARANTINE_COLUMNS } from '@lens/loader';
import { appendBronze, bronzeRows, buildGraph, loadDefinitions, runPipelines } from '@lens/prism';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of `buildDemoLake`. */
export interface DemoLakeOptions {
  users?: number;
  days?: number;
  seed?: number;
}

/** Creates the data dir and returns its path. Events run from `days` ago until now. */
export async function buildDemoLake(options: DemoLakeOptions = {}): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-dashboard-'));
  const days = options.days ?? 3;
  const start = new Date(Date.now() - days * 86_400_000);
  const rows = [...bronzeRows({ seed: options.seed ?? 11, users: options.users ?? 300, days, start })].filter(
    (r) => String(r['timestamp']) <= new Date().toISOString(),
  );
  // Two commits and two incremental runs, so lens.runs and the version history have more than one entry.
  const half = Math.floor(rows.length / 2);
  const graph = buildGraph(loadDefinitions());
  await appendBronze(dataDir, rows.slice(0, half));
  await runPipelines({ dataDir, graph, retries: 0 });
  await appendBronze(dataDir, rows.slice(half));
  await runPipelines({ dataDir, graph, retries: 0 });
  await writeQuarantine(dataDir);
  return dataDir;
}

/** Three rejected records with two different reasons, as the loader would write them. */
async function writeQuarantine(dataDir: string): Promise<void> {
  const table = await DeltaTable.open(lakeTablePath(dataDir, 'bronze.quarantine'));
  await table.create({
    columns: [...QUARANTINE_COLUMNS],
    partitionColumns: ['quarantine_date'],
    name: 'bronze.quarantine',
  });
  const now = new Date().toISOString();
  const row = (i: number, reason: string, stage: string) => ({
    received_at: now,
    source_id: 'web',
    route: '/v1/batch',
    reason,
    stage,
    message_id: `bad-${i}`,
    batch_index: i,
    raw: JSON.stringify({ type: 'track', broken: i }),
    raw_encoding: 'utf8',
    truncated: false,
    log_partition: 0,
    log_offset: 1000 + i,
    quarantine_date: now.slice(0, 10),
  });
  await table.append({
    rows: [
      row(1, 'schema: event is required', 'collector'),
      row(2, 'schema: event is required', 'collector'),
      row(3, 'timestamp too far in the future', 'loader'),
    ],
  });
}
