// The continuous scheduler `lens up` and `lens pipelines run --continuous` run: every tick, the datasets that
// are due run in dependency order (incremental; a dataset without new input is a cheap no-op).
import { runPipelines } from '../engine/run-pipelines.js';
import type { RunRecord } from '../engine/run-history.js';
import type { PipelineGraph } from '../graph/pipeline-graph.js';
import { noopLogger, type Logger } from '../logger.js';
import { nextDue } from './schedule.js';
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
}

/** A running scheduler. */
export interface RunningScheduler {
  /** Finishes the dataset running now (no retry, no further dataset) and stops. */
  stop(): Promise<void>;
}

/**
 * Starts ticking until `stop()`.
 * @example const s = startScheduler({ dataDir, graph }); …; await s.stop();
 */
export function startScheduler(options: SchedulerOptions): RunningScheduler {
  const logger = options.logger ?? noopLogger;
  const lastRun = new Map<string, Date>();
  let stopping = false;
  let wake: (() => void) | undefined;
  /** Aborted by stop(): a dataset waiting to retry gives up at once (stop waited out the backoff, ~10 s). */
  const stop = new AbortController();
  /** Datasets whose tables have not moved since their last run are skipped (see RunPipelinesOptions.unchanged). */
  const unchanged = new Map<string, string>();
  const maintenance = new TableMaintenance(options.dataDir, options.maintenance ?? {}, logger);
  const tables = [...options.graph.ordered.map((d) => d.name), 'lens.runs'];
  const loop = (async () => {
    while (!stopping) {
      const now = new Date();
      const due = options.graph.ordered
        .filter((d) => nextDue(d.schedule, lastRun.get(d.name), now) <= now)
        .map((d) => d.name);
      if (due.length > 0) {
        try {
          const records = await runPipelines({
            dataDir: options.dataDir,
            graph: options.graph,
            names: due,
            logger,
            signal: stop.signal,
            unchanged,
          });
          for (const name of due) lastRun.set(name, now);
          // Each run that wrote committed to its table, and the tick's records to lens.runs.
          const wrote = records
            .filter((r) => r.status === 'succeeded' && r.outputVersion !== null)
            .map((r) => r.pipeline);
          maintenance.noteCommits(records.length > 0 ? [...wrote, 'lens.runs'] : wrote);
          options.onRuns?.(records);
        } catch (error) {
          // Only lens.runs itself failing lands here; the next tick retries.
          logger.error({ err: error }, 'pipelines_tick_failed');
        }
      }
      if (!stopping) await maintenance.runDue(tables);
      if (!stopping)
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, options.tickMs ?? 500);
        });
    }
  })();
  return {
    async stop() {
      stopping = true;
      stop.abort();
      wake?.();
      await loop;
    },
  };
}
