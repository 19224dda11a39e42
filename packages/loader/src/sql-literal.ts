// SQL string literals for the few statements the loader writes itself (file paths in read_json calls).

/** Quotes a value as a SQL string literal (doubling single quotes). */
export function quoteLiteralSql(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
