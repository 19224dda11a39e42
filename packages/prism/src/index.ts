// @lens/prism: declarative, incremental pipelines from bronze to silver to gold on DuckDB and Delta.
// This file is the package's only public entry.
export {
  DatasetDefinition,
  Expectation,
  UpdateSpec,
  Transform,
  Schedule,
  COLUMN_TYPES,
  type LoadedDataset,
} from './definition/dataset-definition.js';
export { loadDefinitions, parseDefinition, SHIPPED_PIPELINES_DIR } from './definition/load-definitions.js';
export { buildGraph, SOURCE_TABLES, type PipelineGraph } from './graph/pipeline-graph.js';
export { runDataset, inputTxnId } from './engine/run-dataset.js';
export type { ReadMode } from './engine/input-views.js';
export { recordRuns, readRuns, type RunRecord } from './engine/run-history.js';
export type { ExpectationResult } from './engine/expectations.js';
export { BUILTIN_TRANSFORMS, type BuiltinTransform } from './engine/builtin-transforms.js';
export { quarantineTableName } from './engine/quarantine-table.js';
export { PipelineDefinitionError, PipelineGraphError, ExpectationFailedError, PipelineRunError } from './errors.js';
export { noopLogger, type Logger } from './logger.js';
export { runPipelines, type RunPipelinesOptions } from './engine/run-pipelines.js';
export {
  startScheduler,
  type SchedulerOptions,
  type RunningScheduler,
  type SchedulerHealth,
  type LaneHealth,
  type FailingPipeline,
} from './scheduler/scheduler.js';
export type { LaneName, PassFailure } from './scheduler/scheduler-lane.js';
export { SchedulerMetrics, type SchedulerGauges } from './scheduler/scheduler-metrics.js';
export { nextDue } from './scheduler/schedule.js';
export { lineageEvents } from './graph/openlineage.js';
export { bronzeRows, appendBronze, type BronzeRow } from './testing/bronze-fixture.js';
