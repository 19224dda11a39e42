// Partition values are strings in the log (PROTOCOL.md "Partition Value Serialization"); this turns them into
// typed SQL literals for scans and back into strings for writes. Null (or empty string) is SQL NULL.
import { InvalidInputError } from '../errors.js';
import { quoteLiteral, toDuckDBType, type DeltaType } from './delta-schema.js';

/** The SQL expression of a serialised partition value, typed as the column. */
export function partitionValueSql(value: string | null | undefined, type: DeltaType): string {
  const sqlType = toDuckDBType(type);
  if (value === null || value === undefined || value === '') return `CAST(NULL AS ${sqlType})`;
  if (type === 'timestamp') {
    // ISO-8601 with a zone is UTC already; the bare form was written in the writer's zone, taken as UTC here.
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}+00`;
    return `CAST(${quoteLiteral(iso)} AS TIMESTAMPTZ)`;
  }
  if (type === 'binary') return `encode(${quoteLiteral(value)})`;
  return `CAST(${quoteLiteral(value)} AS ${sqlType})`;
}

/** Serialises a JS value (as DuckDB returns it) into the log's partition-value string. */
export function serializePartitionValue(value: unknown, type: DeltaType): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'timestamp' || type === 'timestamp_ntz') {
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new InvalidInputError(`bad timestamp partition value ${String(value)}`);
    const iso = d.toISOString();
    return type === 'timestamp'
      ? iso.replace(/\.(\d{3})Z$/, '.$1000Z')
      : iso.replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1000');
  }
  if (type === 'date') {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return String(value).slice(0, 10);
  }
  if (typeof value === 'object')
    throw new InvalidInputError(`partition column of type ${JSON.stringify(type)} cannot hold ${typeof value}`);
  return String(value);
}

/**
 * Escapes a partition value for a Hive-style directory name the way Spark does (`%XX` for the characters
 * Hadoop paths reserve), so other engines find the same layout; the log still holds the raw value.
 */
export function escapePartitionPathValue(value: string | null): string {
  if (value === null) return '__HIVE_DEFAULT_PARTITION__';
  let out = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    out +=
      code < 0x20 || '"#%\'*/:=?\\\x7f{[]^'.includes(ch) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}
