// GET /api/tables/:name — one lake table's version history (commitInfo per version, newest first) and its live
// files (path, partition values, size, rows from stats), for the catalog's table page.
import { DeltaTable, parseTableName, type LakeCatalog } from '@lens/lake';
import { HttpError } from '../http-errors.js';

/** The detail of one table. */
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
  /** True when `files` was cut at the limit. */
  filesTruncated: boolean;
}

/** Reads a table's history (at most `historyLimit` versions) and live files (at most `fileLimit`). */
export async function tableDetail(
  catalog: LakeCatalog,
  name: string,
  historyLimit = 100,
  fileLimit = 500,
): Promise<TableDetail> {
  try {
    parseTableName(name);
  } catch (error) {
    throw new HttpError(400, 'invalid_table', (error as Error).message);
  }
  if (!(await catalog.exists(name))) throw new HttpError(404, 'table_not_found', `table ${name} does not exist (yet)`);
  const table = await DeltaTable.open(catalog.tablePath(name));
  const snapshot = await table.snapshot();
  const history = await table.history(historyLimit);
  return {
    name,
    version: snapshot.version,
    history: history.map((h) => ({
      version: h.version,
      timestamp: new Date(h.timestamp).toISOString(),
      operation: h.operation ?? null,
      parameters: h.operationParameters,
      metrics: h.operationMetrics,
    })),
    files: snapshot.files.slice(0, fileLimit).map((f) => ({
      path: f.path,
      partitionValues: f.partitionValues,
      sizeBytes: f.size,
      rows: rowsOf(f.stats ?? undefined),
      modifiedAt: new Date(f.modificationTime).toISOString(),
    })),
    filesTruncated: snapshot.files.length > fileLimit,
  };
}

function rowsOf(stats: string | undefined): number | null {
  if (stats === undefined) return null;
  try {
    const n = (JSON.parse(stats) as { numRecords?: unknown }).numRecords;
    return typeof n === 'number' ? n : null;
  } catch {
    return null;
  }
}
