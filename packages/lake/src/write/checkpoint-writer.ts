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
import { DEFAULT_TOMBSTONE_RETENTION, type Snapshot } from '../snapshot.js';
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
  const actions: Action[] = [
    { protocol: snapshot.protocol },
    { metaData: snapshot.metadata },
    ...[...snapshot.txns.values()].map((txn) => ({ txn })),
    ...[...snapshot.domains.values()].map((domainMetadata) => ({ domainMetadata })),
    ...snapshot.files.map((add) => ({ add: { ...add, dataChange: false } })),
    // Expired tombstones are dropped (PROTOCOL.md "Checkpoints": only unexpired tombstones are kept).
    ...snapshot.tombstones
      .filter((r) => (r.deletionTimestamp ?? now) > cutoff)
      .map((remove) => ({ remove: { ...remove, dataChange: false } })),
  ];
  const dir = await mkdtemp(join(tmpdir(), 'lens-ckpt-w-'));
  try {
    const json = join(dir, 'actions.json');
    await writeFile(json, actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
    const columns = Object.entries(CHECKPOINT_COLUMNS)
      .map(([k, t]) => `${k}: ${quoteLiteral(t)}`)
      .join(', ');
    const out = join(dir, `${randomUUID()}.parquet`);
    const rows = await sql.all(
      `COPY (SELECT ${Object.keys(CHECKPOINT_COLUMNS).join(', ')} FROM read_json(${quoteLiteral(json)}, format = 'newline_delimited', columns = {${columns}})) TO ${quoteLiteral(out)} (FORMAT parquet, COMPRESSION snappy, RETURN_STATS)`,
    );
    const sizeInBytes = Number(rows[0]?.['file_size_bytes'] ?? 0);
    await store.putFile(`${LOG_DIR}/${pad20(snapshot.version)}.checkpoint.parquet`, out);
    await writeLastCheckpoint(store, {
      version: snapshot.version,
      size: actions.length,
      sizeInBytes,
      numOfAddFiles: snapshot.files.length,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
