// Test and benchmark data: demo events written to bronze.events in a data directory, then Prism's shipped
// pipelines and the recs pipelines run over them (full refresh), plus the demo's ground-truth segments.
import { generateLabelledEvents, type GenerateOptions } from '@lens/demo';
import { appendBronze, bronzeRows, runPipelines, type RunRecord } from '@lens/prism';
import { segmentsOf } from '../evaluation/planted-recovery.js';
import { RECS_DATASETS, recsPipelineGraph } from '../training/recs-pipelines.js';

/** Seed 42 from the demo's Monday start, as the planted-truth tests use. */
export const DEMO_START = '2025-01-06T00:00:00Z';

/** What `buildDemoLake` made. */
export interface DemoLake {
  events: number;
  runs: RunRecord[];
  /** Device and user id → segment. */
  segments: Map<string, string>;
}

/** The datasets recommendations and predictions read, and their own. */
export const RECS_INPUTS = [
  'silver.events',
  'silver.identities',
  'silver.content',
  'gold.user_features',
  ...RECS_DATASETS,
];

/** Appends demo events as bronze (in `commits` commits) and runs the pipelines (default RECS_INPUTS); throws if one failed. */
export async function buildDemoLake(
  dataDir: string,
  options: Partial<GenerateOptions> & { users: number; days: number; commits?: number; names?: readonly string[] },
): Promise<DemoLake> {
  const gen: GenerateOptions = { start: DEMO_START, seed: 42, ...options };
  const rows = [...bronzeRows(gen)];
  const commits = options.commits ?? 1;
  const size = Math.ceil(rows.length / commits);
  for (let i = 0; i < rows.length; i += size) await appendBronze(dataDir, rows.slice(i, i + size));
  const runs = await runPipelines({
    dataDir,
    graph: recsPipelineGraph(),
    retries: 0,
    names: options.names ?? RECS_INPUTS,
  });
  const failed = runs.filter((r) => r.status !== 'succeeded');
  if (failed.length > 0)
    throw new Error(`pipelines failed: ${failed.map((r) => `${r.pipeline}: ${r.error}`).join('; ')}`);
  return { events: rows.length, runs, segments: segmentsOf(generateLabelledEvents(gen)) };
}
