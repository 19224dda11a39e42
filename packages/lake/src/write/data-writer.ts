// Writes rows to new Parquet data files with DuckDB (`COPY … (FORMAT parquet, COMPRESSION zstd,
// PARTITION_BY, RETURN_STATS)`) and describes each as an `add` action: Hive-style partition directories,
// unique names, URL-encoded paths, partition values as strings, stats in Spark's JSON format.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from '../duckdb/sql.js';
import type { AddAction } from '../log/actions.js';
import { quoteIdent, quoteLiteral, type DeltaStructType } from '../schema/delta-schema.js';
import { escapePartitionPathValue, serializePartitionValue } from '../schema/partition-values.js';
import type { ObjectStore } from '../storage/object-store.js';
import { buildStatsJson } from './file-stats.js';

/** What the writer needs to know about the table. */
export interface WriteLayout {
  schema: DeltaStructType;
  partitionColumns: readonly string[];
}

/** Encodes a store key as the relative URI path the log stores (PROTOCOL.md "Add File and Remove File"). */
export function keyToLogPath(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%3D/g, '=').replace(/%40/g, '@'))
    .join('/');
}

/** Rows per Parquet row group of the files this writer makes (DuckDB's default is 122,880). */
const ROW_GROUP_ROWS = 131_072;

/**
 * Writes the rows of `selectSql` (which must produce the table's logical columns) as new data files and
 * returns their add actions (dataChange as given). Files are invisible until a commit references them.
 */
export async function writeDataFiles(
  store: ObjectStore,
  sql: Sql,
  layout: WriteLayout,
  selectSql: string,
  dataChange = true,
): Promise<AddAction[]> {
  const stagingKey = `_lens_staging/${randomUUID()}`;
  const local = store.readableLocation(stagingKey);
  // Stage inside the table when the store is local (same file system: moving a file is a rename).
  const staging = local ?? (await mkdtemp(join(tmpdir(), 'lens-write-')));
  await mkdir(staging, { recursive: true });
  const partitioned = layout.partitionColumns.length > 0;
  const options = [
    'FORMAT parquet',
    'COMPRESSION zstd',
    'RETURN_STATS',
    `FILENAME_PATTERN 'part-{uuid}'`,
    // DuckDB buffers a row group per open partition and thread before writing it: 1,048,576 rows of the bronze
    // schema (JSON text columns) took 2.3 GB for one compaction; 131,072 rows, ~0.5 GB, for the same file size.
    `ROW_GROUP_SIZE ${ROW_GROUP_ROWS}`,
    ...(partitioned
      ? [`PARTITION_BY (${layout.partitionColumns.map(quoteIdent).join(', ')})`, 'OVERWRITE_OR_IGNORE']
      : []),
  ];
  const target = partitioned ? staging : join(staging, `part-${randomUUID()}.parquet`);
  try {
    const rows = await sql.all(`COPY (${selectSql}) TO ${quoteLiteral(target)} (${options.join(', ')})`);
    const now = Date.now();
    const adds: AddAction[] = [];
    for (const row of rows) {
      const count = Number(row['count']);
      if (count === 0) continue;
      const partitionValues = partitionValuesOf(row['partition_keys'], layout);
      const dir = layout.partitionColumns
        .map((c) => `${c}=${escapePartitionPathValue(partitionValues[c] ?? null)}`)
        .join('/');
      const key = `${dir === '' ? '' : `${dir}/`}part-00000-${randomUUID()}.c000.zstd.parquet`;
      await store.putFile(key, String(row['filename']));
      adds.push({
        path: keyToLogPath(key),
        partitionValues,
        size: Number(row['file_size_bytes']),
        modificationTime: now,
        dataChange,
        stats: buildStatsJson(count, statsMap(row['column_statistics']), layout.schema, layout.partitionColumns),
      });
    }
    return adds;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function partitionValuesOf(keys: unknown, layout: WriteLayout): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const entries = entriesOf(keys);
  for (const column of layout.partitionColumns) {
    const raw = entries.get(column) ?? null;
    const type = layout.schema.fields.find((f) => f.name === column)?.type ?? 'string';
    // The protocol reads an empty partition value as null (PROTOCOL.md, Partition Value Serialization), and
    // Spark writes one so: written as null, in the __HIVE_DEFAULT_PARTITION__ directory, not a bare `k=`.
    if (raw === null || raw === '') {
      out[column] = null;
      continue;
    }
    const text = String(raw);
    // DuckDB's text of a timestamp keeps its microseconds, which a JS Date would cut to milliseconds.
    out[column] = type === 'timestamp' || type === 'timestamp_ntz' ? serializePartitionValue(text, type) : text;
  }
  return out;
}

/** DuckDB MAPs arrive as arrays of {key, value}; this reads them as a Map. */
function entriesOf(value: unknown): Map<string, unknown> {
  if (Array.isArray(value))
    return new Map(value.map((e: { key: unknown; value: unknown }) => [String(e.key), e.value]));
  if (value && typeof value === 'object') return new Map(Object.entries(value));
  return new Map();
}

function statsMap(value: unknown): Map<string, Map<string, string | null>> {
  const out = new Map<string, Map<string, string | null>>();
  for (const [col, stats] of entriesOf(value)) {
    out.set(col, new Map([...entriesOf(stats)].map(([k, v]) => [k, v == null ? null : String(v)])));
  }
  return out;
}
