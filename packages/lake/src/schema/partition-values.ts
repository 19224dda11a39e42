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

/** DuckDB's text of a TIMESTAMP / TIMESTAMPTZ (or ISO-8601): date, time, up to 9 fraction digits, optional offset. */
const TIMESTAMP_TEXT = /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?\s*(?:(Z)|([+-]\d\d)(?::?(\d\d))?)?$/i;

/** Serialises a JS value (as DuckDB returns it) into the log's partition-value string. */
export function serializePartitionValue(value: unknown, type: DeltaType): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'timestamp' || type === 'timestamp_ntz') {
    // A timestamp's text (DuckDB's, or ISO-8601) keeps its microseconds: only its whole seconds go through Date.
    const text = typeof value === 'string' ? TIMESTAMP_TEXT.exec(value.trim()) : null;
    const d = text
      ? new Date(`${text[1]}T${text[2]}${text[4] ? 'Z' : `${text[5] ?? '+00'}:${text[6] ?? '00'}`}`)
      : value instanceof Date
        ? value
        : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new InvalidInputError(`bad timestamp partition value ${String(value)}`);
    const micros = text
      ? (text[3] ?? '').padEnd(6, '0').slice(0, 6)
      : `${String(d.getUTCMilliseconds()).padStart(3, '0')}000`;
    const seconds = d.toISOString().replace(/\.\d{3}Z$/, '');
    return type === 'timestamp' ? `${seconds}.${micros}Z` : `${seconds.replace('T', ' ')}.${micros}`;
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
