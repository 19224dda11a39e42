// Demo data for recovery tests and the benchmark: demo events written to bronze.events and run through the
// shipped Prism pipelines (silver.events, silver.identities) into a fresh data directory.
import { buildGraph, loadDefinitions, runPipelines, bronzeRows, appendBronze, type BronzeRow } from '@lens/prism';
import { tempDataDir } from './silver-fixture.js';

/** Options of the demo world. */
export interface DemoLakeOptions {
  seed: number;
  users: number;
  days: number;
  start: string;
  /** Rows per bronze commit (default 200,000). */
  batchRows?: number;
  dataDir?: string;
}

/** Writes the demo world to bronze.events and builds silver.events and silver.identities; returns the data dir. */
export async function buildDemoLake(o: DemoLakeOptions): Promise<{ dataDir: string; bronzeRows: number }> {
  const dataDir = o.dataDir ?? (await tempDataDir());
  let batch: BronzeRow[] = [];
  let total = 0;
  for (const row of bronzeRows({ seed: o.seed, users: o.users, days: o.days, start: o.start })) {
    batch.push(row);
    if (batch.length >= (o.batchRows ?? 200_000)) {
      await appendBronze(dataDir, batch);
      total += batch.length;
      batch = [];
    }
  }
  if (batch.length) await appendBronze(dataDir, batch);
  total += batch.length;
  const graph = buildGraph(loadDefinitions({}));
  const records = await runPipelines({
    dataDir,
    graph,
    names: ['silver.events', 'silver.identities'],
    mode: { kind: 'full' },
    retries: 0,
  });
  const failed = records.find((r) => r.status !== 'succeeded');
  if (failed) throw new Error(`pipeline ${failed.pipeline} failed: ${failed.error ?? 'unknown'}`);
  return { dataDir, bronzeRows: total };
}
