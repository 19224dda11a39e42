// The lake's catalog as the API shows it: per table its schema, version, live files, rows (from file stats),
// bytes, and freshness (time of the latest commit).
import { DeltaTable, type LakeCatalog, type Sql } from '@lens/lake';

/** One table's catalog entry. */
export interface LakeTableInfo {
  table: string;
  version: number;
  columns: { name: string; type: unknown; nullable: boolean }[];
  partitionColumns: string[];
  files: number;
  /** Sum of the files' numRecords stats (null when a file has none). */
  rows: number | null;
  bytes: number;
  lastCommitAt: string | null;
  /** Seconds since the latest commit. */
  freshnessSeconds: number | null;
}

/** Every table of the catalog (sorted by name). */
export async function lakeTables(catalog: LakeCatalog, sql: Sql, now = new Date()): Promise<LakeTableInfo[]> {
  const out: LakeTableInfo[] = [];
  for (const table of await catalog.tables()) {
    const delta = await DeltaTable.open(catalog.tablePath(table), { sql });
    const snapshot = await delta.snapshot();
    const [last] = await delta.history(1);
    let rows: number | null = 0;
    for (const f of snapshot.files) {
      const n = f.stats ? (JSON.parse(f.stats) as { numRecords?: number }).numRecords : undefined;
      rows = rows === null || n === undefined ? null : rows + n;
    }
    out.push({
      table,
      version: snapshot.version,
      columns: snapshot.schema.fields.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable })),
      partitionColumns: [...snapshot.partitionColumns],
      files: snapshot.files.length,
      rows,
      bytes: snapshot.files.reduce((t, f) => t + f.size, 0),
      lastCommitAt: last ? new Date(last.timestamp).toISOString() : null,
      freshnessSeconds: last ? Math.max(0, (now.getTime() - last.timestamp) / 1000) : null,
    });
  }
  return out;
}
