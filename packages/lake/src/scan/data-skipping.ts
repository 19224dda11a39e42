// Data skipping: decides from a file's partition values and min/max/nullCount stats (PROTOCOL.md "Per-file
// Statistics") whether it can hold rows matching a predicate. Unknown means "keep": skipping must be safe.
import type { AddAction } from '../log/actions.js';
import { physicalName, type DeltaField } from '../schema/delta-schema.js';
import { dateComparison } from './date-comparison.js';
import type { Comparison, Predicate } from './predicate.js';

interface FileStats {
  numRecords?: number;
  minValues?: Record<string, unknown>;
  maxValues?: Record<string, unknown>;
  nullCount?: Record<string, unknown>;
}

/** Keeps the files that may contain matching rows. */
export function skipFiles(
  files: readonly AddAction[],
  predicate: Predicate,
  fields: readonly DeltaField[],
  partitionColumns: readonly string[],
): AddAction[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return files.filter((file) => mayMatch(file, predicate, byName, partitionColumns));
}

function mayMatch(file: AddAction, p: Predicate, fields: Map<string, DeltaField>, parts: readonly string[]): boolean {
  if ('and' in p) return p.and.every((q) => mayMatch(file, q, fields, parts));
  if ('or' in p) return p.or.length === 0 ? false : p.or.some((q) => mayMatch(file, q, fields, parts));
  const field = fields.get(p.column);
  if (!field || typeof field.type !== 'string') return true;
  if (field.type !== 'date') return comparisonMayMatch(file, p, field, parts);
  const q = dateComparison(p);
  if (q === undefined) return true;
  // dateComparison yields plain-date comparisons (one, or two ANDed).
  const terms = 'and' in q ? (q.and as Comparison[]) : [q as Comparison];
  return terms.every((c) => comparisonMayMatch(file, c, field, parts));
}

function comparisonMayMatch(file: AddAction, p: Comparison, field: DeltaField, parts: readonly string[]): boolean {
  if (typeof field.type !== 'string') return true;
  const key = physicalName(field);
  if (parts.includes(p.column)) {
    const raw = file.partitionValues[key] ?? file.partitionValues[p.column] ?? null;
    if (raw === null || raw === '') return compareRange(p, null, null, 1, 1, field.type);
    const lo = toComparable(raw, field.type, 'min');
    // A partition timestamp is exact (no millisecond truncation to widen for); a number may still be rounded.
    const hi = field.type.startsWith('timestamp') ? lo : toComparable(raw, field.type, 'max');
    return compareRange(p, lo, hi, 0, 1, field.type);
  }
  const stats = parseStats(file);
  if (!stats) return true;
  const min = stats.minValues?.[key];
  const max = stats.maxValues?.[key];
  const nulls = typeof stats.nullCount?.[key] === 'number' ? (stats.nullCount[key] as number) : undefined;
  return compareRange(
    p,
    min == null ? undefined : toComparable(min, field.type, 'min'),
    max == null ? undefined : toComparable(max, field.type, 'max'),
    nulls,
    stats.numRecords,
    field.type,
  );
}

