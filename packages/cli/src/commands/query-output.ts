// Renders query results for `lens query`: a JSON array of row objects, RFC 4180 CSV, or an aligned text table.
// Integers stay JSON numbers with every digit (beyond 2^53 too); timestamps become ISO-8601 strings.

/** Output formats of `lens query`. */
export type QueryFormat = 'table' | 'json' | 'csv';

/** Marks an integer too large for a JS number (its digits follow) until the output format writes it. */
const BIG_MARK = '\u0000bigint:';
const BIG_MARKED = /"\\u0000bigint:(-?\d+)"/g;

/** Converts a DuckDB JS value into plain JSON-safe data (a large integer as marked digits, see BIG_MARK). */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : `${BIG_MARK}${value}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (
      proto !== Object.prototype &&
      proto !== null &&
      typeof (value as { toString?: unknown }).toString === 'function'
    )
      return String(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

/** Formats rows in the requested format (columns in result order). */
export function formatRows(rows: Record<string, unknown>[], columns: string[], format: QueryFormat): string {
  const plain = rows.map((r) => Object.fromEntries(columns.map((c) => [c, toPlain(r[c])])));
  if (format === 'json') {
    // Integers beyond 2^53 keep every digit as a JSON number (as DuckDB writes them), not a string: one column,
    // one JSON type. JSON.stringify cannot write such a number, so it writes a marker that is then unquoted.
    return `${JSON.stringify(plain).replace(BIG_MARKED, '$1')}\n`;
  }
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? ''
      : typeof v === 'object'
        ? JSON.stringify(v).replace(BIG_MARKED, '$1')
        : String(v).replace(BIG_MARK, '');
  if (format === 'csv') {
    const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    return (
      [columns.map(esc).join(','), ...plain.map((r) => columns.map((c) => esc(cell(r[c]))).join(','))].join('\n') + '\n'
    );
  }
  const text = plain.map((r) => columns.map((c) => (r[c] === null ? 'NULL' : cell(r[c]))));
  // A loop, not Math.max(...cells): spreading 130,000 rows' cells overflowed the call stack.
  const widths = columns.map((c, i) => text.reduce((w, t) => Math.max(w, (t[i] ?? '').length), c.length));
  const line = (cells: string[]) => `| ${cells.map((s, i) => s.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  return (
    [rule, line(columns), rule, ...text.map(line), rule, `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join(
      '\n',
    ) + '\n'
  );
}
