// The continuous scheduler `lens up` and `lens pipelines run --continuous` run, in two lanes that never wait for
// each other: continuous datasets in one, scheduled ones (`every …`, `cron: …`) in the other; in each, every tick,
// the due datasets run in dependency order (incremental; a dataset without new input is a cheap no-op). It keeps
// what its ops endpoint reports: health (running, failing pipelines, a failed pass) and, given `metrics`, Prometheus.
import type { RunRecord } from '../engine/run-history.js';
import type { PipelineGraph } from '../graph/pipeline-graph.js';
import { noopLogger, type Logger } from '../logger.js';
import { lagSeconds, SchedulerLane, type LaneContext, type LaneName, type PassFailure } from './scheduler-lane.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';
import { TableMaintenance, type MaintenanceOptions } from './table-maintenance.js';

/** Options of the scheduler. */
export interface SchedulerOptions {
  dataDir: string;
  graph: PipelineGraph;
  /** Pause between ticks (default 500 ms). */
  tickMs?: number;
  logger?: Logger;
  /** Called with each pass's records, of either lane (tests, metrics). */
  onRuns?: (records: RunRecord[]) => void;
  /** Upkeep of the datasets' tables and lens.runs, each lane's between its passes: compaction and vacuum (see table-maintenance.ts). */
  maintenance?: MaintenanceOptions;
  /** Attempts after the first for a failing dataset, and the first wait between them (runPipelines' defaults: 2, 1 s). */
  retries?: number;
  backoffMs?: number;
  /** Fed with every pass's run records; its lag and failing gauges read this scheduler. */
  metrics?: SchedulerMetrics;
  /** DuckDB's memory_limit for each run, in bytes (see RunPipelinesOptions.memoryLimitBytes). */
  memoryLimitBytes?: number;
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

/** One lane's share of the health: the same fields, over its own pipelines and passes. */
export interface LaneHealth {
  /** Pipelines in the lane. */
  pipelines: number;
  passes: number;
  lastPassAt: string | null;
  passStartedAt: string | null;
  lagSeconds: number;
  passFailure?: PassFailure;
}

/**
 * What GET /health of the pipelines role answers. Ready: both lanes run (not stopping, not crashed), each lane's
 * last pass recorded its runs (lens.runs could be written) and no pipeline's latest run failed. A pipeline is failing
 * from its first failed run (after the retries) until a later pass of its lane finds it fine: a run that succeeds or
 * is skipped, or a check finding nothing to do. A long pass is not a failure (a full refresh may take minutes):
 * `passStartedAt` and `lagSeconds` show it. The top-level pass fields cover both lanes; `lanes` has each one's.
 */
export interface SchedulerHealth {
  ready: boolean;
  state: 'running' | 'stopping' | 'stopped' | 'crashed';
  startedAt: string;
  /** Passes finished, by both lanes together (a pass runs the lane's pipelines that are due). */
  passes: number;
  /** End of the latest pass of either lane, null before the first. */
  lastPassAt: string | null;
  /** Start of the oldest pass running now (a long scheduled pass shows here though the continuous lane goes on), null when neither lane is in a pass. */
  passStartedAt: string | null;
  /**
   * How long the longest-waiting due pipeline, of either lane, has been due without its pass finishing
   * (lens_pipelines_scheduler_lag_seconds); each lane's in `lanes` (lens_pipelines_lane_lag_seconds{lane}).
   */
  lagSeconds: number;
  pipelines: number;
  /** Each lane's passes and lag: `continuous` (schedule: continuous) and `scheduled` (every …, cron: …). */
  lanes: Record<LaneName, LaneHealth>;
  failing?: FailingPipeline[];
  /** A lane's last pass failed as a whole (its runs could not be recorded), since the first of the ones in a row (the earlier lane's, if both). */
  passFailure?: PassFailure;
  /** Why the loop ended (state 'crashed'). */
  crash?: string;
}

/** A running scheduler. */
export interface RunningScheduler {
  /** Finishes the dataset running now in each lane (no retry, no further dataset) and stops both lanes. */
  stop(): Promise<void>;
  /** Readiness and what it rests on (cheap: the scheduler's own state, no lake access). */
  health(): SchedulerHealth;
}

/**
 * Starts both lanes, ticking until `stop()`.
 *
 * A dataset reading a table of the other lane (silver.sessions, scheduled, reads silver.events, continuous) needs
 * no ordering across lanes: a run pins each input at its latest committed version before reading it
 * (registerInputViews: `snapshot()`, then `scan({ version })` and `changes(processed, version)`), and commits that
 * version in its txn marker; a Delta commit is one log entry, seen whole or not at all, so what the other lane
 * commits during the run is the next run's `incoming`, never half-read. A dataset is in one lane only, so a
 * dataset never runs twice at once; within a lane dependency order holds.
 *
 * @example const s = startScheduler({ dataDir, graph }); …; await s.stop();
 */
export function startScheduler(options: SchedulerOptions): RunningScheduler {
  const logger = options.logger ?? noopLogger;
  const startedAt = new Date();
  let state: SchedulerHealth['state'] = 'running';
  let crash: string | undefined;
  const failing = new Map<string, FailingPipeline>();
  /** Aborted by stop(): a dataset waiting to retry gives up at once (stop waited out the backoff, ~10 s). */
  const stop = new AbortController();
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
  const continuous = options.graph.ordered.filter((d) => d.schedule === 'continuous');
  const scheduled = options.graph.ordered.filter((d) => d.schedule !== 'continuous');
  // Table upkeep (OPTIMIZE, VACUUM) runs in each lane between its own passes, over the tables that lane writes, so
  // a dataset's table is never compacted while its own run writes it (as with one loop). lens.runs, which both lanes
  // append to, goes with the continuous lane, so it is packed while the scheduled lane may append to it: safe, as a
  // blind append and a compaction commute under @lens/lake's optimistic commits (the append reads and removes no
  // file; OPTIMIZE removes only the files it read, and a lost race re-checks the winner and retries one version
  // later), and VACUUM deletes only files unreferenced for the table's retention (7 days), never a file an append is
  // about to commit. A lane reading the other lane's tables reads pinned versions, whose files compaction removes
  // from the log but leaves on disk until that retention has passed.
  const upkeep: Record<LaneName, TableMaintenance> = {
    continuous: new TableMaintenance(options.dataDir, options.maintenance ?? {}, logger),
    scheduled: new TableMaintenance(options.dataDir, options.maintenance ?? {}, logger),
  };
  const scheduledNames = new Set(scheduled.map((d) => d.name));
  const context: LaneContext = {
    dataDir: options.dataDir,
    graph: options.graph,
    tickMs: options.tickMs ?? 500,
    logger,
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
    ...(options.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: options.memoryLimitBytes }),
    signal: stop.signal,
    unchanged: new Map(),
    lastRun: new Map(),
    noteCommits: (tables) => {
      for (const t of tables) upkeep[scheduledNames.has(t) ? 'scheduled' : 'continuous'].noteCommits([t]);
    },
    onPass: (due, records) => {
      noteOutcomes(due, records);
      options.metrics?.observe(records);
      options.onRuns?.(records);
    },
    onPassFailure: () => options.metrics?.passFailures.inc(),
  };
  const lanes: Record<LaneName, SchedulerLane> = {
    continuous: new SchedulerLane(
      'continuous',
      continuous,
      upkeep.continuous,
      [...names(continuous), 'lens.runs'],
      context,
    ),
    scheduled: new SchedulerLane('scheduled', scheduled, upkeep.scheduled, names(scheduled), context),
  };
  const all = [lanes.continuous, lanes.scheduled];
  const laneLag = (lane: SchedulerLane, now: Date): number =>
    lagSeconds(lane.datasets, context.lastRun, startedAt, now);
  options.metrics?.bind({
    lagSeconds: () => Math.max(...all.map((l) => laneLag(l, new Date()))),
    laneLagSeconds: () => ({
      continuous: laneLag(lanes.continuous, new Date()),
      scheduled: laneLag(lanes.scheduled, new Date()),
    }),
    failing: () => failing.size,
  });
  const loop = Promise.allSettled(
    all.map((lane) =>
      lane.run().catch((error: unknown) => {
        // Not expected (a pass's own failures are caught): health says the scheduler is gone, and the other lane
        // stops after its running dataset, so that a scheduler is never half running.
        if (crash === undefined) crash = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        state = 'crashed';
        logger.error({ err: error, lane: lane.name }, 'pipelines_scheduler_crashed');
        for (const l of all) l.stop();
        stop.abort();
        throw error;
      }),
    ),
  ).then((results) => {
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // The error goes on unhandled, so the role's process ends and its supervisor (lens up) starts it again.
    if (failed) throw failed.reason;
    state = 'stopped';
  });
  const laneHealth = (lane: SchedulerLane, now: Date): LaneHealth => ({
    pipelines: lane.datasets.length,
    passes: lane.passes,
    lastPassAt: lane.lastPassAt?.toISOString() ?? null,
    passStartedAt: lane.passStartedAt?.toISOString() ?? null,
    lagSeconds: laneLag(lane, now),
    ...(lane.passFailure ? { passFailure: lane.passFailure } : {}),
  });
  return {
    async stop() {
      if (state === 'running') state = 'stopping';
      for (const lane of all) lane.stop();
      stop.abort();
      await loop;
    },
    health() {
      const now = new Date();
      const failures = [...failing.values()];
      /** The latest (or earliest) of the lanes' times, null when no lane has one. */
      const pick = (dates: (Date | undefined)[], latest: boolean): string | null => {
        const times = dates.filter((d): d is Date => d !== undefined).map((d) => d.getTime());
        return times.length === 0 ? null : new Date(latest ? Math.max(...times) : Math.min(...times)).toISOString();
      };
      const passFailure = all
        .map((l) => l.passFailure)
        .filter((f): f is PassFailure => f !== undefined)
        .sort((a, b) => a.since.localeCompare(b.since))[0];
      return {
        ready: state === 'running' && failures.length === 0 && passFailure === undefined,
        state,
        startedAt: startedAt.toISOString(),
        passes: all.reduce((n, l) => n + l.passes, 0),
        lastPassAt: pick(
          all.map((l) => l.lastPassAt),
          true,
        ),
        passStartedAt: pick(
          all.map((l) => l.passStartedAt),
          false,
        ),
        lagSeconds: Math.max(...all.map((l) => laneLag(l, now))),
        pipelines: options.graph.ordered.length,
        lanes: { continuous: laneHealth(lanes.continuous, now), scheduled: laneHealth(lanes.scheduled, now) },
        ...(failures.length > 0 ? { failing: failures } : {}),
        ...(passFailure ? { passFailure } : {}),
        ...(crash ? { crash } : {}),
      };
    },
  };
}

const names = (datasets: readonly { name: string }[]): string[] => datasets.map((d) => d.name);
