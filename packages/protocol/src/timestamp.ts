// Fast timestamp parsing for the hot path. SDKs send canonical ISO-8601 UTC strings
// (`2026-01-02T03:04:05.678Z`); those are parsed by hand in ~0.1 µs, anything else falls back to Date.parse
// (about 10× slower on V8), so both give the same answer.

const ZERO = 48;

function digits(s: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Milliseconds since the epoch of an ISO-8601 (or other Date-parseable) string; NaN when unparseable. */
export function parseTimestampMs(value: string): number {
  // YYYY-MM-DDTHH:MM:SS.sssZ (24) or without milliseconds YYYY-MM-DDTHH:MM:SSZ (20)
  const n = value.length;
  if (
    (n === 24 || n === 20) &&
    value.charCodeAt(n - 1) === 90 /* Z */ &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(7) === 45 &&
    value.charCodeAt(10) === 84 &&
    value.charCodeAt(13) === 58 &&
    value.charCodeAt(16) === 58
  ) {
    const year = digits(value, 0, 4);
    const month = digits(value, 5, 7);
    const day = digits(value, 8, 10);
    const hour = digits(value, 11, 13);
    const minute = digits(value, 14, 16);
    const second = digits(value, 17, 19);
    const ms = n === 24 && value.charCodeAt(19) === 46 ? digits(value, 20, 23) : n === 20 ? 0 : -1;
    if (
      year >= 100 && // Date.UTC reads years 0–99 as 1900–1999; Date.parse below gets them right
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 31 &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59 &&
      ms >= 0
    ) {
      // Date.UTC would roll 2026-02-31 over into March: a real calendar date has at most its month's days.
      if (day > daysInMonth(year, month)) return Number.NaN;
      return Date.UTC(year, month - 1, day, hour, minute, second, ms);
    }
  }
  return value.length <= 64 ? Date.parse(value) : Number.NaN;
}

const DAY_MS = 86_400_000;
/** The day `isoString` formatted last: its first millisecond and its `YYYY-MM-DDT` text. */
let cachedDayStart = Number.NaN;
let cachedDayPrefix = '';

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * `new Date(ms).toISOString()`, about three times faster for times in years 0–9999: the date part is cached per
 * day (events of one request, and of one day, share it) and the time of day is formatted with arithmetic.
 * Anything else (an invalid or out-of-range time) goes to Date, which throws a RangeError as it would.
 */
export function isoString(ms: number): string {
  if (!(ms >= cachedDayStart && ms < cachedDayStart + DAY_MS)) {
    const dayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    const text = new Date(dayStart).toISOString();
    if (text.length !== 24) return new Date(ms).toISOString(); // years beyond 9999 or before 0 (±YYYYYY form)
    cachedDayStart = dayStart;
    cachedDayPrefix = text.slice(0, 11);
  }
  let t = ms - cachedDayStart;
  const hours = Math.floor(t / 3_600_000);
  t -= hours * 3_600_000;
  const minutes = Math.floor(t / 60_000);
  t -= minutes * 60_000;
  const seconds = Math.floor(t / 1000);
  const millis = t - seconds * 1000;
  const msText = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : `${millis}`;
  return `${cachedDayPrefix}${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${msText}Z`;
}
