// News decays: an article older than its section's age limit is never recommended. One rule, applied when
// serving (so a stored list stays valid while its articles age) and by the evaluation at its split time.
import { DEFAULT_MAX_AGE_HOURS } from '@lens/protocol';

/** Hours since publication after which an article of a section is not recommended; `default` for the rest. */
export type AgeLimits = Readonly<Record<string, number>>;

/** The default limits (hours): the configuration's defaults (recs.maxAgeHours). */
export const DEFAULT_AGE_LIMITS: AgeLimits = DEFAULT_MAX_AGE_HOURS;

/** The age limit in hours of `section`. */
export function maxAgeHours(section: string | null | undefined, limits: AgeLimits): number {
  return (section ? limits[section] : undefined) ?? limits['default'] ?? DEFAULT_AGE_LIMITS['default']!;
}

/** True when an article published at `publishedAtMs` (unknown: treated as fresh) may still be recommended at `nowMs`. */
export function isFresh(
  section: string | null | undefined,
  publishedAtMs: number | null | undefined,
  nowMs: number,
  limits: AgeLimits,
): boolean {
  if (publishedAtMs === null || publishedAtMs === undefined || Number.isNaN(publishedAtMs)) return true;
  return nowMs - publishedAtMs <= maxAgeHours(section, limits) * 3_600_000;
}

/** The same rule as a DuckDB boolean expression over a section and a TIMESTAMPTZ column at `nowSql`. */
export function freshSql(sectionCol: string, publishedCol: string, nowSql: string, limits: AgeLimits): string {
  const cases = Object.entries(limits)
    .filter(([s]) => s !== 'default')
    .map(([s, h]) => `WHEN '${s.replace(/'/g, "''")}' THEN ${Number(h)}`)
    .join(' ');
  const hours = `CASE ${sectionCol} ${cases} ELSE ${Number(maxAgeHours(undefined, limits))} END`;
  return `(${publishedCol} IS NULL OR ${publishedCol} >= ${nowSql} - to_hours(CAST(${hours} AS BIGINT)))`;
}

/**
 * The last instant (epoch ms) at which an article published at `publishedAtMs` is still fresh by `isFresh`
 * (Infinity when the publication time is unknown): serving caches an answer until its earliest such instant.
 */
export function freshUntil(
  section: string | null | undefined,
  publishedAtMs: number | null | undefined,
  limits: AgeLimits,
): number {
  if (publishedAtMs === null || publishedAtMs === undefined || Number.isNaN(publishedAtMs)) return Infinity;
  return publishedAtMs + maxAgeHours(section, limits) * 3_600_000;
}
