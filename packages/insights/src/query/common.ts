// The parts every insight query shares: date range (absolute or relative), timezone, event/person property
// filters, breakdown (top N + "$other"), event matchers and person sampling. zod schemas; types share names.
import { z } from 'zod';

/** A property name: a silver.events column or a key of the event's `properties` JSON (dots for nesting). */
export const PropertyName = z
  .string()
  .regex(/^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z0-9_$]+)*$/, 'letters, digits, "_", "$", dots between keys');

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One condition on an event property, or (scope `person`) on any event of the person ("persons who ever …"). */
export const PropertyFilter = z
  .object({
    property: PropertyName,
    op: z
      .enum(['eq', 'neq', 'in', 'not_in', 'contains', 'gt', 'gte', 'lt', 'lte', 'is_set', 'is_not_set'])
      .default('eq'),
    value: z.union([scalar, z.array(scalar).min(1)]).optional(),
    scope: z.enum(['event', 'person']).default('event'),
  })
  .strict()
  .superRefine((f, ctx) => {
    const needsList = f.op === 'in' || f.op === 'not_in';
    const needsNone = f.op === 'is_set' || f.op === 'is_not_set';
    if (needsNone) return;
    if (f.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `required for op ${f.op}` });
    else if (needsList !== Array.isArray(f.value))
      ctx.addIssue({ code: 'custom', path: ['value'], message: needsList ? 'a list for in/not_in' : 'a single value' });
    // An empty text compared by order or searched for matches everything (read_time_s > '' was every event).
    else if (
      ['gt', 'gte', 'lt', 'lte', 'contains'].includes(f.op) &&
      typeof f.value === 'string' &&
      f.value.trim() === ''
    )
      ctx.addIssue({ code: 'custom', path: ['value'], message: `empty: op ${f.op} needs a value to compare with` });
  });
export type PropertyFilter = z.infer<typeof PropertyFilter>;

/** An event to match: a name (or `$any`) plus filters of its own. */
export const EventMatcher = z
  .object({
    event: z.string().min(1).max(200),
    filters: z.array(PropertyFilter).max(20).default([]),
  })
  .strict();
export type EventMatcher = z.infer<typeof EventMatcher>;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
/** A real calendar day (Date.parse takes 2026-02-30 for March 2nd) in years 1900–2999. */
function realDay(s: string): boolean {
  const day = s.slice(0, 10);
  const year = Number(day.slice(0, 4));
  return year >= 1900 && year <= 2999 && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
}
const DateOrTime = z
  .string()
  .refine(
    (s) => (isoDate.test(s) || isoDateTime.test(s)) && !Number.isNaN(Date.parse(s)) && realDay(s),
    'YYYY-MM-DD or an ISO-8601 date-time (a real day, years 1900–2999)',
  );
/** The longest absolute range, as for `last` (3660 days): a century of hourly buckets took the server's memory. */
const MAX_RANGE_DAYS = 3660;

/** Absolute (`from`..`to`, dates inclusive, in the query's timezone) or relative (`last` N units up to now). */
export const DateRange = z.union([
  z
    .object({ from: DateOrTime, to: DateOrTime })
    .strict()
    // An empty range read backwards is a mistake, not a question with an empty answer.
    .refine((r) => Date.parse(r.from) <= Date.parse(r.to), { message: 'must not be before from', path: ['to'] })
    .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= MAX_RANGE_DAYS * 86_400_000, {
      message: `at most ${MAX_RANGE_DAYS} days after from`,
      path: ['to'],
    }),
  z
    .object({
      last: z.number().int().positive().max(3660),
      unit: z.enum(['hour', 'day', 'week', 'month']).default('day'),
    })
    .strict(),
]);
export type DateRange = z.infer<typeof DateRange>;

/** An IANA time zone name (checked against the runtime's zone database). */
export const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Europe/London or UTC');

/** Break results down by a property's values: the top `limit` values, the rest as `$other`. */
export const Breakdown = z
  .object({
    property: PropertyName,
    scope: z.enum(['event', 'person']).default('event'),
    limit: z.number().int().min(1).max(100).default(10),
  })
  .strict();
export type Breakdown = z.infer<typeof Breakdown>;

/** The fields every kind accepts. */
export const commonFields = {
  dateRange: DateRange,
  timezone: TimeZone.default('UTC'),
  filters: z.array(PropertyFilter).max(50).default([]),
  /** Fraction of persons kept (hash of the person id): 1 (off) by default. */
  sample: z.number().gt(0).max(1).default(1),
};

/** Interval of a time series. */
export const Interval = z.enum(['hour', 'day', 'week', 'month']);
export type Interval = z.infer<typeof Interval>;

/** A duration such as a conversion window. */
export const Duration = z
  .object({
    value: z.number().int().positive().max(100_000),
    unit: z.enum(['second', 'minute', 'hour', 'day', 'week']),
  })
  .strict();
export type Duration = z.infer<typeof Duration>;

/** Seconds in a Duration. */
export function durationSeconds(d: Duration): number {
  return d.value * { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 }[d.unit];
}
