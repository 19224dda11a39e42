// Turns DuckDB's `COPY … RETURN_STATS` column statistics into the `add.stats` JSON Spark writes
// (PROTOCOL.md "Per-file Statistics"): numRecords plus minValues/maxValues/nullCount nested like the schema.
import { isStruct, type DeltaField, type DeltaStructType, type DeltaType } from '../schema/delta-schema.js';

/** Spark keeps a 32-character prefix of string min/max values. */
const STRING_PREFIX = 32;
/** Tie-breakers Delta appends to a cut maximum (StatisticsCollection.truncateMaxStringAgg). */
const ASCII_MAX = '\u007f';
const UTF8_MAX = '\u{10ffff}';

type Nested = { [key: string]: Nested | RawJson };
/** A JSON literal already rendered (numbers keep their exact digits, e.g. 64-bit longs). */
class RawJson {
  constructor(readonly text: string) {}
}

/** Builds the stats JSON string for one written file. */
export function buildStatsJson(
  count: number,
  columnStats: ReadonlyMap<string, ReadonlyMap<string, string | null>>,
  schema: DeltaStructType,
  partitionColumns: readonly string[],
): string {
  const minValues: Nested = {};
  const maxValues: Nested = {};
  const nullCount: Nested = {};
  const visit = (fields: DeltaField[], path: string[], min: Nested, max: Nested, nulls: Nested): void => {
    for (const f of fields) {
      if (path.length === 0 && partitionColumns.includes(f.name)) continue;
      const p = [...path, f.name];
      if (isStruct(f.type)) {
        const [mi, ma, nu] = [{}, {}, {}] as Nested[];
        visit(f.type.fields, p, mi!, ma!, nu!);
        if (Object.keys(mi!).length) min[f.name] = mi!;
        if (Object.keys(ma!).length) max[f.name] = ma!;
        if (Object.keys(nu!).length) nulls[f.name] = nu!;
        continue;
      }
      if (typeof f.type !== 'string') continue; // Spark collects no stats inside arrays and maps.
      const s = columnStats.get(p.map((x) => `"${x.replaceAll('"', '""')}"`).join('.'));
      if (!s) continue;
      const nc = s.get('null_count');
      if (nc != null) nulls[f.name] = new RawJson(String(Number(nc)));
      const lo = s.get('min');
      const hi = s.get('max');
      if (lo != null) setIf(min, f.name, formatStat(lo, f.type, false));
      if (hi != null) setIf(max, f.name, formatStat(hi, f.type, true));
    }
  };
  visit(schema.fields, [], minValues, maxValues, nullCount);
  return `{"numRecords":${count},"minValues":${render(minValues)},"maxValues":${render(maxValues)},"nullCount":${render(nullCount)}}`;
}

function setIf(target: Nested, key: string, value: RawJson | undefined): void {
  if (value !== undefined) target[key] = value;
}

function render(n: Nested | RawJson): string {
  if (n instanceof RawJson) return n.text;
  return `{${Object.entries(n)
    .map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`)
    .join(',')}}`;
}

/** Formats one DuckDB stat string as Spark does; undefined when Spark would not record it. */
function formatStat(value: string, type: DeltaType, isMax: boolean): RawJson | undefined {
  switch (type) {
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
      return /^-?\d+$/.test(value) ? new RawJson(value) : undefined;
    case 'float':
    case 'double': {
      const n = Number(value);
      return Number.isFinite(n) ? new RawJson(JSON.stringify(n)) : undefined;
    }
    case 'date':
      return new RawJson(JSON.stringify(value.slice(0, 10)));
    case 'timestamp':
    case 'timestamp_ntz': {
      // Stats are truncated to milliseconds (readers widen the max by 1 ms).
      const m = /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(value);
      if (!m) return undefined;
      const ms = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
      return new RawJson(JSON.stringify(`${m[1]}T${m[2]}.${ms}${type === 'timestamp' ? 'Z' : ''}`));
    }
    case 'string': {
      const chars = [...value];
      if (chars.length <= STRING_PREFIX) return new RawJson(JSON.stringify(value));
      if (!isMax) return new RawJson(JSON.stringify(chars.slice(0, STRING_PREFIX).join('')));
      const max = truncatedMax(chars);
      return max === undefined ? undefined : new RawJson(JSON.stringify(max));
    }
    default:
      if (typeof type === 'string' && type.startsWith('decimal'))
        return /^-?\d+(\.\d+)?$/.test(value) ? new RawJson(value) : undefined;
      return undefined; // boolean, binary: Spark records no min/max
  }
}

/**
 * A cut maximum that stays >= every value in UTF-8 byte (code point) order, the order Spark, Trino and delta-rs
 * skip files by: the prefix plus U+007F when the first character cut is below it, else plus U+10FFFF (U+FFFF is
 * not enough: any character beyond the BMP sorts above it). As Delta does, a prefix is lengthened past characters
 * that are U+10FFFF themselves, up to twice the usual length; undefined (no maximum) past that.
 */
function truncatedMax(chars: readonly string[]): string | undefined {
  for (let n = STRING_PREFIX; n <= 2 * STRING_PREFIX; n++) {
    if (n >= chars.length) return chars.join('');
    const cut = chars[n]!;
    if (cut === UTF8_MAX) continue;
    return chars.slice(0, n).join('') + (cut.codePointAt(0)! < ASCII_MAX.codePointAt(0)! ? ASCII_MAX : UTF8_MAX);
  }
  return undefined;
}
