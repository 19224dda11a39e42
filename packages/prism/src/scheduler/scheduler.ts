// The continuous scheduler `lens up` and `lens pipelines run --continuous` run: every tick, the datasets that
// are due run in dependency order (incremental; a dataset without new input is a cheap no-op). It keeps what
// its ops endpoint reports: health (running, failing pipelines, a failed pass) and, given `metrics`, Prometheus.
import { runPipelines } from '../engine/run-pipelines.js';
import type { RunRecord } from '../engine/run-history.js';
import type { PipelineGraph } from '../graph/pipeline-graph.js';
import { noopLogger, type Logger } from '../logger.js';
import { nextDue } from './schedule.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';
import { TableMaintenance, type MaintenanceOptions } from './table-maintenance.js';

/** Options of the scheduler. */
export interface SchedulerOptions {
  dataDir: string;
  graph: PipelineGraph;
  /** Pause between ticks (default 500 ms). */
  tickMs?: number;
  logger?: Logger;
  /** Called with each tick's records (tests, metrics). */
  onRuns?: (records: RunRecord[]) => void;
  /** Upkeep of the datasets' tables and lens.runs between ticks: compaction and vacuum (see table-maintenance.ts). */
  maintenance?: MaintenanceOptions;
  /** Attempts after the first for a failing dataset, and the first wait between them (runPipelines' defaults: 2, 1 s). */
  retries?: number;
  backoffMs?: number;
  /** Fed with every pass's run records; its lag and failing gauges read this scheduler. */
  metrics?: SchedulerMetrics;
}

/** A pipeline whose latest run failed (after its retries). */
export interface FailingPipeline {
  pipeline: string;
  /** The latest failed run's error. */
  error: string;
  /** End of the first failed run of the ones in a row (no succeeded run since). */
  since: string;
  /** Failed runs in a row. */
  failedRuns: number;
}

/**
 * What GET /health of the pipelines role answers. Ready: the loop runs (not stopping, not crashed), the last pass
 * recorded its runs (lens.runs could be written) and no pipeline's latest run failed. A pipeline is failing from
 * its first failed run (after the retries) until a later pass finds it fine: a run that succeeds or is skipped, or
 * a check finding nothing to do. A long pass is not a failure (a full refresh may take minutes): `passStartedAt`
 * and `lagSeconds` show it.
 */
export interface SchedulerHealth {
  ready: boolean;
  state: 'running' | 'stopping' | 'stopped' | 'crashed';
  startedAt: string;
  /** Passes finished (a pass runs the pipelines that are due). */
  passes: number;
  /** End of the latest pass, null before the first. */
  lastPassAt: string | null;
  /** Start of the pass running now, null between passes. */
  passStartedAt: string | null;
  /** How long the longest-waiting due pipeline has been due without its pass finishing (lens_pipelines_scheduler_lag_seconds). */
  lagSeconds: number;
  pipelines: number;
  failing?: FailingPipeline[];
  /** The last pass failed as a whole (its runs could not be recorded), since the first of the ones in a row. */
  passFailure?: { error: string; since: string };
  /** Why the loop ended (state 'crashed'). */
  crash?: string;
}

/** A running scheduler. */
export interface RunningScheduler {
  /** Finishes the dataset running now (no retry, no further dataset) and stops. */
  stop(): Promise<void>;
  /** Readiness and what it rests on (cheap: the scheduler's own state, no lake access). */
  health(): SchedulerHealth;
}

/**
 * Starts ticking until `stop()`.
 * @example const s = startScheduler({ dataDir, graph }); …; await s.stop();
 */
