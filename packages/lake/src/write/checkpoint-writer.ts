// Writes a classic single-file Parquet checkpoint in Spark's checkpoint schema (PROTOCOL.md "Checkpoint
// Schema"; the same columns and types Spark writes) plus `_last_checkpoint`, so Spark and delta-rs read it.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from '../duckdb/sql.js';
import type { Action } from '../log/actions.js';
import { writeLastCheckpoint } from '../log/last-checkpoint.js';
import { LOG_DIR, pad20 } from '../log/log-files.js';
import { quoteLiteral } from '../schema/delta-schema.js';
import type { TableState } from '../log/log-replay.js';
import {
  DEFAULT_TOMBSTONE_RETENTION,
  loadTombstones,
  snapshotCacheFor,
  stateOf,
  type Snapshot,
  type SnapshotCache,
} from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseInterval } from './interval.js';

const MAP = 'MAP(VARCHAR, VARCHAR)';
const DV =
  'STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, "offset" INTEGER, sizeInBytes INTEGER, cardinality BIGINT, maxRowIndex BIGINT)';
/** Column types of Spark's checkpoint Parquet schema, in Spark's column order. */
export const CHECKPOINT_COLUMNS: Record<string, string> = {
  txn: 'STRUCT(appId VARCHAR, "version" BIGINT, lastUpdated BIGINT)',
  add: `STRUCT(path VARCHAR, partitionValues ${MAP}, size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, tags ${MAP}, deletionVector ${DV}, baseRowId BIGINT, defaultRowCommitVersion BIGINT, stats VARCHAR)`,
  remove: `STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues ${MAP}, size BIGINT, deletionVector ${DV}, baseRowId BIGINT, defaultRowCommitVersion BIGINT)`,
  metaData: `STRUCT(id VARCHAR, "name" VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, "options" ${MAP}), schemaString VARCHAR, partitionColumns VARCHAR[], "configuration" ${MAP}, createdTime BIGINT)`,
  protocol:
    'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])',
  domainMetadata: 'STRUCT("domain" VARCHAR, "configuration" VARCHAR, removed BOOLEAN)',
};

