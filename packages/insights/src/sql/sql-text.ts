// Quoting for SQL text the query builders assemble: every user value reaches DuckDB as a quoted literal or a
// validated identifier, never spliced raw.

/** A single-quoted SQL string literal. */
export function lit(value: string): string {
  const quoted = `'${value.replaceAll("'", "''")}'`;
  // DuckDB's parser ends a statement at a NUL character: one inside a value is spelled chr(0).
  return value.includes('\0') ? `(${quoted.split('\0').join("' || chr(0) || '")})` : quoted;
}

/** A double-quoted identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A literal for a scalar filter value (strings quoted, numbers checked finite, booleans as TRUE/FALSE). */
export function scalarLit(value: string | number | boolean): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return lit(value);
}

/** Rows from DuckDB with BIGINT/HUGEINT turned into JS numbers (counts fit in 2^53). */
export function plainRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) {
      if (typeof v === 'bigint') row[k] = Number(v);
      else if (Array.isArray(v)) row[k] = v.map((x) => (typeof x === 'bigint' ? Number(x) : x));
    }
  }
  return rows;
}
