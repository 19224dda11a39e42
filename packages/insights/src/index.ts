// @lens/insights: typed insight queries (trends, funnels, retention, paths, stickiness, lifecycle, affinity,
// search, trending now, locked-down SQL) answered by DuckDB straight on the lake's Delta tables.
// This file is the package's only public entry.
export * from './errors.js';
export {
  InsightEngine,
  TableMissingError,
  type EngineProbe,
  type InsightEngineOptions,
  type InsightResponse,
} from './insight-engine.js';
export type { InsightKind, RunEnv } from './kinds/insight-kind.js';
export { INSIGHT_KINDS } from './kinds/registry.js';
export { TrendsQuery, TrendSeries, type TrendsResult, type TrendLine } from './kinds/trends.js';
export { PropertyFilter, EventMatcher, DateRange, Breakdown, Interval, Duration, TimeZone } from './query/common.js';
export { noopLogger, type Logger } from './logger.js';
export { FunnelQuery, FunnelExclusion, type FunnelResult, type FunnelStep } from './kinds/funnels.js';
export { RetentionQuery, type RetentionResult, type RetentionCohort } from './kinds/retention.js';
export { TrendingQuery, type TrendingResult, type TrendingArticle } from './trending/trending-query.js';
export { TrendingIndex } from './trending/trending-index.js';
export { LockedSql, createLockedDuckDB, type SqlResult } from './locked-sql.js';
export { lakeTables, type LakeTableInfo } from './lake-tables.js';
export { insightQuerySchemas, openApiSchema } from './json-schemas.js';
export {
  appendSilverEvents,
  writeIdentities,
  tempDataDir,
  silverRow,
  SILVER_EVENT_COLUMNS,
  type FixtureEvent,
} from './testing/silver-fixture.js';
export { PathsQuery, type PathsResult } from './kinds/paths.js';
export { StickinessQuery, type StickinessResult } from './kinds/stickiness.js';
export { LifecycleQuery, type LifecycleResult } from './kinds/lifecycle.js';
export { AffinityQuery, type AffinityResult, type AffinityPair } from './kinds/affinity.js';
export { SearchQuery, type SearchResult, type SearchQueryStats } from './kinds/search.js';
export { buildDemoLake, type DemoLakeOptions } from './testing/demo-lake.js';
