// The propensity models trained on gold.user_features: their labels and features as DuckDB SQL over one row per
// actor. "now" is the newest last_seen_at, so reruns over the same data agree.

/** A model: what it predicts and from what. */
export interface PropensitySpec {
  name: string;
  description: string;
  /** SQL (0/1) over the feature view `uf`. */
  label: string;
  features: Record<string, string>;
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

/** Subscription propensity (P(subscribed)) and churn propensity (P(no activity in the last 14 days)). */
export const PROPENSITY_MODELS: readonly PropensitySpec[] = [
  {
    name: 'subscription',
    description: 'P(the actor has started a subscription), from engagement; scores non-subscribers for targeting',
    label: 'coalesce(subscribed, false)::INT',
    features: { ...base, recency_days: `date_diff('second', last_seen_at, now_ts) / 86400.0` },
  },
  {
    name: 'churn',
    description: 'P(no activity in the last 14 days), from engagement before; recency itself is the label so it is left out',
    label: `(last_seen_at < now_ts - INTERVAL 14 DAY)::INT`,
    features: { ...base, subscribed: 'coalesce(subscribed, false)::INT' },
  },
];

/** The SELECT of actor_id, user_id, label, holdout flag and features for `spec` over the scan of gold.user_features. */
export function featureSql(spec: PropensitySpec, userFeatures: string, holdoutShare: number): string {
  return `WITH src AS (SELECT * FROM (${userFeatures})), ref AS (SELECT max(last_seen_at) AS now_ts FROM src),
    uf AS (SELECT * FROM src, ref)
    SELECT actor_id, user_id, ${spec.label} AS label,
           (hash(actor_id) % 1000) < ${Math.round(holdoutShare * 1000)} AS holdout,
           epoch_ms(now_ts) AS now_ms,
           ${Object.entries(spec.features).map(([n, e]) => `CAST(${e} AS DOUBLE) AS ${n}`).join(', ')}
    FROM uf ORDER BY actor_id`;
}
