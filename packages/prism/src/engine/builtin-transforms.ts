// Built-in transforms: parameterised SQL generators a definition names instead of writing SQL
// (`transform: { builtin: sessionize, params: { gap_minutes: 30 } }`).
import { z } from 'zod';

/** A built-in: validates its params and returns the DuckDB SQL of the transform. */
export type BuiltinTransform = (params: Record<string, unknown>) => string;

const SessionizeParams = z
  .object({
    /** Relation of events (a view name such as silver.events). */
    events: z.string().default('silver.events'),
    /** Inactivity that ends a session. */
    gap_minutes: z.number().int().positive().default(30),
  })
  .strict();

/**
 * Sessions per device (anonymous id, else user id): a new session after `gap_minutes` of silence, across
 * midnight. Recomputes, per actor in `affected` (aff_actor, aff_from), every session from `aff_from` on —
 * the start of the earliest session a new (possibly late) event touches — so late events merge or split
 * sessions exactly as a full recomputation would.
 */
function sessionize(raw: Record<string, unknown>): string {
  const p = SessionizeParams.parse(raw);
  return `
WITH ev AS (
  SELECT e.* FROM ${p.events} e JOIN affected a ON e.actor_id = a.aff_actor AND e.timestamp >= a.aff_from
), marked AS (
  SELECT *, CASE WHEN lag(timestamp) OVER w IS NULL OR timestamp - lag(timestamp) OVER w > INTERVAL ${p.gap_minutes} MINUTE THEN 1 ELSE 0 END AS is_start
  FROM ev WINDOW w AS (PARTITION BY actor_id ORDER BY timestamp, message_id)
), numbered AS (
  SELECT *, sum(is_start) OVER (PARTITION BY actor_id ORDER BY timestamp, message_id ROWS UNBOUNDED PRECEDING) AS n FROM marked
)
SELECT
  md5(actor_id || '/' || strftime(min(timestamp), '%Y-%m-%dT%H:%M:%S.%f')) AS session_id,
  actor_id,
  max(user_id) AS user_id,
  -- The entry event's values, NULL included, in the session's own order: arg_min skips NULL values (a direct visit
  -- took the referrer of its second page view, the site's own host) and picks any of events sharing a timestamp.
  first(site ORDER BY timestamp, message_id) AS site,
  first(platform ORDER BY timestamp, message_id) AS platform,
  min(timestamp) AS session_start,
  max(timestamp) AS session_end,
  CAST(min(timestamp) AS DATE) AS session_date,
  date_diff('second', min(timestamp), max(timestamp)) AS duration_s,
  count(*) AS events,
  count(*) FILTER (WHERE type IN ('page', 'screen')) AS page_views,
  count(*) FILTER (WHERE type IN ('page', 'screen')) <= 1 AS is_bounce,
  first(referrer_host ORDER BY timestamp, message_id) AS entry_referrer_host,
  first(campaign_source ORDER BY timestamp, message_id) AS campaign_source
FROM numbered GROUP BY actor_id, n`;
}

/** Built-in transforms by name. */
export const BUILTIN_TRANSFORMS: Readonly<Record<string, BuiltinTransform>> = { sessionize };
