// @lens/recs: recommendation and prediction training on the lake (Prism pipelines), a KeyValueStore port with
// SQLite (+ LRU cache) and DynamoDB adapters, and the recommendations HTTP API. The package's only public entry.
export {
  KeyValueStoreError,
  InvalidKeyValueError,
  RecsConfigError,
  RecsTrainingError,
  RecsRequestError,
} from './errors.js';
export { MAX_KEY_BYTES, MAX_VALUE_BYTES, type KeyValueStore, type KeyValueEntry } from './kv/key-value-store.js';
export { createMemoryKeyValueStore } from './kv/adapters/memory/index.js';
export { createSqliteKeyValueStore, SqliteKvOptions } from './kv/adapters/sqlite/index.js';
export { withLruCache, type LruCacheOptions, type CachedKeyValueStore, type CacheStats } from './kv/lru-cache.js';
export { createKeyValueStore, createCachedKeyValueStore, KvOptions } from './kv/create-key-value-store.js';
export {
  RECS_PIPELINES_DIR,
  RECS_DATASETS,
  loadRecsDefinitions,
  recsPipelineGraph,
} from './training/recs-pipelines.js';
export {
  evaluateRecommendations,
  type EvaluateOptions,
  type EvaluationReport,
} from './evaluation/evaluate-recommendations.js';
export { rankingMetrics, scoreList, type RankingMetrics } from './evaluation/ranking-metrics.js';
export {
  plantedRecovery,
  segmentsOf,
  type PlantedRecovery,
  type SegmentRecovery,
} from './evaluation/planted-recovery.js';
export { DEFAULT_AGE_LIMITS, maxAgeHours, isFresh, freshSql, type AgeLimits } from './serving/age-limits.js';
export { POINTER_KEY, VERSIONS_KEY, type CurrentVersion, type StoredItem } from './serving/kv-layout.js';
export { loadRecommendations, readPointer, type LoadOptions, type LoadResult } from './serving/load-recommendations.js';
export { loadRecommendationsInWorker, type WorkerLoadOptions } from './serving/load-in-worker.js';
export {
  createRecommendationService,
  type RecommendationService,
  type RecommendationServiceOptions,
  type RecommendationRequest,
  type RecommendationResponse,
  type RecommendedItem,
} from './serving/recommendation-service.js';
export {
  createDeltaServedListLog,
  createMemoryServedListLog,
  noopServedListLog,
  servedRow,
  SERVED_TABLE,
  SERVED_COLUMNS,
  type ServedListLog,
  type ServedListEntry,
} from './serving/served-list-log.js';
export { recommendationsPlugin, type RecommendationsPluginOptions } from './serving/recommendations-plugin.js';
export { recommendationsOpenApi } from './serving/recommendations-openapi.js';
export { RECOMMENDATIONS_PATH } from './serving/recommendations-http.js';
export { clickThrough, type ClickThrough } from './evaluation/click-through.js';
export { openRecsStore, kvOptionsFromConfig } from './serving/open-recs-store.js';
export { buildDemoLake, DEMO_START, RECS_INPUTS, type DemoLake } from './testing/demo-lake.js';
export {
  fitLogisticRegression,
  predictProbability,
  auc,
  type LogisticModel,
} from './predictions/logistic-regression.js';
export { PROPENSITY_MODELS, featureSql, type PropensitySpec } from './predictions/propensity-models.js';
export { trainPredictions, type ModelRun } from './predictions/train-propensity.js';
