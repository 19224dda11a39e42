// The names a query builder offers: event names seen in silver.events (most frequent first) and property
// names — silver.events' columns plus the keys found in its `properties` JSON. Read over /api/sql.
import { runSql } from './sql-api';
import { useApi, type ApiState } from './use-api';

/** Event names with counts, and property names. */
export interface EventSchema {
  events: { name: string; count: number }[];
  properties: string[];
}

/** Columns of silver.events that insights address by name (the rest come from the JSON). */
const COLUMN_PROPERTIES = [
  'site',
  'platform',
  'section',
  'author',
  'article_id',
  'page_path',
  'referrer_host',
  'campaign_source',
  'campaign_medium',
  'campaign_name',
  'search_query',
  'result_count',
  'scroll_depth',
  'read_time_s',
  'plan',
  'price',
  'browser',
  'os',
  'device_type',
  'locale',
  'type',
  'source_id',
];

async function fetchEventSchema(signal?: AbortSignal): Promise<EventSchema> {
  const [events, keys] = await Promise.all([
    runSql(
      `SELECT event_name AS name, count(*) AS count FROM silver.events WHERE event_name IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 500`,
      signal,
    ),
    runSql(
      `SELECT DISTINCT unnest(json_keys(properties)) AS k FROM silver.events WHERE properties IS NOT NULL ORDER BY 1 LIMIT 500`,
      signal,
    ),
  ]);
  const json = keys.rows.map((r) => String(r['k'])).filter((k) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k));
  return {
    events: events.rows.map((r) => ({ name: String(r['name']), count: Number(r['count']) })),
    properties: [...new Set([...COLUMN_PROPERTIES, ...json])].sort(),
  };
}

let cached: Promise<EventSchema> | undefined;

/** The event schema, fetched once per page load and shared by every builder. */
export function useEventSchema(): ApiState<EventSchema> {
  return useApi('event-schema', () => {
    // Not tied to one view's AbortSignal: the answer is shared, and a view leaving must not cancel it for others.
    cached ??= fetchEventSchema().catch((e: unknown) => {
      cached = undefined;
      throw e;
    });
    return cached;
  });
}
