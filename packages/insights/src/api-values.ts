// How `/api/sql` writes DuckDB values as JSON. Each type gets a form a JSON client can read without losing what
// the value is: integers as numbers while exact (else their digits as a string), timestamps as ISO-8601 UTC, dates
// as `YYYY-MM-DD`, times, blobs, UUIDs as DuckDB's text, a non-finite double as `"Infinity"`/`"-Infinity"`/`"NaN"`
// (JSON has no such numbers; `null` would read as a missing value), `infinity` dates and timestamps as that text.
// DuckDB's JS conversion refused the infinite ones (a whole query failed) and gave TIME as microseconds, a DATE as
// midnight UTC, a BLOB as Node's `{type:"Buffer",data:[…]}`.
import {
  arrayFromArrayValue,
  arrayFromListValue,
  booleanFromValue,
  createDuckDBValueConverter,
  doubleFromDecimalValue,
  DuckDBTypeId,
  fromVariantValue,
  jsonNumberFromValue,
  nullConverter,
  numberFromValue,
  objectArrayFromMapValue,
  objectFromStructValue,
  objectFromUnionValue,
  stringFromValue,
  unsupportedConverter,
  type DuckDBValue,
  type DuckDBValueConverter,
} from '@duckdb/node-api';
import { dateText } from '@lens/lake';

/** An integer as a JSON number while a double holds it exactly, else its digits as a string. */
function exactInteger(value: DuckDBValue): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

/** The largest distance from the epoch a JS Date holds, in milliseconds. */
const MAX_DATE_MS = 8.64e15;

/** A timestamp in `unitsPerMs` units since the epoch as ISO-8601 UTC (milliseconds), or DuckDB's text beyond a Date. */
function isoTimestamp(value: DuckDBValue, units: bigint, unitsPerMs: bigint): string {
  // Floor, not truncation: a microsecond before the epoch is 23:59:59.999 of the day before.
  const q = units / unitsPerMs;
  const ms = Number(units < 0n && q * unitsPerMs !== units ? q - 1n : q);
  return Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : String(value); // `infinity`, `-infinity`
}

const timestamp =
  (field: 'micros' | 'millis' | 'seconds' | 'nanos', unitsPerMs: bigint): DuckDBValueConverter<unknown> =>
  (value) => {
    const units = (value as unknown as Record<string, bigint>)[field]!;
    return field === 'seconds' ? isoTimestamp(value, units * 1000n, 1n) : isoTimestamp(value, units, unitsPerMs);
  };

function interval(value: DuckDBValue): unknown {
  const { months, days, micros } = value as unknown as { months: number; days: number; micros: bigint };
  return { months, days, micros: exactInteger(micros) };
}

const T = DuckDBTypeId;

/** The converter `/api/sql` reads result rows with (`reader.convertRowObjects(apiValueConverter)`). */
export const apiValueConverter: DuckDBValueConverter<unknown> = createDuckDBValueConverter<unknown>({
  [T.INVALID]: unsupportedConverter,
  [T.BOOLEAN]: booleanFromValue,
  [T.TINYINT]: numberFromValue,
  [T.SMALLINT]: numberFromValue,
  [T.INTEGER]: numberFromValue,
  [T.BIGINT]: exactInteger,
  [T.UTINYINT]: numberFromValue,
  [T.USMALLINT]: numberFromValue,
  [T.UINTEGER]: numberFromValue,
  [T.UBIGINT]: exactInteger,
  [T.FLOAT]: jsonNumberFromValue,
  [T.DOUBLE]: jsonNumberFromValue,
  [T.TIMESTAMP]: timestamp('micros', 1000n),
  [T.DATE]: dateText,
  [T.TIME]: stringFromValue,
  [T.INTERVAL]: interval,
  [T.HUGEINT]: exactInteger,
  [T.UHUGEINT]: exactInteger,
  [T.VARCHAR]: stringFromValue,
  [T.BLOB]: stringFromValue,
  [T.DECIMAL]: doubleFromDecimalValue,
  [T.TIMESTAMP_S]: timestamp('seconds', 1n),
  [T.TIMESTAMP_MS]: timestamp('millis', 1n),
  [T.TIMESTAMP_NS]: timestamp('nanos', 1_000_000n),
  [T.ENUM]: stringFromValue,
  [T.LIST]: arrayFromListValue,
  [T.STRUCT]: objectFromStructValue,
  [T.MAP]: objectArrayFromMapValue,
  [T.ARRAY]: arrayFromArrayValue,
  [T.UUID]: stringFromValue,
  [T.UNION]: objectFromUnionValue,
  [T.BIT]: stringFromValue,
  [T.TIME_TZ]: stringFromValue,
  [T.TIMESTAMP_TZ]: timestamp('micros', 1000n),
  [T.ANY]: unsupportedConverter,
  [T.BIGNUM]: exactInteger,
  [T.SQLNULL]: nullConverter,
  [T.STRING_LITERAL]: unsupportedConverter,
  [T.INTEGER_LITERAL]: unsupportedConverter,
  [T.TIME_NS]: stringFromValue,
  [T.GEOMETRY]: stringFromValue,
  [T.VARIANT]: fromVariantValue,
});