/** Writes the checkpoint of `snapshot` and points `_last_checkpoint` at it. */
export async function writeCheckpoint(
  store: ObjectStore,
  sql: Sql,
  snapshot: Snapshot,
  now = Date.now(),
): Promise<void> {
  // The table's own retention, as VACUUM counts it: a tombstone dropped earlier would let VACUUM delete a file that
  // versions inside the retention still read (it falls back to the file's write time, which may be long past).
  const retention = parseInterval(
    snapshot.metadata.configuration['delta.deletedFileRetentionDuration'] ?? DEFAULT_TOMBSTONE_RETENTION,
  );
  const cutoff = now - retention;
  const cache = snapshotCacheFor(store);
  const state = stateOf(snapshot);
  await loadTombstones(snapshot, sql); // a checkpoint's own, when this state was loaded from one
  const key = `${LOG_DIR}/${pad20(snapshot.version)}.checkpoint.parquet`;
  const dir = await mkdtemp(join(tmpdir(), 'lens-ckpt-w-'));
  try {
    const out = join(dir, `${randomUUID()}.parquet`);
    const previous = state && cache ? previousCheckpoint(cache, snapshot.version) : undefined;
    const written =
      (previous &&
        state &&
        (await writeOnPrevious(store, sql, dir, out, previous, snapshot, state, cutoff).catch(() => undefined))) ||
      (await writeWhole(sql, dir, out, snapshot, now, cutoff));
    await store.putFile(key, out);
    await writeLastCheckpoint(store, {
      version: snapshot.version,
      size: written.rows,
      sizeInBytes: written.bytes,
      numOfAddFiles: snapshot.files.length,
    });
    const meta = cache && state ? await store.head(key) : undefined;
    if (cache && state && meta)
      cache.written = { version: snapshot.version, key, lastModified: meta.lastModified, state };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The newest checkpoint below `version` whose state this process holds: the last one it wrote, or the last classic
 * one it read (a process that restarted writes its first checkpoint on the one it loaded from).
 */
function previousCheckpoint(cache: SnapshotCache, version: number): PreviousCheckpoint | undefined {
  const read = cache.checkpoint;
  const file = read?.files.length === 1 ? read.files[0] : undefined;
  const candidates: PreviousCheckpoint[] = [
    ...(cache.written ? [cache.written] : []),
    ...(read && file && file.key.endsWith(`${pad20(read.version)}.checkpoint.parquet`)
      ? [{ version: read.version, key: file.key, lastModified: file.lastModified, state: read.state }]
      : []),
  ];
  return candidates.filter((c) => c.version < version).sort((a, b) => b.version - a.version)[0];
}

type PreviousCheckpoint = NonNullable<SnapshotCache['written']>;

/** Rows and bytes of a checkpoint file written. */
interface Written {
  rows: number;
  bytes: number;
}

/** Every action of the snapshot through JSON into Parquet. */
async function writeWhole(
  sql: Sql,
  dir: string,
  out: string,
  snapshot: Snapshot,
  now: number,
  cutoff: number,
): Promise<Written> {
  const actions: Action[] = [
    ...fixedActions(snapshot),
    ...snapshot.files.map((add) => ({ add: { ...add, dataChange: false } })),
    // Expired tombstones are dropped (PROTOCOL.md "Checkpoints": only unexpired tombstones are kept).
    ...snapshot.tombstones
      .filter((r) => (r.deletionTimestamp ?? now) > cutoff)
      .map((remove) => ({ remove: { ...remove, dataChange: false } })),
  ];
  const json = join(dir, 'actions.json');
  await writeFile(json, actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const rows = await sql.all(
    `COPY (${selectJsonActions(json)}) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION snappy, RETURN_STATS)`,
  );
  return { rows: actions.length, bytes: Number(rows[0]?.['file_size_bytes'] ?? 0) };
}

/**
 * The checkpoint as the previous one this process wrote, with the files and tombstones that changed since: their
 * rows come from this state, every other add and remove row is copied by DuckDB from the previous file. A busy
 * table's checkpoint is mostly a week of tombstones (~600,000 rows): serialising them all again took seconds of
 * JavaScript at every checkpoint. Undefined (write it whole) when the previous file is not the one written, it
 * cannot be read in place, or the table has deletion vectors (a path alone would not name a file).
 */
async function writeOnPrevious(
  store: ObjectStore,
  sql: Sql,
  dir: string,
  out: string,
  previous: PreviousCheckpoint,
  snapshot: Snapshot,
  state: TableState,
  cutoff: number,
): Promise<Written | undefined> {
  if (snapshot.protocol.readerFeatures?.includes('deletionVectors')) return undefined;
  const location = store.readableLocation(previous.key);
  const meta = await store.head(previous.key);
  if (location === undefined || meta?.lastModified !== previous.lastModified) return undefined;
  const before = previous.state;
  await before.tombstones.load(sql);
  // Keys whose add or tombstone is not the very action the previous checkpoint holds (states share action objects).
  const changed = new Set<string>();
  for (const [k, add] of state.files) if (before.files.get(k) !== add) changed.add(k);
  for (const k of before.files.keys()) if (!state.files.has(k)) changed.add(k);
  for (const k of state.tombstones.differingKeys(before.tombstones)) changed.add(k);
  const stale: string[] = [];
  const fresh: Action[] = fixedActions(snapshot);
  for (const k of changed) {
    const old = before.files.get(k) ?? before.tombstones.get(k);
    if (old?.deletionVector) return undefined;
    if (old) stale.push(old.path);
    const add = state.files.get(k);
    const remove = add ? undefined : state.tombstones.get(k);
    if (add?.deletionVector || remove?.deletionVector) return undefined;
    if (add) fresh.push({ add: { ...add, dataChange: false } });
    else if (remove && (remove.deletionTimestamp ?? Infinity) > cutoff)
      fresh.push({ remove: { ...remove, dataChange: false } });
  }
  const json = join(dir, 'actions.json');
  const paths = join(dir, 'stale.json');
  await writeFile(json, fresh.map((a) => JSON.stringify(a)).join('\n') + '\n');
  await writeFile(paths, stale.map((p) => JSON.stringify({ p })).join('\n') + '\n');
  const staleSet = `(SELECT p FROM read_json(${quoteLiteral(paths)}, format = 'newline_delimited', columns = {p: 'VARCHAR'}))`;
  // Cast to the schema written here: a checkpoint another engine wrote may differ (if the cast fails: written whole).
  const columns = Object.entries(CHECKPOINT_COLUMNS).map(([k, t]) => `${k}::${t} AS ${k}`);
  const kept = `SELECT ${columns.join(', ')} FROM read_parquet(${quoteLiteral(location)})
    WHERE (add IS NOT NULL AND add.path NOT IN ${staleSet})
       OR (remove IS NOT NULL AND remove.path NOT IN ${staleSet} AND coalesce(remove.deletionTimestamp, ${Number.MAX_SAFE_INTEGER}) > ${cutoff})`;
  const rows = await sql.all(
    `COPY (${kept} UNION ALL ${selectJsonActions(json)}) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION snappy, RETURN_STATS)`,
  );
  return { rows: Number(rows[0]?.['count'] ?? 0), bytes: Number(rows[0]?.['file_size_bytes'] ?? 0) };
}

/** The actions every checkpoint holds whole: protocol, metadata, transactions, domains. */
function fixedActions(snapshot: Snapshot): Action[] {
  return [
    { protocol: snapshot.protocol },
    { metaData: snapshot.metadata },
    ...[...snapshot.txns.values()].map((txn) => ({ txn })),
    ...[...snapshot.domains.values()].map((domainMetadata) => ({ domainMetadata })),
  ];
}

/** Reads a file of JSON actions as rows of the checkpoint schema. */
function selectJsonActions(json: string): string {
  const columns = Object.entries(CHECKPOINT_COLUMNS)
    .map(([k, t]) => `${k}: ${quoteLiteral(t)}`)
    .join(', ');
  return `SELECT ${Object.keys(CHECKPOINT_COLUMNS).join(', ')} FROM read_json(${quoteLiteral(json)}, format = 'newline_delimited', columns = {${columns}})`;
}
