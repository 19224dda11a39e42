// Test data: small hand-built silver.events / silver.identities Delta tables with exactly the rows a test
// states, so each insight's answer is known in advance.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable, LakeCatalog, type ColumnSpec } from '@lens/lake';

const S = 'string' as const;
/** The silver.events columns the insights read (the Prism dataset has more; these suffice here). */
export const SILVER_EVENT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'message_id', type: S },
  { name: 'type', type: S },
  { name: 'event_name', type: S },
  { name: 'actor_id', type: S },
  { name: 'anonymous_id', type: S },
  { name: 'user_id', type: S },
  { name: 'timestamp', type: 'timestamp' },
  { name: 'event_date', type: 'date' },
  { name: 'site', type: S },
  { name: 'platform', type: S },
  { name: 'page_path', type: S },
  { name: 'referrer_host', type: S },
  { name: 'campaign_source', type: S },
  { name: 'article_id', type: S },
  { name: 'section', type: S },
  { name: 'author', type: S },
  { name: 'scroll_depth', type: 'double' },
  { name: 'read_time_s', type: 'double' },
  { name: 'search_query', type: S },
  { name: 'result_count', type: 'long' },
  { name: 'list_id', type: S },
  { name: 'position', type: 'long' },
  { name: 'plan', type: S },
  { name: 'price', type: 'double' },
  { name: 'properties', type: S },
];

/** A hand-written event: `actor` is the device's anonymous id (or `u:ID` for user id only), `at` an ISO instant. */
export interface FixtureEvent {
  actor: string;
  user?: string;
  event: string;
  at: string;
  props?: Record<string, unknown>;
  [column: string]: unknown;
}

let seq = 0;

/** A silver.events row from a fixture event (known columns lifted out of props, the rest kept in JSON). */
export function silverRow(e: FixtureEvent): Record<string, unknown> {
  const { actor, user, event, at, props, ...columns } = e;
  // `u:ID` is a server-side event carrying only the user id ID.
  const anonymous = actor.startsWith('u:') ? null : actor;
  const userId = user ?? (anonymous === null ? actor.slice(2) : null);
  return {
    message_id: `m${++seq}`,
    type: event === '$pageview' ? 'page' : 'track',
    event_name: event,
    actor_id: anonymous ?? userId,
    anonymous_id: anonymous,
    user_id: userId,
    timestamp: at,
    event_date: new Date(at).toISOString().slice(0, 10),
    properties: props ? JSON.stringify(props) : null,
    ...columns,
  };
}

/** A fresh data directory (its lake is empty). */
export async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lens-insights-'));
}

/** Appends fixture events to `<dataDir>/lake/silver/events` (creating it), one commit; returns the version. */
export async function appendSilverEvents(dataDir: string, events: readonly FixtureEvent[]): Promise<number> {
  const table = await DeltaTable.open(new LakeCatalog(join(dataDir, 'lake')).tablePath('silver.events'));
  if (
    !(await table.snapshot().then(
      () => true,
      () => false,
    ))
  ) {
    await table.create({ columns: SILVER_EVENT_COLUMNS, partitionColumns: ['event_date'], name: 'silver.events' });
  }
  return (await table.append({ rows: events.map(silverRow) })).version;
}

/** Writes silver.identities: anonymous id → person id. */
export async function writeIdentities(dataDir: string, links: Readonly<Record<string, string>>): Promise<void> {
  const table = await DeltaTable.open(new LakeCatalog(join(dataDir, 'lake')).tablePath('silver.identities'));
  if (
    !(await table.snapshot().then(
      () => true,
      () => false,
    ))
  ) {
    await table.create({
      columns: [
        { name: 'anonymous_id', type: S },
        { name: 'person_id', type: S },
      ],
      name: 'silver.identities',
    });
  }
  await table.append({ rows: Object.entries(links).map(([anonymous_id, person_id]) => ({ anonymous_id, person_id })) });
}
