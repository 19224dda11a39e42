// GET /api/tables (the lake catalog, @lens/insights' LakeTableInfo): every table with schema, version, files,
// rows, bytes and freshness, mapped into the TableInfo shape the views use.
import { apiGet } from './api-client';

/** One lake table as the catalog shows it. */
export interface TableInfo {
  name: string;
  layer: string;
  version: number | null;
  files: number | null;
  rows: number | null;
  sizeBytes: number | null;
  lastCommit: string | null;
  lastOperation: string | null;
  /** Seconds since the last commit, as the server computed it. */
  freshnessSeconds: number | null;
  columns: { name: string; type: string; nullable?: boolean }[];
  partitionColumns: string[];
  raw: Record<string, unknown>;
}

const num = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : null;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const first = (o: Record<string, unknown>, ...keys: string[]): unknown =>
  keys.map((k) => o[k]).find((v) => v !== undefined);

/** Maps one table entry of the server's answer. */
export function normalizeTable(o: Record<string, unknown>): TableInfo {
  const name = String(first(o, 'name', 'table') ?? '?');
  const schema = first(o, 'columns', 'schema', 'fields');
  const list = Array.isArray(schema)
    ? schema
    : Array.isArray((schema as { fields?: unknown })?.fields)
      ? (schema as { fields: unknown[] }).fields
      : [];
  return {
    name,
    layer: String(first(o, 'layer') ?? name.split('.')[0] ?? ''),
    version: num(first(o, 'version')),
    files: num(first(o, 'files', 'numFiles', 'fileCount')),
    rows: num(first(o, 'rows', 'numRecords', 'rowCount')),
    sizeBytes: num(first(o, 'bytes', 'sizeBytes', 'size_bytes')),
    lastCommit: str(first(o, 'lastCommitAt', 'lastCommit', 'last_commit')),
    lastOperation: str(first(o, 'lastOperation', 'last_operation', 'operation')),
    freshnessSeconds: num(first(o, 'freshnessSeconds')),
    columns: list.map((c) => {
      const f = c as { name: string; type: unknown; nullable?: boolean };
      return { name: f.name, type: typeof f.type === 'string' ? f.type : JSON.stringify(f.type), nullable: f.nullable };
    }),
    partitionColumns: (first(o, 'partitionColumns', 'partition_columns') as string[] | undefined) ?? [],
    raw: o,
  };
}

/** The catalog, in the server's order (by layer: bronze, silver, gold, lens). */
export async function fetchTables(signal?: AbortSignal): Promise<TableInfo[]> {
  const body = await apiGet<unknown>('/api/tables', signal);
  const list = Array.isArray(body) ? body : ((body as { tables?: unknown[] }).tables ?? []);
  return list.map((t) => normalizeTable(t as Record<string, unknown>));
}

/** One table's version history and live files (GET /api/tables/:name). */
export interface TableDetail {
  name: string;
  version: number;
  history: {
    version: number;
    timestamp: string;
    operation: string | null;
    parameters: Record<string, unknown>;
    metrics: Record<string, unknown>;
  }[];
  files: {
    path: string;
    partitionValues: Record<string, string | null>;
    sizeBytes: number;
    rows: number | null;
    modifiedAt: string;
  }[];
  filesTruncated: boolean;
}

/** A table's history and files. */
export function fetchTableDetail(name: string, signal?: AbortSignal): Promise<TableDetail> {
  return apiGet<TableDetail>(`/api/tables/${encodeURIComponent(name)}`, signal);
}
