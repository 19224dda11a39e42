// The propensity models trained on gold.user_features: their labels and features as DuckDB SQL over one row per
// person. gold.user_features has a row per actor (a device); the devices silver.identities links to one person
// (the user id an anonymous id was first linked to; the same rule as gold.recommendations) are summed into one
// row, so a person on a phone and a laptop is scored once, from everything they did. "now" is the newest
// last_seen_at, so reruns over the same data agree. A model whose label is about the future (churn: no activity
// in the next N days) is trained point in time: features as of a cutoff N days before now, computed from
// silver.events as gold.user_features computes them but per person, and the label from what happened after
// the cutoff; it then scores today's rows.

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
    description: 'P(the person has started a subscription), from engagement; scores non-subscribers for targeting',
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

/**
 * The person of an actor row `x` (with `actor_id` and `user_id`): the user id silver.identities links the actor's
 * anonymous id to, else its own user id, else the actor. `identities` is the scan of silver.identities, or
 * undefined when the lake has none yet.
 */
function personJoin(x: string, identities: string | undefined): { join: string; person: string } {
  return identities === undefined
    ? { join: '', person: `coalesce(${x}.user_id, ${x}.actor_id)` }
    : {
        join: `LEFT JOIN (SELECT anonymous_id, person_id FROM (${identities})) ids ON ids.anonymous_id = ${x}.actor_id`,
        person: `coalesce(ids.person_id, ${x}.user_id, ${x}.actor_id)`,
      };
}

/** Each actor of gold.user_features (scan `userFeatures`) with its person: actor_id, person_id, user_id. */
export function actorPersonSql(userFeatures: string, identities: string | undefined): string {
  const { join, person } = personJoin('uf', identities);
  return `SELECT uf.actor_id, ${person} AS person_id, uf.user_id FROM (${userFeatures}) uf ${join}`;
}

/**
 * The SELECT of person_id, user_id, label, holdout flag and features for `spec`: gold.user_features' rows (scan
 * `userFeatures`) summed per person — counts added (active days per device, so a day on two devices counts
 * twice), first/last seen widened, flags OR-ed, section shares re-weighted by each device's article views.
 */
export function featureSql(
  spec: PropensitySpec,
  userFeatures: string,
  identities: string | undefined,
  holdoutShare: number,
): string {
  const { join, person } = personJoin('uf', identities);
  return `WITH actors AS (SELECT ${person} AS person_id, uf.* FROM (${userFeatures}) uf ${join}),
    ref AS (SELECT max(last_seen_at) AS now_ts FROM actors),
    views AS (
      SELECT person_id, split_part(part, ':', 1) AS section,
             sum(coalesce(TRY_CAST(split_part(part, ':', 2) AS DOUBLE), 0) * article_views) AS n
      FROM (SELECT person_id, article_views, unnest(string_split(section_affinities, ',')) AS part
            FROM actors WHERE section_affinities IS NOT NULL AND section_affinities <> '')
      GROUP BY ALL
    ),
    sec AS (
      SELECT person_id, string_agg(section || ':' || round(n / total, 3), ',' ORDER BY n DESC, section) AS section_affinities
      FROM (SELECT *, sum(n) OVER (PARTITION BY person_id) AS total FROM views) WHERE total > 0 GROUP BY person_id
    ),
    people AS (
      SELECT person_id, max(user_id) AS user_id, min(first_seen_at) AS first_seen_at, max(last_seen_at) AS last_seen_at,
             sum(events) AS events, sum(active_days) AS active_days, sum(article_views) AS article_views,
             sum(searches) AS searches, bool_or(subscribed) AS subscribed, bool_or(newsletter) AS newsletter
      FROM actors GROUP BY person_id
    ),
    uf AS (SELECT people.*, sec.section_affinities, ref.now_ts FROM people LEFT JOIN sec USING (person_id) CROSS JOIN ref)
    ${rowsSql(spec, spec.label, holdoutShare)}`;
}

/**
 * Training rows of a point-in-time model: for every person seen up to the cutoff (`horizonDays` before the newest
 * event), gold.user_features' columns as of the cutoff (same definitions as its pipeline, per person), `now_ts` =
 * the cutoff, and label 1 when the person has no event after it.
 */
export function pointInTimeSql(
  spec: PropensitySpec & { horizonDays: number },
  silverEvents: string,
  identities: string | undefined,
  holdoutShare: number,
): string {
  const { join, person } = personJoin('e', identities);
  return `WITH all_ev AS (SELECT ${person} AS person_id, e.* FROM (${silverEvents}) e ${join}),
    ref AS (SELECT max(timestamp) - INTERVAL ${Math.trunc(spec.horizonDays)} DAY AS now_ts FROM all_ev),
    ev AS (SELECT all_ev.* FROM all_ev, ref WHERE all_ev.timestamp <= ref.now_ts),
    later AS (SELECT DISTINCT person_id FROM all_ev, ref WHERE all_ev.timestamp > ref.now_ts),
    sec AS (
      SELECT person_id, string_agg(section || ':' || round(n / total, 3), ',' ORDER BY n DESC, section) AS section_affinities
      FROM (SELECT person_id, section, count(*) AS n, sum(count(*)) OVER (PARTITION BY person_id) AS total
            FROM ev WHERE event_name = 'Article Viewed' AND section IS NOT NULL GROUP BY person_id, section)
      GROUP BY person_id
    ),
    as_of AS (
      SELECT e.person_id, max(e.user_id) AS user_id, min(e.timestamp) AS first_seen_at, max(e.timestamp) AS last_seen_at,
             count(*) AS events, count(DISTINCT e.event_date) AS active_days,
             count(*) FILTER (WHERE e.event_name = 'Article Viewed') AS article_views,
             count(*) FILTER (WHERE e.event_name = 'Search Performed') AS searches,
             any_value(s.section_affinities) AS section_affinities,
             bool_or(e.event_name = 'Subscription Started') AS subscribed,
             bool_or(e.event_name = 'Newsletter Signed Up') AS newsletter
      FROM ev e LEFT JOIN sec s USING (person_id) GROUP BY e.person_id
    ),
    uf AS (SELECT as_of.*, ref.now_ts, (later.person_id IS NULL)::INT AS inactive_after FROM as_of CROSS JOIN ref LEFT JOIN later USING (person_id))
    ${rowsSql(spec, 'inactive_after', holdoutShare)}`;
}

/** The model rows over the feature view `uf` (with `now_ts`): ids, label, holdout flag, now, features. */
function rowsSql(spec: PropensitySpec, label: string, holdoutShare: number): string {
  const features = Object.entries(spec.features).map(([n, e]) => `CAST(${e} AS DOUBLE) AS ${n}`);
  return `SELECT person_id, user_id, ${label} AS label, (hash(person_id) % 1000) < ${Math.round(holdoutShare * 1000)} AS holdout,
      epoch_ms(now_ts) AS now_ms, ${features.join(', ')}
    FROM uf ORDER BY person_id`;
}
