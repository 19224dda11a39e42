// One run of one dataset: pin input versions, expose the changes since the output's recorded txns as views,
// compute the transform into a temp table, apply expectations, and commit by update mode with txn markers.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  createSpillingDuckDB,
  DeltaTable,
  STREAMING_TABLE_PROPERTIES,
  TableNotFoundError,
  VersionNotFoundError,
  type DuckDBSession,
  type ReplaceOptions,
  type Snapshot,
} from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import type { LoadedDataset } from '../definition/dataset-definition.js';
import { BUILTIN_TRANSFORMS } from './builtin-transforms.js';
import { columnSpecs, ident } from './duck-types.js';
import { PipelineRunError } from '../errors.js';
import { applyExpectations } from './expectations.js';
import { registerInputViews, registerThisView, type ReadMode } from './input-views.js';
import { commitOutput, commitWhere } from './output-commit.js';
import type { RunRecord } from './run-history.js';
import { registerMacros } from './sql-macros.js';
import { writeQuarantine } from './quarantine-table.js';

/** The txn appId under which `dataset` records the version of `input` it has processed. */
export const inputTxnId = (dataset: string, input: string): string => `prism:${dataset}:${input}`;

/** Runs `dataset` once; undefined when incremental and no input changed (nothing to record). */
export async function runDataset(
  dataDir: string,
  dataset: LoadedDataset,
  requested: ReadMode,
  attempt = 1,
  effective: { mode?: RunRecord['mode'] } = {},
  memoryLimitBytes?: number,
): Promise<RunRecord | undefined> {
  const startedAt = new Date();
  // Spills go under the data directory, one folder per run (the two scheduler lanes run at once).
  const db = await createSpillingDuckDB({
    spillUnder: join(dataDir, 'tmp', 'prism'),
    ...(memoryLimitBytes === undefined ? {} : { memoryLimitBytes }),
  });
  try {
    return await runWith(db, dataDir, dataset, requested, attempt, startedAt, effective);
  } catch (error) {
    // The input's log no longer holds the commits since our last run (log retention): recompute everything.
    if (error instanceof VersionNotFoundError && requested.kind === 'incremental')
      return runDataset(dataDir, dataset, { kind: 'full' }, attempt, effective, memoryLimitBytes);
    throw error;
  } finally {
    db.close();
  }
}

