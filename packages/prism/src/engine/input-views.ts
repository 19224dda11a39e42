// Registers what a run's SQL reads as DuckDB views: each input in full (`silver.events`), its rows added since
// the version the output last processed (`incoming.silver_events`), rows of files removed since
// (`removed.silver_events`), both (`changed.silver_events`), and the output itself (`this`).
import { DeltaTable, type Sql } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import type { LoadedDataset } from '../definition/dataset-definition.js';
import { ident, literal } from './duck-types.js';

/** How a run reads its inputs. */
export type ReadMode = { kind: 'incremental' } | { kind: 'full' } | { kind: 'backfill'; from: string; to: string };

/** What was read per input: the version pinned for this run and the version processed before. */
export interface InputRead {
  table: string;
  version: number;
  previous: number;
  addedFiles: number;
  removedFiles: number;
}

/** Sets up the views for `dataset`; `processed` maps input → version the output has processed (-1 none). */
export async function registerInputViews(
  db: Sql,
  dataDir: string,
  dataset: LoadedDataset,
  processed: ReadonlyMap<string, number>,
  mode: ReadMode,
): Promise<InputRead[]> {
  const reads: InputRead[] = [];
  for (const input of dataset.inputs) {
    const [layer, name] = input.split('.') as [string, string];
    const table = await DeltaTable.open(lakeTablePath(dataDir, input), { sql: db });
    const snapshot = await table.snapshot();
    const version = snapshot.version;
    const previous = processed.get(input) ?? -1;
    await db.run(`CREATE SCHEMA IF NOT EXISTS ${ident(layer)}`);
    for (const s of ['incoming', 'removed', 'changed']) await db.run(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    const full = (await table.scan({ version })).sql;
    await db.run(`CREATE OR REPLACE VIEW ${ident(layer)}.${ident(name)} AS ${full}`);
    let incoming = full;
    let removed = (await table.scanFiles([], version)).sql;
    let addedFiles = snapshot.files.length;
    let removedFiles = 0;
    if (mode.kind === 'backfill') {
      const col = snapshot.partitionColumns[0];
      if (col)
        incoming = `SELECT * FROM (${full}) WHERE ${ident(col)} BETWEEN ${literal(mode.from)} AND ${literal(mode.to)}`;
    } else if (mode.kind === 'incremental' && previous >= 0) {
      const changes = await table.changes(previous, version);
      incoming = (await table.scanFiles(changes.added, version)).sql;
      removed = (await table.scanFiles(changes.removed, version)).sql;
      addedFiles = changes.added.length;
      removedFiles = changes.removed.length;
    }
    const flat = `${layer}_${name}`;
    await db.run(`CREATE OR REPLACE VIEW incoming.${ident(flat)} AS ${incoming}`);
    await db.run(`CREATE OR REPLACE VIEW removed.${ident(flat)} AS ${removed}`);
    await db.run(
      `CREATE OR REPLACE VIEW changed.${ident(flat)} AS SELECT * FROM incoming.${ident(flat)} UNION ALL SELECT * FROM removed.${ident(flat)}`,
    );
    reads.push({ table: input, version, previous, addedFiles, removedFiles });
  }
  return reads;
}

/** Registers `this`: the output's rows (none on a full refresh, or before the first run). */
export async function registerThisView(
  db: Sql,
  output: DeltaTable | undefined,
  dataset: LoadedDataset,
  mode: ReadMode,
): Promise<void> {
  const empty = dataset.columns
    ? `SELECT ${Object.entries(dataset.columns)
        .map(([c, t]) => `CAST(NULL AS ${t}) AS ${ident(c)}`)
        .join(', ')} WHERE FALSE`
    : 'SELECT NULL AS __none WHERE FALSE';
  let sql = output && mode.kind !== 'full' ? (await output.scan()).sql : empty;
  const dateColumn = dataset.dateColumn ?? dataset.partitionBy[0];
  // A backfill recomputes its range from scratch, so within the range the output must look empty.
  if (output && mode.kind === 'backfill' && dateColumn)
    sql = `SELECT * FROM (${sql}) WHERE ${ident(dateColumn)} NOT BETWEEN ${literal(mode.from)} AND ${literal(mode.to)}`;
  await db.run(`CREATE OR REPLACE TEMP VIEW this AS ${sql}`);
}
