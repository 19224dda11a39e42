// lens.runs: one row per pipeline run (start, end, input versions, rows in/out, expectation results, error),
// itself a Delta table under the data directory so `lens query` and dashboards read it like any other.
import { DeltaTable, STREAMING_TABLE_PROPERTIES, type ColumnSpec } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import type { ExpectationResult } from './expectations.js';

/** A finished run of one dataset. */
export interface RunRecord {
  runId: string;
  pipeline: string;
  mode: 'incremental' | 'full_refresh' | 'backfill';
  status: 'succeeded' | 'failed' | 'skipped';
  attempt: number;
  startedAt: Date;
  endedAt: Date;
  /** Input table → version read (and the version processed before). */
  inputVersions: Record<string, { from: number; to: number }>;
  outputVersion: number | null;
  rowsIn: number;
  rowsOut: number;
  rowsDeleted: number;
  expectations: ExpectationResult[];
  error: string | null;
}

const COLUMNS: ColumnSpec[] = [
  { name: 'run_id', type: 'string', nullable: false },
  { name: 'pipeline', type: 'string', nullable: false },
  { name: 'mode', type: 'string' },
  { name: 'status', type: 'string' },
  { name: 'attempt', type: 'integer' },
  { name: 'started_at', type: 'timestamp' },
  { name: 'ended_at', type: 'timestamp' },
  { name: 'input_versions', type: 'string' },
  { name: 'output_version', type: 'long' },
  { name: 'rows_in', type: 'long' },
  { name: 'rows_out', type: 'long' },
  { name: 'rows_deleted', type: 'long' },
  { name: 'expectations', type: 'string' },
  { name: 'error', type: 'string' },
];

/** Appends run records to lens.runs (creating it on first use). */
export async function recordRuns(dataDir: string, records: readonly RunRecord[]): Promise<void> {
  if (records.length === 0) return;
  const table = await DeltaTable.open(lakeTablePath(dataDir, 'lens.runs'), { maintenance: 'background' });
  // A table created before Lens chose them gets the streaming properties.
  await table.ensureCreated({
    columns: COLUMNS,
    name: 'lens.runs',
    description: 'Prism pipeline runs',
    properties: STREAMING_TABLE_PROPERTIES,
  });
  await table.append({
    rows: records.map((r) => ({
      run_id: r.runId,
      pipeline: r.pipeline,
      mode: r.mode,
      status: r.status,
      attempt: r.attempt,
      started_at: r.startedAt.toISOString(),
      ended_at: r.endedAt.toISOString(),
      input_versions: JSON.stringify(r.inputVersions),
      output_version: r.outputVersion,
      rows_in: r.rowsIn,
      rows_out: r.rowsOut,
      rows_deleted: r.rowsDeleted,
      expectations: JSON.stringify(r.expectations),
      error: r.error,
    })),
  });
}

/**
 * Runs from lens.runs, newest first (optionally of one pipeline, or only each pipeline's latest run — what
 * `lens pipelines status` shows, however many runs the busier pipelines recorded since).
 */
export async function readRuns(
  dataDir: string,
  options: { pipeline?: string; limit?: number; latestPerPipeline?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const table = await DeltaTable.open(lakeTablePath(dataDir, 'lens.runs'));
  try {
    await table.snapshot();
  } catch {
    return [];
  }
  const filter = options.pipeline ? ` WHERE pipeline = '${options.pipeline.replace(/'/g, "''")}'` : '';
  const latest = options.latestPerPipeline
    ? ' QUALIFY row_number() OVER (PARTITION BY pipeline ORDER BY started_at DESC, ended_at DESC) = 1'
    : '';
  return table.sql.all(
    `SELECT * FROM (${(await table.scan()).sql})${filter}${latest} ORDER BY started_at DESC LIMIT ${options.limit ?? 50}`,
  );
}