async function runWith(
  db: DuckDBSession,
  dataDir: string,
  dataset: LoadedDataset,
  requested: ReadMode,
  attempt: number,
  startedAt: Date,
  /** Set to the mode the run takes (a first incremental run is a full refresh), for a failure's record. */
  effective: { mode?: RunRecord['mode'] },
): Promise<RunRecord | undefined> {
  const base = {
    runId: randomUUID(),
    pipeline: dataset.name,
    attempt,
    startedAt,
    inputVersions: {},
    outputVersion: null,
    rowsIn: 0,
    rowsOut: 0,
    rowsDeleted: 0,
    expectations: [],
    error: null,
  };
  let output: DeltaTable | undefined = await DeltaTable.open(lakeTablePath(dataDir, dataset.name), {
    sql: db,
    maintenance: 'background',
  });
  let outSnap = await output.snapshot().catch((e: unknown) => {
    if (e instanceof TableNotFoundError) return undefined;
    throw e;
  });
  // A table created before Lens chose them gets the properties of a table committed to every second.
  if (outSnap && (await output.ensureProperties(STREAMING_TABLE_PROPERTIES, outSnap)) !== undefined)
    outSnap = await output.snapshot();
  if (!outSnap) output = undefined;
  const mode: ReadMode = !output && requested.kind === 'incremental' ? { kind: 'full' } : requested;
  const modeName = mode.kind === 'full' ? 'full_refresh' : mode.kind;
  effective.mode = modeName;
  for (const input of dataset.inputs) {
    const exists = await DeltaTable.open(lakeTablePath(dataDir, input), { sql: db })
      .then((t) => t.snapshot())
      .then(
        () => true,
        () => false,
      );
    if (!exists)
      return {
        ...base,
        mode: modeName,
        status: 'skipped',
        endedAt: new Date(),
        error: `input ${input} does not exist yet`,
      };
  }
  const processed = new Map(
    dataset.inputs.map((i) => [i, outSnap?.txns.get(inputTxnId(dataset.name, i))?.version ?? -1]),
  );
  const reads = await registerInputViews(db, dataDir, dataset, processed, mode);
  if (mode.kind === 'incremental' && reads.every((r) => r.version === r.previous)) return undefined;
  await registerThisView(db, output, dataset, mode);
  await registerMacros(db);
  if (dataset.affected) await db.run(`CREATE OR REPLACE TEMP TABLE affected AS ${dataset.affected}`);
  const transform =
    'sql' in dataset.transform
      ? dataset.transform.sql
      : BUILTIN_TRANSFORMS[dataset.transform.builtin]!(dataset.transform.params);
  const typed = dataset.columns
    ? `SELECT ${Object.entries(dataset.columns)
        .map(([c, t]) => `CAST(${ident(c)} AS ${t}) AS ${ident(c)}`)
        .join(', ')} FROM (${transform})`
    : transform;
  await db.run(`CREATE OR REPLACE TEMP TABLE __prism_out AS ${typed}`);
  const counts = await Promise.all(
    reads.map(async (r) => db.all(`SELECT count(*) AS n FROM incoming.${ident(r.table.replace('.', '_'))}`)),
  );
  const rowsIn = counts.reduce((n, rows) => n + Number(rows[0]?.['n'] ?? 0), 0);
  const { results, quarantined } = await applyExpectations(db, dataset.name, dataset.expectations);
  if (!output) {
    output = await DeltaTable.open(lakeTablePath(dataDir, dataset.name), { sql: db, maintenance: 'background' });
    const columns = columnSpecs(dataset.name, await db.describe('SELECT * FROM __prism_out'));
    await output
      .create({
        columns,
        partitionColumns: dataset.partitionBy,
        name: dataset.name,
        description: dataset.description,
        properties: STREAMING_TABLE_PROPERTIES,
      })
      .catch(async (e: unknown) => {
        if (
          !(await output!.snapshot().then(
            () => true,
            () => false,
          ))
        )
          throw e;
      });
  }
  const batch = (outSnap?.txns.get(`prism:${dataset.name}`)?.version ?? 0) + 1;
  if (quarantined > 0) await writeQuarantine(dataDir, db, dataset.name, batch, mode.kind === 'full');
  const txns =
    mode.kind === 'backfill'
      ? [{ appId: `prism:${dataset.name}:backfill`, version: Date.now() }]
      : [
          { appId: `prism:${dataset.name}`, version: batch },
          ...reads.map((r) => ({ appId: inputTxnId(dataset.name, r.table), version: r.version })),
        ];
  const where = await commitWhere(db, dataset, mode, dataset.affected !== undefined);
  const schema = outSnap ? await outputSchemaChange(db, dataset, outSnap, where.where === 'all') : undefined;
  const [out] = await db.all('SELECT count(*) AS n FROM __prism_out');
  // The run's batch number fences it: a concurrent run of this dataset (another scheduler on this data directory)
  // that committed the batch first wins, and this one writes nothing — else both would add the rows of the
  // input versions they share.
  const fence = mode.kind === 'backfill' ? undefined : { appId: `prism:${dataset.name}`, version: batch };
  const result = await commitOutput(output, where, txns, schema, fence);
  if (result.status === 'already-committed' && fence !== undefined)
    return {
      ...base,
      mode: modeName,
      status: 'skipped',
      endedAt: new Date(),
      error: `another run of ${dataset.name} committed batch ${batch} first (a second scheduler on this data directory?)`,
    };
  return {
    ...base,
    mode: modeName,
    status: 'succeeded',
    endedAt: new Date(),
    inputVersions: Object.fromEntries(reads.map((r) => [r.table, { from: r.previous, to: r.version }])),
    outputVersion: result.version,
    rowsIn,
    rowsOut: result.status === 'committed' ? Number(out?.['n'] ?? 0) : 0,
    rowsDeleted: result.deletedRows,
    expectations: results,
  };
}

/**
 * The definition's output no longer matches the table (columns added, dropped or retyped, or new partitioning):
 * a run that rewrites the whole table takes the new schema in its commit (Delta's overwriteSchema); any other run
 * fails with what changed, since mixing old and new rows would leave the table half one, half the other.
 */
async function outputSchemaChange(
  db: DuckDBSession,
  dataset: LoadedDataset,
  current: Snapshot,
  rewritesAll: boolean,
): Promise<ReplaceOptions['schema']> {
  const wanted = columnSpecs(dataset.name, await db.describe('SELECT * FROM __prism_out'));
  const have = new Map(current.schema.fields.map((f) => [f.name, JSON.stringify(f.type)]));
  const names = new Set(wanted.map((c) => c.name));
  const added = wanted.filter((c) => !have.has(c.name)).map((c) => c.name);
  const dropped = [...have.keys()].filter((n) => !names.has(n));
  const retyped = wanted
    .filter((c) => have.has(c.name) && have.get(c.name) !== JSON.stringify(c.type))
    .map((c) => `${c.name} ${have.get(c.name)} → ${JSON.stringify(c.type)}`);
  const repartitioned = JSON.stringify(current.partitionColumns) !== JSON.stringify(dataset.partitionBy);
  // Types alone follow the table on incremental runs (rows are cast into it, as before); a full rewrite adopts them.
  if (added.length === 0 && dropped.length === 0 && !repartitioned && (retyped.length === 0 || !rewritesAll))
    return undefined;
  if (rewritesAll) return { columns: wanted, partitionColumns: dataset.partitionBy };
  const what = [
    added.length ? `new columns ${added.join(', ')}` : '',
    dropped.length ? `columns no longer produced ${dropped.join(', ')}` : '',
    repartitioned
      ? `partitioning ${JSON.stringify(current.partitionColumns)} → ${JSON.stringify(dataset.partitionBy)}`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
  throw new PipelineRunError(
    dataset.name,
    `the output schema changed (${what}); rebuild the table with \`lens pipelines run ${dataset.name} --full-refresh\``,
  );
}
