// The identity-resolved event source every insight reads: silver.events with person_id (anonymous devices
// mapped to the person through silver.identities), the date window, filters and person sampling applied.
// Conditions on event_date are plain literals so the lake's data skipping prunes partitions.
import type { Breakdown, DateRange, EventMatcher, PropertyFilter } from '../query/common.js';
import { type DateWindow, partitionBounds, resolveWindow } from './date-window.js';
import { ident, lit, scalarLit } from './sql-text.js';

/** What the builders need to know about the lake at query time. */
export interface SourceContext {
  /** silver.identities exists (else a person is the user id, or the device's anonymous id). */
  hasIdentities: boolean;
  /** Name of a warm in-memory table holding the resolved events (see warm-events.ts), if one is current. */
  warm?: string;
}

/** silver.events columns addressable by name; any other property is read from the `properties` JSON. */
export const SILVER_COLUMNS: ReadonlySet<string> = new Set([
  'message_id',
  'source_id',
  'type',
  'event_name',
  'actor_id',
  'anonymous_id',
  'user_id',
  'timestamp',
  'received_at',
  'event_date',
  'site',
  'platform',
  'page_url',
  'page_path',
  'referrer_host',
  'campaign_source',
  'campaign_medium',
  'campaign_name',
  'article_id',
  'section',
  'author',
  'scroll_depth',
  'read_time_s',
  'search_query',
  'result_count',
  'list_id',
  'position',
  'plan',
  'price',
  'user_agent',
  'browser',
  'os',
  'device_type',
  'locale',
  'person_id',
  'person_name',
  'ts_utc',
]);

/** SQL for a property of the row aliased `alias` (VARCHAR for JSON properties). */
export function propertySql(property: string, alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  if (SILVER_COLUMNS.has(property)) return `${prefix}${ident(property)}`;
  const path = property
    .split('.')
    .map((k) => `"${k}"`)
    .join('.');
  return `json_extract_string(${prefix}properties, ${lit(`$.${path}`)})`;
}

/** One filter as a SQL condition on the current row. */
export function conditionSql(f: PropertyFilter, alias = ''): string {
  const p = propertySql(f.property, alias);
  const v = f.value;
  const numeric = (x: unknown): boolean => typeof x === 'number';
  const cmp = (op: string): string =>
    numeric(v)
      ? `TRY_CAST(${p} AS DOUBLE) ${op} ${scalarLit(v as number)}`
      : `CAST(${p} AS VARCHAR) ${op} ${scalarLit(String(v))}`;
  const list = (): string => (v as (string | number | boolean)[]).map((x) => scalarLit(String(x))).join(', ');
  switch (f.op) {
    case 'eq':
      return cmp('=');
    case 'neq':
      return `(${p} IS NULL OR ${cmp('<>')})`;
    case 'gt':
      return cmp('>');
    case 'gte':
      return cmp('>=');
    case 'lt':
      return cmp('<');
    case 'lte':
      return cmp('<=');
    case 'in':
      return `CAST(${p} AS VARCHAR) IN (${list()})`;
    case 'not_in':
      return `(${p} IS NULL OR CAST(${p} AS VARCHAR) NOT IN (${list()}))`;
    case 'contains':
      return `contains(lower(CAST(${p} AS VARCHAR)), lower(${scalarLit(String(v))}))`;
    case 'is_set':
      return `${p} IS NOT NULL`;
    case 'is_not_set':
      return `${p} IS NULL`;
  }
}

/** Filters ANDed; person-scoped ones become "the person has any event where …" over `allEvents`. */
export function filtersSql(filters: readonly PropertyFilter[], allEvents = '__all_ev'): string {
  if (filters.length === 0) return 'TRUE';
  return filters
    .map((f) =>
      f.scope === 'person'
        ? `person_id IN (SELECT person_id FROM ${allEvents} WHERE ${conditionSql(f)})`
        : conditionSql(f),
    )
    .join(' AND ');
}

/**
 * A matcher (event name or `$any`, plus its filters) as a condition. With `codes` (the warm table's event name →
 * name_code), the name is compared as its integer code — cheaper to scan; a name the table lacks matches nothing.
 */
export function matcherSql(m: EventMatcher, codes?: ReadonlyMap<string, number>): string {
  const name =
    m.event === '$any' ? 'TRUE' : codes ? `name_code = ${codes.get(m.event) ?? -1}` : `event_name = ${lit(m.event)}`;
  return m.filters.length ? `(${name} AND ${filtersSql(m.filters)})` : `(${name})`;
}

/** True when any filter (or matcher filter) is person-scoped, so `__all_ev` must be defined. */
export function needsAllEvents(
  filters: readonly PropertyFilter[],
  matchers: readonly EventMatcher[] = [],
  breakdown?: Breakdown,
): boolean {
  return (
    [...filters, ...matchers.flatMap((m) => m.filters)].some((f) => f.scope === 'person') ||
    breakdown?.scope === 'person'
  );
}