/** Evaluates one comparison against [min, max] and the null count; `undefined` bounds mean unknown. */
function compareRange(
  p: Comparison,
  min: unknown,
  max: unknown,
  nulls: number | undefined,
  rows: number | undefined,
  type: string,
): boolean {
  if (p.op === 'is null') return nulls === undefined || nulls > 0;
  if (p.op === 'is not null') return nulls === undefined || rows === undefined || nulls < rows;
  if (min === null && max === null) return false; // partition value NULL never satisfies a comparison
  if (nulls !== undefined && rows !== undefined && nulls === rows && rows > 0) return false;
  if (!('value' in p)) return true;
  const v = toComparable(p.value, type);
  if (v === undefined) return true;
  const lo = min as number | string | undefined;
  // A string maximum cut to a prefix and ended in U+FFFF (as Lens wrote them before it took Delta's U+007F /
  // U+10FFFF tie-breakers): beyond the prefix it bounds nothing a character above U+FFFF might hold, so it is no
  // upper bound.
  const hi = typeof max === 'string' && max.endsWith('\uFFFF') ? undefined : (max as number | string | undefined);
  switch (p.op) {
    case '=':
      return (lo === undefined || compareValues(lo, v) <= 0) && (hi === undefined || compareValues(v, hi) <= 0);
    case '!=':
      return !(lo !== undefined && hi !== undefined && lo === v && hi === v);
    case '<':
      return lo === undefined || compareValues(lo, v) < 0;
    case '<=':
      return lo === undefined || compareValues(lo, v) <= 0;
    case '>':
      return hi === undefined || compareValues(hi, v) > 0;
    case '>=':
      return hi === undefined || compareValues(hi, v) >= 0;
  }
}

/** Orders stats and literals: strings by code point (UTF-8 byte order, as engines order them), numbers as numbers. */
function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A UTF-16 unit's rank in code point order: surrogates (code points above U+FFFF) rank above the rest. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

/** Orders strings by Unicode code point (= UTF-8 byte order); JavaScript's `<` orders UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    // Only a surrogate against U+E000..U+FFFF orders differently by code point than by unit.
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * How far a number read as a JS double may be from the value it stands for, relative to it: stats are JSON numbers
 * (a long beyond 2^53 or a decimal of 17+ digits is rounded when parsed, and so is the query's literal), and the
 * stats of a float column (also one widened to double since) are float text. Bounds are widened by it.
 */
const NUMERIC_SLACK = 2 ** -22;

/**
 * Normalises a stat, partition value (`bound` set: the side it bounds) or literal to a comparable JS value.
 * Timestamps become epoch microseconds; maxima get +999 µs because the spec truncates timestamp stats to
 * milliseconds. Numbers that may be rounded are widened outwards by NUMERIC_SLACK, so skipping stays safe.
 */
function toComparable(v: unknown, type: string, bound?: 'min' | 'max'): number | string | undefined {
  const isMax = bound === 'max';
  if (type === 'timestamp' || type === 'timestamp_ntz') {
    // SQL literals come as '2026-01-03 00:00:00+00' as often as ISO-8601: normalise the separator and offset.
    const text = String(v)
      .trim()
      .replace(' ', 'T')
      .replace(/([+-]\d\d)$/, '$1:00');
    const ms =
      v instanceof Date
        ? v.getTime()
        : typeof v === 'number'
          ? v
          : Date.parse(text + (/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z'));
    if (Number.isNaN(ms)) return undefined;
    const micros = String(v).match(/\.\d{3}(\d{1,3})/)?.[1];
    return ms * 1000 + (micros ? Number(micros.padEnd(3, '0')) : 0) + (isMax ? 999 : 0);
  }
  if (type === 'date') return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
  if (type === 'string') return String(v);
  if (['long', 'integer', 'short', 'byte', 'float', 'double'].includes(type) || type.startsWith('decimal')) {
    const n = Number(v);
    if (Number.isNaN(n)) return undefined;
    const exact = ['long', 'integer', 'short', 'byte'].includes(type) && Number.isSafeInteger(n);
    if (bound === undefined || exact) return n;
    const slack = Math.abs(n) * NUMERIC_SLACK;
    return isMax ? n + slack : n - slack;
  }
  return undefined;
}

const statsCache = new WeakMap<AddAction, FileStats | null>();

function parseStats(file: AddAction): FileStats | undefined {
  if (!file.stats) return undefined;
  let cached = statsCache.get(file);
  if (cached === undefined) {
    try {
      cached = JSON.parse(file.stats) as FileStats;
    } catch {
      cached = null;
    }
    statsCache.set(file, cached);
  }
  return cached ?? undefined;
}
