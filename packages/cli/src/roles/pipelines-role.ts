// The pipelines role: loads the definitions (shipped + the configured folder) once, then either runs the
// selected pipelines once or keeps the continuous scheduler going until a signal.
import {
  buildGraph,
  loadDefinitions,
  runPipelines,
  startScheduler,
  type PipelineGraph,
  type ReadMode,
  type RunRecord,
} from '@lens/prism';
import type { LensConfig } from '@lens/protocol';
import { RECS_PIPELINES_DIR } from '@lens/recs';
import type { Logger } from 'pino';
import { untilSignal } from './collector-role.js';

/** The validated pipeline graph for a configuration (config errors name file, line and key). */
export function pipelineGraph(config: LensConfig): PipelineGraph {
  // The recommendation pipelines (packages/recs) build on the shipped datasets, so they come with them.
  const dirs = [
    ...(config.pipelines.shipped ? [RECS_PIPELINES_DIR] : []),
    ...(config.pipelines.dir === undefined ? [] : [config.pipelines.dir]),
  ];
  return buildGraph(loadDefinitions({ dirs, shipped: config.pipelines.shipped }));
}

/** Runs `names` (or all, plus what depends on them when asked) once. */
export async function runPipelinesOnce(
  config: LensConfig,
  graph: PipelineGraph,
  names: readonly string[],
  mode: ReadMode,
  logger: Logger,
): Promise<RunRecord[]> {
  for (const n of names)
    if (!graph.byName.has(n)) throw new Error(`no pipeline named ${n} (lens pipelines list shows them)`);
  return runPipelines({
    dataDir: config.dataDir,
    graph,
    mode,
    logger,
    retries: config.pipelines.retries,
    backoffMs: config.pipelines.retryBackoffMs,
    ...(names.length > 0 ? { names } : {}),
  });
}

/** Runs the scheduler until SIGINT/SIGTERM; tells a supervising `lens up` when it is running. */
export async function runPipelinesRole(config: LensConfig, logger: Logger): Promise<void> {
  const graph = pipelineGraph(config);
  const scheduler = startScheduler({ dataDir: config.dataDir, graph, tickMs: config.pipelines.tickMs, logger });
  logger.info({ pipelines: graph.ordered.map((d) => d.name) }, 'pipelines_scheduler_started');
  process.send?.({ type: 'lens:ready' });
  await untilSignal();
  logger.info({}, 'pipelines_stopping');
  await scheduler.stop();
}
