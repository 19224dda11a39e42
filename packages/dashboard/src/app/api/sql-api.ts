// POST /api/sql (read-only SQL over the lake): the request, and the answer normalised to named columns and
// object rows whatever row encoding the server chose, so tables and charts need only one shape.
import { apiPost } from './api-client';

/** A SQL answer as the views use it. */
export interface SqlResult {
  columns: string[];
  /** Column types where the server reports them. */
  types: Record<string, string>;
  rows: Record<string, unknown>[];
  elapsedMs?: number;
  truncated?: boolean;
}

type RawColumn = string | { name: string; type?: string };
interface RawSqlAnswer {
  columns?: RawColumn[];
  rows?: (Record<string, unknown> | unknown[])[];
  elapsedMs?: number;
  truncated?: boolean;
}

/** Turns the server's answer into a SqlResult. */
export function normalizeSql(raw: RawSqlAnswer): SqlResult {
  const rawRows = raw.rows ?? [];
  const columns = (raw.columns ?? []).map((c) => (typeof c === 'string' ? c : c.name));
  const types: Record<string, string> = {};
  for (const c of raw.columns ?? []) if (typeof c !== 'string' && c.type) types[c.name] = c.type;
  if (columns.length === 0 && rawRows[0] && !Array.isArray(rawRows[0])) columns.push(...Object.keys(rawRows[0]));
  const rows = rawRows.map((r) => (Array.isArray(r) ? Object.fromEntries(columns.map((c, i) => [c, r[i]])) : r));
  return { columns, types, rows, elapsedMs: raw.elapsedMs, truncated: raw.truncated };
}

/**
 * Runs read-only SQL on the server.
 * @example const { rows } = await runSql('SELECT count(*) AS n FROM silver.events');
 */
export async function runSql(sql: string, signal?: AbortSignal, limit?: number): Promise<SqlResult> {
  return normalizeSql(await apiPost<RawSqlAnswer>('/api/sql', limit === undefined ? { sql } : { sql, limit }, signal));
}

/** Quotes a string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