/** `e.timestamp` as a naive UTC TIMESTAMP (no ICU: plain microseconds). */
export const TS_UTC_SQL = 'make_timestamp(epoch_us(e.timestamp))';

/** The person expression over `e` (events) and `i` (identities): the user id a device resolves to, else the device. */
export function personNameSql(hasIdentities: boolean): string {
  return hasIdentities ? 'coalesce(i.person_id, e.user_id, e.actor_id)' : 'coalesce(e.user_id, e.actor_id)';
}

/** The identity join, when silver.identities exists (`identities`: the table, or a parenthesised SELECT of it). */
export function identityJoinSql(hasIdentities: boolean, identities = 'silver.identities'): string {
  return hasIdentities ? ` LEFT JOIN ${identities} i ON i.anonymous_id = e.anonymous_id` : '';
}

/**
 * SELECT of identity-resolved events within `window` (or all when undefined), without further filters.
 * `person_id` is a 64-bit hash of the person (fast to group and count), `person_name` the person itself.
 */
export function resolvedEventsSql(
  ctx: SourceContext,
  window?: { from: Date; to: Date; fromSql: string; toSql: string },
): string {
  let where = 'TRUE';
  if (window) {
    const p = partitionBounds(window);
    where = `e.event_date >= DATE ${lit(p.from)} AND e.event_date <= DATE ${lit(p.to)} AND e.timestamp >= ${window.fromSql} AND e.timestamp < ${window.toSql}`;
  }
  // seq: the warm row's position (person, time, message order) for the kernels; unread, it costs nothing.
  if (ctx.warm) return `SELECT *, e.rowid AS seq FROM ${ctx.warm} e WHERE ${where}`;
  const person = personNameSql(ctx.hasIdentities);
  return `SELECT e.*, hash(${person}) AS person_id, ${person} AS person_name, ${TS_UTC_SQL} AS ts_utc FROM silver.events e${identityJoinSql(ctx.hasIdentities)} WHERE ${where}`;
}

/** Options of the event source CTEs. */
export interface SourceOptions {
  window?: DateWindow;
  filters: readonly PropertyFilter[];
  sample: number;
  /** Also define `__all_ev` (every event, any time) for person-scoped filters and breakdowns. */
  allEvents: boolean;
}

/** CTE definitions: `name` = filtered, sampled, identity-resolved events in the window (plus `__all_ev` if asked). */
export function sourceCtes(ctx: SourceContext, name: string, o: SourceOptions): string[] {
  const ctes: string[] = [];
  // NOT MATERIALIZED: each use scans the source with its own projection instead of copying every column once.
  if (o.allEvents) ctes.push(`__all_ev AS NOT MATERIALIZED (${resolvedEventsSql(ctx)})`);
  const sample = o.sample < 1 ? ` AND person_id % 10000 < ${Math.round(o.sample * 10000)}` : '';
  ctes.push(
    `${name} AS NOT MATERIALIZED (SELECT * FROM (${resolvedEventsSql(ctx, o.window)}) WHERE ${filtersSql(o.filters)}${sample})`,
  );
  return ctes;
}

/**
 * Breakdown value SQL (`__bd`): event-scoped reads the row; person-scoped takes the person's most frequent
 * value over all events (`__person_bd` CTE). Values outside the top N become `$other` via `__top`.
 */
export function breakdownCtes(b: Breakdown, source: string, matcher: string): { ctes: string[]; rawSql: string } {
  const ctes: string[] = [];
  let raw = `coalesce(CAST(${propertySql(b.property)} AS VARCHAR), '$none')`;
  if (b.scope === 'person') {
    ctes.push(
      `__person_bd AS (SELECT person_id, mode(CAST(${propertySql(b.property)} AS VARCHAR)) AS v FROM __all_ev GROUP BY 1)`,
    );
    raw = `coalesce((SELECT v FROM __person_bd WHERE __person_bd.person_id = ${source}.person_id), '$none')`;
  }
  ctes.push(
    `__top AS (SELECT ${raw} AS v FROM ${source} WHERE ${matcher} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${b.limit})`,
  );
  return { ctes, rawSql: raw };
}

/** The bucketed breakdown expression given the raw value SQL. */
export function breakdownValueSql(rawSql: string): string {
  return `CASE WHEN ${rawSql} IN (SELECT v FROM __top) THEN ${rawSql} ELSE '$other' END`;
}

/**
 * The usual source of a kind: the query's window and the `ev` CTEs over it (its filters and sampling, and
 * `__all_ev` when a filter or one of `matchers` is person-scoped).
 */
export function windowedSource(
  ctx: SourceContext,
  now: Date,
  q: { dateRange: DateRange; timezone: string; filters: readonly PropertyFilter[]; sample: number },
  matchers: readonly EventMatcher[] = [],
): { window: DateWindow; ctes: string[] } {
  const window = resolveWindow(q.dateRange, q.timezone, now);
  const ctes = sourceCtes(ctx, 'ev', {
    window,
    filters: q.filters,
    sample: q.sample,
    allEvents: needsAllEvents(q.filters, matchers),
  });
  return { window, ctes };
}
