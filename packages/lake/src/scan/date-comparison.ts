// A date column compared with a literal that has a time of day. DuckDB reads `day < TIMESTAMP '2026-09-29 12:00'`
// as the day's midnight against that instant (so 2026-09-29 matches), but `day < '2026-09-29 12:00'` (a string)
// as the string's date (so it does not): data skipping must keep every file either reading may need.
import type { Comparison, Predicate } from './predicate.js';

const DATE_TIME = /^(\d{4,}-\d\d-\d\d)(?:[ T](.+))?$/;
const MIDNIGHT = /^00:00(:00(\.0*)?)?(Z|[+-]00(:?00)?)?$/i;

/**
 * The comparison on a date column to skip files by: unchanged for a plain date (or midnight UTC); otherwise
 * widened to the dates the literal may stand for (its own date, and its instant's UTC date). Undefined when
 * nothing can be skipped.
 */
export function dateComparison(p: Comparison): Predicate | undefined {
  if (!('value' in p)) return p;
  const text = p.value instanceof Date ? p.value.toISOString() : String(p.value).trim();
  const m = DATE_TIME.exec(text);
  if (!m || m[2] === undefined || MIDNIGHT.test(m[2])) return m ? { ...p, value: m[1]! } : p;
  const written = m[1]!;
  const iso = `${written}T${m[2].replace(/([+-]\d\d)$/, '$1:00')}`;
  const ms = Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(iso) ? iso : `${iso}Z`);
  const utc = Number.isNaN(ms) ? written : new Date(ms).toISOString().slice(0, 10);
  const [lo, hi] = written <= utc ? [written, utc] : [utc, written];
  switch (p.op) {
    case '<':
    case '<=':
      return { column: p.column, op: '<=', value: hi };
    case '>':
    case '>=':
      return { column: p.column, op: '>=', value: lo };
    case '=':
      return {
        and: [
          { column: p.column, op: '>=', value: lo },
          { column: p.column, op: '<=', value: hi },
        ],
      };
    case '!=':
      return undefined;
  }
}
