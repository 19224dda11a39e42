// Turns a query's date range and timezone into SQL bounds: instants for filtering `timestamp`, local
// timestamps for bucketing, and a widened UTC event_date range the lake uses for data skipping.
import type { DateRange, Interval } from '../query/common.js';
import { lit } from './sql-text.js';

/** A resolved window `[from, to)`. */
export interface DateWindow {
  tz: string;
  /** TIMESTAMPTZ SQL expressions. */
  fromSql: string;
  toSql: string;
  /** The same bounds as naive UTC TIMESTAMP literals, to compare with `ts_utc`. */
  fromUtc: string;
  toUtc: string;
  /** JS instants of the bounds (for cache keys, partition pruning and extending windows). */
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;

/** The local calendar date (YYYY-MM-DD) of an instant in `tz`. */
export function localDate(instant: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
  return parts.slice(0, 10);
}

/** UTC offset of `tz` at `instant`, in ms (positive east of Greenwich). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetMs(instant: Date, tz: string): number {
  if (tz === 'UTC') return 0;
  let f = formatters.get(tz);
  if (!f)
    formatters.set(
      tz,
      (f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })),
    );
  const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(
    Number(p['year']),
    Number(p['month']) - 1,
    Number(p['day']),
    Number(p['hour']),
    Number(p['minute']),
    Number(p['second']),
  );
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant of a local wall-clock time `YYYY-MM-DD[THH:MM[:SS]]` in `tz` (DST gaps resolve forward). */
export function localToInstant(local: string, tz: string): Date {
  const naive = Date.parse(`${local.length === 10 ? `${local}T00:00:00` : local}Z`);
  let guess = naive - offsetMs(new Date(naive), tz);
  guess = naive - offsetMs(new Date(guess), tz);
  return new Date(guess);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function bound(value: string, tz: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return localToInstant(end ? addDays(value, 1) : value, tz);
  if (/(Z|[+-]\d{2}:\d{2})$/.test(value)) return new Date(value);
  return localToInstant(value, tz);
}

/** Resolves a range: dates are whole local days (`to` inclusive); relative ranges end at `now`. */
export function resolveWindow(range: DateRange, tz: string, now: Date): DateWindow {
  let from: Date;
  let to: Date;
  if ('from' in range) {
    from = bound(range.from, tz, false);
    to = bound(range.to, tz, true);
  } else {
    to = now;
    const today = localDate(now, tz);
    if (range.unit === 'hour') from = new Date(now.getTime() - range.last * 3_600_000);
    else if (range.unit === 'day') from = localToInstant(addDays(today, 1 - range.last), tz);
    else if (range.unit === 'week') from = localToInstant(addDays(today, 1 - 7 * range.last), tz);
    else {
      const d = new Date(`${today}T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() - range.last);
      from = localToInstant(addDays(d.toISOString().slice(0, 10), 1), tz);
    }
  }
  return { tz, from, to, fromSql: tsLit(from), toSql: tsLit(to), fromUtc: utcLit(from), toUtc: utcLit(to) };
}

/** A naive UTC TIMESTAMP literal of an instant (compares with `ts_utc` without ICU). */
export function utcLit(instant: Date): string {
  return `TIMESTAMP ${lit(instant.toISOString().replace('T', ' ').replace('Z', ''))}`;
}

/** A TIMESTAMPTZ literal of an instant. */
export function tsLit(instant: Date): string {
  return `TIMESTAMPTZ ${lit(instant.toISOString())}`;
}

/** The window moved by `seconds` at either end (e.g. the funnel's conversion window past `to`). */
export function extendWindow(w: DateWindow, fromSeconds: number, toSeconds: number): DateWindow {
  const from = new Date(w.from.getTime() - fromSeconds * 1000);
  const to = new Date(w.to.getTime() + toSeconds * 1000);
  return { ...w, from, to, fromSql: tsLit(from), toSql: tsLit(to), fromUtc: utcLit(from), toUtc: utcLit(to) };
}

/** A window from the epoch (a person's whole history) up to `w.to`. */
export function historyWindow(w: DateWindow): DateWindow {
  const from = new Date(0);
  return { ...w, from, fromSql: tsLit(from), fromUtc: utcLit(from) };
}

/** The local timestamp of `column` in the window's zone (a TIMESTAMP for bucketing). */
export function localTs(column: string, tz: string): string {
  return `timezone(${lit(tz)}, ${column})`;
}

const EARLIEST = Date.UTC(2000, 0, 1);

/** UTC offset changes of `tz` within [from, to]: the offset before the first change, then each change. */
export function offsetChanges(
  tz: string,
  from: Date,
  to: Date,
): { first: number; changes: { at: Date; offsetMs: number }[] } {
  const start = Math.max(from.getTime(), EARLIEST) - DAY_MS;
  const end = Math.max(to.getTime(), start) + DAY_MS;
  const first = offsetMs(new Date(start), tz);
  const changes: { at: Date; offsetMs: number }[] = [];
  let prev = first;
  if (tz === 'UTC') return { first, changes };
  // Offset changes are months apart: sample weekly, then find each change to the minute.
  const STEP = 7 * DAY_MS;
  for (let t = start + STEP; t <= end + STEP; t += STEP) {
    const o = offsetMs(new Date(t), tz);
    if (o === prev) continue;
    let lo = t - STEP;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetMs(new Date(mid), tz) === prev) lo = mid;
      else hi = mid;
    }
    changes.push({ at: new Date(hi), offsetMs: o });
    prev = o;
  }
  return { first, changes };
}

/**
 * The local wall-clock TIMESTAMP of each row's `ts_utc` (naive UTC) in `tz`, as plain arithmetic with the
 * zone's offsets over `span` — DuckDB's ICU time-zone functions cost ~20× more per row.
 */
export function localRowSql(tz: string, span: { from: Date; to: Date }): string {
  const { first, changes } = offsetChanges(tz, span.from, span.to);
  const secs = (ms: number): string => `to_seconds(${ms / 1000})`;
  if (changes.length === 0) return first === 0 ? 'ts_utc' : `(ts_utc + ${secs(first)})`;
  const arms = [first, ...changes.map((c) => c.offsetMs)];
  const cases = changes.map((c, i) => `WHEN ts_utc < ${utcLit(c.at)} THEN ${secs(arms[i]!)}`).join(' ');
  return `(ts_utc + CASE ${cases} ELSE ${secs(arms[arms.length - 1]!)} END)`;
}

/** Local bucket start of each row in the window's zone. */
export function bucketSql(interval: Interval, tz: string, span: { from: Date; to: Date }): string {
  return `date_trunc(${lit(interval)}, ${localRowSql(tz, span)})`;
}

/** The UTC event_date bounds that surely hold the window's rows (±1 day for any zone offset). */
export function partitionBounds(w: { from: Date; to: Date }): { from: string; to: string } {
  return {
    from: new Date(w.from.getTime() - DAY_MS).toISOString().slice(0, 10),
    to: new Date(w.to.getTime() + DAY_MS).toISOString().slice(0, 10),
  };
}

/** SQL for the whole local buckets a window covers. */
export function bucketGridSql(w: DateWindow, interval: Interval): string {
  // Hours step through real instants: a local day has 23 or 25 of them across a DST change.
  // The last instant is sampled too: from an unaligned start (10:20 for "the last hour" at 11:20) the hourly
  // steps stop before the last, partial hour, which then had no bucket and its events no place.
  if (interval === 'hour') {
    const last = `${w.toSql} - INTERVAL 1 MICROSECOND`;
    return `SELECT DISTINCT date_trunc('hour', ${localTs('t', w.tz)}) AS bucket FROM (SELECT unnest(list_append(generate_series(${w.fromSql}, ${last}, INTERVAL 1 HOUR), ${last})) AS t)`;
  }
  const first = `date_trunc(${lit(interval)}, ${localTs(w.fromSql, w.tz)})`;
  const last = `${localTs(w.toSql, w.tz)} - INTERVAL 1 MICROSECOND`;
  return `SELECT unnest(generate_series(${first}, ${last}, INTERVAL 1 ${interval})) AS bucket`;
}