export function startScheduler(options: SchedulerOptions): RunningScheduler {
  const logger = options.logger ?? noopLogger;
  const lastRun = new Map<string, Date>();
  const startedAt = new Date();
  let stopping = false;
  let state: SchedulerHealth['state'] = 'running';
  let crash: string | undefined;
  let passes = 0;
  let lastPassAt: Date | undefined;
  let passStartedAt: Date | undefined;
  let passFailure: { error: string; since: string } | undefined;
  const failing = new Map<string, FailingPipeline>();
  let wake: (() => void) | undefined;
  /** Aborted by stop(): a dataset waiting to retry gives up at once (stop waited out the backoff, ~10 s). */
  const stop = new AbortController();
  /** Datasets whose tables have not moved since their last run are skipped (see RunPipelinesOptions.unchanged). */
  const unchanged = new Map<string, string>();
  const maintenance = new TableMaintenance(options.dataDir, options.maintenance ?? {}, logger);
  const tables = [...options.graph.ordered.map((d) => d.name), 'lens.runs'];
  /** Seconds the longest-waiting pipeline has been due (since its previous pass started, or since start-up). */
  const lagSeconds = (now = new Date()): number => {
    let oldest = now.getTime();
    for (const d of options.graph.ordered) {
      const last = lastRun.get(d.name);
      const due = last === undefined ? startedAt : d.schedule === 'continuous' ? last : nextDue(d.schedule, last, last);
      oldest = Math.min(oldest, due.getTime());
    }
    return (now.getTime() - oldest) / 1000;
  };
  /** Which due pipelines fail now: those with a failed record; the others of the pass are fine. */
  const noteOutcomes = (due: readonly string[], records: readonly RunRecord[]): void => {
    for (const name of due) {
      const failed = records.find((r) => r.pipeline === name && r.status === 'failed');
      if (failed === undefined) {
        // Stopping cut the pass short: the datasets it did not reach say nothing.
        if (!stop.signal.aborted) failing.delete(name);
        continue;
      }
      const before = failing.get(name);
      failing.set(name, {
        pipeline: name,
        error: failed.error ?? 'failed',
        since: before?.since ?? failed.endedAt.toISOString(),
        failedRuns: (before?.failedRuns ?? 0) + 1,
      });
    }
  };
  options.metrics?.bind({ lagSeconds: () => lagSeconds(), failing: () => failing.size });
  const loop = (async () => {
    while (!stopping) {
      const now = new Date();
      const due = options.graph.ordered
        .filter((d) => nextDue(d.schedule, lastRun.get(d.name), now) <= now)
        .map((d) => d.name);
      if (due.length > 0) {
        passStartedAt = now;
        try {
          const records = await runPipelines({
            dataDir: options.dataDir,
            graph: options.graph,
            names: due,
            logger,
            signal: stop.signal,
            unchanged,
            ...(options.retries === undefined ? {} : { retries: options.retries }),
            ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
          });
          for (const name of due) lastRun.set(name, now);
          // Each run that wrote committed to its table, and the tick's records to lens.runs.
          const wrote = records
            .filter((r) => r.status === 'succeeded' && r.outputVersion !== null)
            .map((r) => r.pipeline);
          maintenance.noteCommits(records.length > 0 ? [...wrote, 'lens.runs'] : wrote);
          noteOutcomes(due, records);
          passFailure = undefined;
          options.metrics?.observe(records);
          options.onRuns?.(records);
        } catch (error) {
          // Only lens.runs itself failing lands here; the next tick retries.
          logger.error({ err: error }, 'pipelines_tick_failed');
          options.metrics?.passFailures.inc();
          passFailure = {
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            since: passFailure?.since ?? new Date().toISOString(),
          };
        }
        passes++;
        lastPassAt = new Date();
        passStartedAt = undefined;
      }
      if (!stopping) await maintenance.runDue(tables);
      if (!stopping)
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, options.tickMs ?? 500);
        });
    }
  })().then(
    () => {
      state = 'stopped';
    },
    (error: unknown) => {
      // Not expected (a pass's own failures are caught above): health says the scheduler is gone, and the error
      // goes on unhandled, so the role's process ends and its supervisor (lens up) starts it again.
      state = 'crashed';
      crash = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      logger.error({ err: error }, 'pipelines_scheduler_crashed');
      throw error;
    },
  );
  return {
    async stop() {
      stopping = true;
      if (state === 'running') state = 'stopping';
      stop.abort();
      wake?.();
      await loop;
    },
    health() {
      const failures = [...failing.values()];
      return {
        ready: state === 'running' && failures.length === 0 && passFailure === undefined,
        state,
        startedAt: startedAt.toISOString(),
        passes,
        lastPassAt: lastPassAt?.toISOString() ?? null,
        passStartedAt: passStartedAt?.toISOString() ?? null,
        lagSeconds: lagSeconds(),
        pipelines: options.graph.ordered.length,
        ...(failures.length > 0 ? { failing: failures } : {}),
        ...(passFailure ? { passFailure } : {}),
        ...(crash ? { crash } : {}),
      };
    },
  };
}
