// A DATE value as text, for the places that print query results: `YYYY-MM-DD`, and DuckDB's own `infinity` /
// `-infinity` for the infinite dates (@duckdb/node-api's text gives their stored day numbers, `5881580-07-11` and
// `5877642-06-24 (BC)`).
import type { DuckDBValue } from '@duckdb/node-api';

/** `YYYY-MM-DD` (`… (BC)` before year 1), or `infinity` / `-infinity`. */
export function dateText(value: DuckDBValue): string {
  const { days, isFinite } = value as unknown as { days: number; isFinite: boolean };
  return isFinite ? String(value) : days > 0 ? 'infinity' : '-infinity';
}
