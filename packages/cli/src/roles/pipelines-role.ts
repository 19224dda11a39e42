// The pipelines role: loads the definitions (shipped + the configured folder) once, then either runs the
// selected pipelines once or keeps the continuous scheduler going until a signal, with its ops endpoint
// (GET /health, GET /metrics on pipelines.port) while it runs.
import { startOpsServer, type OpsServer } from '@lens/loader';
import {
  buildGraph,
  loadDefinitions,
  runPipelines,
  SchedulerMetrics,
  startScheduler,
  type PipelineGraph,
  type ReadMode,
  type RunningScheduler,
  type RunRecord,
} from '@lens/prism';
import { pipelinesMemoryBytes, type LensConfig } from '@lens/protocol';
import { RECS_PIPELINES_DIR, RecsTrainingError, trainPredictions } from '@lens/recs';
import type { Logger } from 'pino';
import { roleUrl } from './role-url.js';
import { untilSignal } from './until-signal.js';

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
    memoryLimitBytes: pipelinesMemoryBytes(config.pipelines),
    ...(names.length > 0 ? { names } : {}),
  });
}

/** Runs the scheduler until SIGINT/SIGTERM; tells a supervising `lens up` when it is running (and its ops URL). */
export async function runPipelinesRole(config: LensConfig, logger: Logger): Promise<void> {
  const graph = pipelineGraph(config);
  const { host, port } = config.pipelines;
  const metrics = port === 0 ? undefined : new SchedulerMetrics();
  /** Set once the scheduler runs; the ops server answers before that. */
  const running: { scheduler?: RunningScheduler } = {};
  // The ops port first, as the loader does: a role that cannot serve its health fails before it runs anything.
  let ops: OpsServer | undefined;
  if (metrics !== undefined)
    try {
      // Before the scheduler exists (a few milliseconds): starting, not ready.
      ops = await startOpsServer(host, port, metrics.registry, () =>
        running.scheduler ? { ...running.scheduler.health() } : { ready: false, state: 'starting' },
      );
    } catch (error) {
      const reason = (error as Error).message;
      throw new Error(`pipelines: cannot listen on ${host}:${port} (pipelines.port; 0 = off): ${reason}`, {
        cause: error,
      });
    }
  const scheduler = (running.scheduler = startScheduler({
    dataDir: config.dataDir,
    graph,
    tickMs: config.pipelines.tickMs,
    // pipelines.retries and retryBackoffMs held for `lens pipelines run` only: the scheduler retried 2 times after 1 s, 2 s.
    retries: config.pipelines.retries,
    backoffMs: config.pipelines.retryBackoffMs,
    memoryLimitBytes: pipelinesMemoryBytes(config.pipelines),
    logger,
    ...(metrics ? { metrics } : {}),
  }));
  const predictions = startPredictionsRefresh(config, logger);
  logger.info({ pipelines: graph.ordered.map((d) => d.name), port: ops?.port }, 'pipelines_scheduler_started');
  process.send?.({ type: 'lens:ready', ...(ops === undefined ? {} : { url: roleUrl(host, ops.port) }) });
  await untilSignal();
  logger.info({}, 'pipelines_stopping');
  await Promise.all([scheduler.stop(), predictions.stop()]);
  await ops?.close();
}

/** The first retraining waits for the scheduler to have refreshed gold.user_features on a fresh start. */
const PREDICTIONS_FIRST_DELAY_MS = 2 * 60_000;

/**
 * Retrains the propensity models into gold.predictions every `recs.predictionsEveryMinutes` while the pipelines
 * run (they are no Prism dataset: `lens recs train` trains them on demand). A model the lake is too young for
 * is skipped and said so; a lake without gold.user_features yet waits for the next time.
 */
export function startPredictionsRefresh(
  config: LensConfig,
  logger: Logger,
  firstDelayMs = PREDICTIONS_FIRST_DELAY_MS,
): { stop(): Promise<void> } {
  const everyMs = config.recs.predictionsEveryMinutes * 60_000;
  if (everyMs === 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const train = async (): Promise<void> => {
    try {
      const runs = await trainPredictions({
        dataDir: config.dataDir,
        onSkipped: (model, reason) => logger.info({ model, reason }, 'predictions_skipped'),
      });
      for (const m of runs)
        logger.info(
          { model: m.model, aucHoldout: m.aucHoldout, rowsTrain: m.rowsTrain, rowsHoldout: m.rowsHoldout },
          'predictions_trained',
        );
    } catch (error) {
      if (error instanceof RecsTrainingError && /is missing/.test(error.message))
        logger.info({ reason: error.message }, 'predictions_not_ready');
      else logger.warn({ err: error }, 'predictions_failed');
    }
  };
  const tick = (): void => {
    running ??= train().finally(() => (running = undefined));
  };
  const first = setTimeout(tick, firstDelayMs);
  const timer = setInterval(tick, everyMs);
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
