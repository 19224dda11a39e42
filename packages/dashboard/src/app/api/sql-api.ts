// POST /api/sql (locked-down, read-only SQL over the lake): { sql, rowCap? } → columns, object rows,
// truncated, tables read; normalised to column names plus types for the tables and charts.
import { apiPost } from './api-client';

/** A SQL answer as the views use it. */
export interface SqlResult {
  columns: string[];
  /** Column types where the server reports them. */
  types: Record<string, string>;
  rows: Record<string, unknown>[];
  truncated?: boolean;
  /** Lake tables the query read, at which version. */
  tables?: { table: string; version: number }[];
}

type RawColumn = string | { name: string; type?: string };
interface RawSqlAnswer {
  columns?: RawColumn[];
  rows?: (Record<string, unknown> | unknown[])[];
  truncated?: boolean;
  tables?: { table: string; version: number }[];
}

/** Turns the server's answer into a SqlResult. */
export function normalizeSql(raw: RawSqlAnswer): SqlResult {
  const rawRows = raw.rows ?? [];
  const columns = (raw.columns ?? []).map((c) => (typeof c === 'string' ? c : c.name));
  const types: Record<string, string> = {};
  for (const c of raw.columns ?? []) if (typeof c !== 'string' && c.type) types[c.name] = c.type;
  if (columns.length === 0 && rawRows[0] && !Array.isArray(rawRows[0])) columns.push(...Object.keys(rawRows[0]));
  const rows = rawRows.map((r) => (Array.isArray(r) ? Object.fromEntries(columns.map((c, i) => [c, r[i]])) : r));
  return { columns, types, rows, truncated: raw.truncated, tables: raw.tables };
}

/**
 * Runs read-only SQL on the server.
 * @example const { rows } = await runSql('SELECT count(*) AS n FROM silver.events');
 */
export async function runSql(sql: string, signal?: AbortSignal, rowCap?: number): Promise<SqlResult> {
  return normalizeSql(
    await apiPost<RawSqlAnswer>('/api/sql', rowCap === undefined ? { sql } : { sql, rowCap }, signal),
  );
}

/** Quotes a string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
