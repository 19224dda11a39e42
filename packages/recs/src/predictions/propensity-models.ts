// The propensity models trained on gold.user_features: their labels and features as DuckDB SQL over one row per
// actor. "now" is the newest last_seen_at, so reruns over the same data agree. A model whose label is about the
// future (churn: no activity in the next N days) is trained point in time: features as of a cutoff N days
// before now, computed from silver.events exactly as gold.user_features computes them, and the label from what
// happened after the cutoff; it then scores today's gold.user_features rows.

/** A model: what it predicts and from what. */
export interface PropensitySpec {
  name: string;
  description: string;
  /** SQL (0/1) over the feature view `uf` (unused with `horizonDays`: the label is inactivity after the cutoff). */
  label: string;
  features: Record<string, string>;
  /** Trained point in time: label = no event in the `horizonDays` after a cutoff that many days before now. */
  horizonDays?: number;
}

const base: Record<string, string> = {
  log_events: 'ln(1 + events)',
  log_active_days: 'ln(1 + active_days)',
  log_article_views: 'ln(1 + article_views)',
  log_searches: 'ln(1 + searches)',
  newsletter: 'coalesce(newsletter, false)::INT',
  tenure_days: `date_diff('second', first_seen_at, now_ts) / 86400.0`,
  sections_read: `coalesce(len(string_split(section_affinities, ',')), 0)`,
  top_section_share: `coalesce(TRY_CAST(split_part(split_part(section_affinities, ',', 1), ':', 2) AS DOUBLE), 0)`,
};
const recency = { recency_days: `date_diff('second', last_seen_at, now_ts) / 86400.0` };

/** Subscription propensity (P(subscribed)) and churn propensity (P(no activity in the next 14 days)). */
export const PROPENSITY_MODELS: readonly PropensitySpec[] = [
  {
    name: 'subscription',
    description: 'P(the actor has started a subscription), from engagement; scores non-subscribers for targeting',
    label: 'coalesce(subscribed, false)::INT',
    features: { ...base, ...recency },
  },
  {
    name: 'churn',
    description: 'P(no activity in the next 14 days), trained on features as of 14 days ago and what happened since',
    label: 'NULL',
    features: { ...base, ...recency, subscribed: 'coalesce(subscribed, false)::INT' },
    horizonDays: 14,
  },
];

/** The SELECT of actor_id, user_id, label, holdout flag and features for `spec` over the scan of gold.user_features. */
export function featureSql(spec: PropensitySpec, userFeatures: string, holdoutShare: number): string {
  return `WITH src AS (SELECT * FROM (${userFeatures})), ref AS (SELECT max(last_seen_at) AS now_ts FROM src),
    uf AS (SELECT * FROM src, ref)
    ${rowsSql(spec, spec.label, holdoutShare)}`;
}

/**
 * Training rows of a point-in-time model: for every actor seen up to the cutoff (`horizonDays` before the newest
 * event), gold.user_features' columns as of the cutoff (same definitions as its pipeline), `now_ts` = the cutoff,
 * and label 1 when the actor has no event after it.
 */
export function pointInTimeSql(
  spec: PropensitySpec & { horizonDays: number },
  silverEvents: string,
  holdoutShare: number,
): string {
  return `WITH all_ev AS (SELECT * FROM (${silverEvents})),
    ref AS (SELECT max(timestamp) - INTERVAL ${Math.trunc(spec.horizonDays)} DAY AS now_ts FROM all_ev),
    ev AS (SELECT all_ev.* FROM all_ev, ref WHERE all_ev.timestamp <= ref.now_ts),
    later AS (SELECT DISTINCT actor_id FROM all_ev, ref WHERE all_ev.timestamp > ref.now_ts),
    sec AS (
      SELECT actor_id, string_agg(section || ':' || round(n / total, 3), ',' ORDER BY n DESC, section) AS section_affinities
      FROM (SELECT actor_id, section, count(*) AS n, sum(count(*)) OVER (PARTITION BY actor_id) AS total
            FROM ev WHERE event_name = 'Article Viewed' AND section IS NOT NULL GROUP BY actor_id, section)
      GROUP BY actor_id
    ),
    as_of AS (
      SELECT e.actor_id, max(e.user_id) AS user_id, min(e.timestamp) AS first_seen_at, max(e.timestamp) AS last_seen_at,
             count(*) AS events, count(DISTINCT e.event_date) AS active_days,
             count(*) FILTER (WHERE e.event_name = 'Article Viewed') AS article_views,
             count(*) FILTER (WHERE e.event_name = 'Search Performed') AS searches,
             any_value(s.section_affinities) AS section_affinities,
             bool_or(e.event_name = 'Subscription Started') AS subscribed,
             bool_or(e.event_name = 'Newsletter Signed Up') AS newsletter
      FROM ev e LEFT JOIN sec s USING (actor_id) GROUP BY e.actor_id
    ),
    uf AS (SELECT as_of.*, ref.now_ts, (later.actor_id IS NULL)::INT AS inactive_after FROM as_of CROSS JOIN ref LEFT JOIN later USING (actor_id))
    ${rowsSql(spec, 'inactive_after', holdoutShare)}`;
}

/** The model rows over the feature view `uf` (with `now_ts`): ids, label, holdout flag, now, features. */
function rowsSql(spec: PropensitySpec, label: string, holdoutShare: number): string {
  const features = Object.entries(spec.features).map(([n, e]) => `CAST(${e} AS DOUBLE) AS ${n}`);
  return `SELECT actor_id, user_id, ${label} AS label, (hash(actor_id) % 1000) < ${Math.round(holdoutShare * 1000)} AS holdout,
      epoch_ms(now_ts) AS now_ms, ${features.join(', ')}
    FROM uf ORDER BY actor_id`;
}
