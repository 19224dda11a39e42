// A small predicate language for scans: comparisons of a top-level column with a literal, combined with
// and/or. Small enough to evaluate against per-file stats for data skipping and to render as SQL.
import { quoteIdent, quoteLiteral } from '../schema/delta-schema.js';

/** A comparison of a column with a literal (strings for dates/timestamps: ISO-8601). */
export type Comparison =
  | { column: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: string | number | bigint | boolean | Date }
  | { column: string; op: 'is null' | 'is not null' };

/** A scan predicate: a comparison or a conjunction/disjunction of predicates. */
export type Predicate = Comparison | { and: Predicate[] } | { or: Predicate[] };

/** Renders a predicate as a DuckDB boolean expression over the logical columns. */
export function predicateToSql(p: Predicate): string {
  if ('and' in p) return p.and.length === 0 ? 'TRUE' : `(${p.and.map(predicateToSql).join(' AND ')})`;
  if ('or' in p) return p.or.length === 0 ? 'FALSE' : `(${p.or.map(predicateToSql).join(' OR ')})`;
  const col = quoteIdent(p.column);
  if (p.op === 'is null') return `${col} IS NULL`;
  if (p.op === 'is not null') return `${col} IS NOT NULL`;
  return 'value' in p ? `${col} ${p.op} ${literal(p.value)}` : 'TRUE';
}

function literal(v: string | number | bigint | boolean | Date): string {
  if (v instanceof Date) return `TIMESTAMPTZ ${quoteLiteral(v.toISOString())}`;
  if (typeof v === 'string') return quoteLiteral(v);
  return String(v);
}

/** Helpers to build predicates: `between('ts', a, b)` is the time-range case loaders and dashboards use. */
export const where = {
  eq: (column: string, value: string | number | boolean | Date): Predicate => ({ column, op: '=', value }),
  gte: (column: string, value: string | number | Date): Predicate => ({ column, op: '>=', value }),
  lt: (column: string, value: string | number | Date): Predicate => ({ column, op: '<', value }),
  between: (column: string, from: string | number | Date, to: string | number | Date): Predicate => ({
    and: [
      { column, op: '>=', value: from },
      { column, op: '<', value: to },
    ],
  }),
};
