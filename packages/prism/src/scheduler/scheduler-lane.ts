// One lane of the scheduler: a loop that runs its due datasets in dependency order (a pass), then looks after the
// tables the lane writes, then waits a tick. Continuous datasets have a lane and scheduled ones (`every …`,
// `cron: …`) another, so a gold full refresh of minutes never holds silver.events back, nor the reverse.
import { latestTableVersion, TableNotFoundError } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import type { LoadedDataset } from '../definition/dataset-definition.js';
import type { RunRecord } from '../engine/run-history.js';
import { runPipelines } from '../engine/run-pipelines.js';
import type { PipelineGraph } from '../graph/pipeline-graph.js';
import type { Logger } from '../logger.js';
import { nextDue } from './schedule.js';
import type { TableMaintenance } from './table-maintenance.js';

/** `continuous`: the datasets whose schedule is `continuous`; `scheduled`: the `every …` and `cron: …` ones. */
export type LaneName = 'continuous' | 'scheduled';

/** What the lanes of one scheduler share. */
export interface LaneContext {
  dataDir: string;
  graph: PipelineGraph;
  tickMs: number;
  logger: Logger;
  retries?: number;
  backoffMs?: number;
  memoryLimitBytes?: number;
  /** Aborted by the scheduler's stop(): a dataset waiting for its retry gives up. */
  signal: AbortSignal;
  /** Per dataset, so one map serves both lanes (a dataset is in one lane): see RunPipelinesOptions.unchanged. */
  unchanged: Map<string, string>;
  /** Per dataset: the start of its latest finished pass (when it is next due, and the scheduler's lag). */
  lastRun: Map<string, Date>;
  /** Counts commits to tables towards their packing, by whichever lane looks after them (lens.runs: both write it). */
  noteCommits(tables: readonly string[]): void;
  /** A pass recorded its runs. */
  onPass(due: readonly string[], records: RunRecord[]): void;
  /** A pass could not record its runs (lens.runs could not be written). */
  onPassFailure(error: unknown): void;
}

/** A lane's pass failure: the last pass's error, since the first failed pass of the ones in a row. */
export interface PassFailure {
  error: string;
  since: string;
}

/** Seconds the longest-waiting of `datasets` has been due (since its previous pass started, or `startedAt`). */
export function lagSeconds(
  datasets: readonly LoadedDataset[],
  lastRun: ReadonlyMap<string, Date>,
  startedAt: Date,
  now: Date,
): number {
  let oldest = now.getTime();
  for (const d of datasets) {
    const last = lastRun.get(d.name);
    const due = last === undefined ? startedAt : d.schedule === 'continuous' ? last : nextDue(d.schedule, last, last);
    oldest = Math.min(oldest, due.getTime());
  }
  return (now.getTime() - oldest) / 1000;
}

/** A lane: its datasets (in dependency order), the tables its upkeep covers, and its passes so far. */
export class SchedulerLane {
  #passes = 0;
  #lastPassAt: Date | undefined;
  #passStartedAt: Date | undefined;
  #passFailure: PassFailure | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  /**
   * Datasets whose latest run was skipped (an input did not exist yet): due again at the first tick at which all
   * their inputs have data, not only at their schedule's next time. Both lanes start together, so on a fresh data
   * directory the first scheduled pass may come before the continuous lane created silver.events: gold.content_daily
   * then waited 5 minutes for its next turn. Checking the inputs (their `_delta_log` listings) before running keeps a
   * dataset whose input stays missing at one skipped run per schedule period in lens.runs, as before.
   */
  readonly #waiting = new Set<string>();

  constructor(
    readonly name: LaneName,
    readonly datasets: readonly LoadedDataset[],
    /** Its own upkeep, over `tables` (see startScheduler for which tables and why that is safe). */
    readonly maintenance: TableMaintenance,
    readonly tables: readonly string[],
    private readonly context: LaneContext,
  ) {}

  /** Passes finished. */
  get passes(): number {
    return this.#passes;
  }

  /** End of the latest pass. */
  get lastPassAt(): Date | undefined {
    return this.#lastPassAt;
  }

  /** Start of the pass running now. */
  get passStartedAt(): Date | undefined {
    return this.#passStartedAt;
  }

  /** Set while the latest pass could not record its runs. */
  get passFailure(): PassFailure | undefined {
    return this.#passFailure;
  }

  /** Runs passes until stop(); rejects only on an unexpected error (a pass's own failures are caught). */
  async run(): Promise<void> {
    const { lastRun, tickMs } = this.context;
    while (!this.#stopping) {
      const now = new Date();
      const due: string[] = [];
      for (const d of this.datasets)
        if (
          nextDue(d.schedule, lastRun.get(d.name), now) <= now ||
          (this.#waiting.has(d.name) && (await this.#inputsWritten(d)))
        )
          due.push(d.name);
      if (due.length > 0) await this.#pass(due, now);
      if (!this.#stopping) await this.maintenance.runDue(this.tables);
      if (!this.#stopping)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, tickMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
    }
  }

  /** Ends the loop after the dataset running now (the caller aborts the shared signal to cut retries short). */
  stop(): void {
    this.#stopping = true;
    this.#wake?.();
  }

  async #pass(due: readonly string[], now: Date): Promise<void> {
    const c = this.context;
    this.#passStartedAt = now;
    try {
      const records = await runPipelines({
        dataDir: c.dataDir,
        graph: c.graph,
        names: due,
        logger: c.logger,
        signal: c.signal,
        unchanged: c.unchanged,
        ...(c.retries === undefined ? {} : { retries: c.retries }),
        ...(c.backoffMs === undefined ? {} : { backoffMs: c.backoffMs }),
        ...(c.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: c.memoryLimitBytes }),
      });
      for (const name of due) {
        c.lastRun.set(name, now);
        if (records.some((r) => r.pipeline === name && r.status === 'skipped')) this.#waiting.add(name);
        else this.#waiting.delete(name);
      }
      // Each run that wrote committed to its table, and the pass's records to lens.runs.
      const wrote = records.filter((r) => r.status === 'succeeded' && r.outputVersion !== null).map((r) => r.pipeline);
      c.noteCommits(records.length > 0 ? [...wrote, 'lens.runs'] : wrote);
      this.#passFailure = undefined;
      c.onPass(due, records);
    } catch (error) {
      // Only lens.runs itself failing lands here; the next tick retries.
      c.logger.error({ err: error, lane: this.name }, 'pipelines_tick_failed');
      this.#passFailure = {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        since: this.#passFailure?.since ?? new Date().toISOString(),
      };
      c.onPassFailure(error);
    }
    this.#passes++;
    this.#lastPassAt = new Date();
    this.#passStartedAt = undefined;
  }

  /**
   * Whether every input has a commit after its creation. A dataset's first run creates its table (version 0, no
   * rows) and then commits its rows: a dependent run in between would read the input empty, succeed with nothing,
   * and wait for its next turn.
   */
  async #inputsWritten(dataset: LoadedDataset): Promise<boolean> {
    const versions = await Promise.all(
      dataset.inputs.map((input) =>
        latestTableVersion(lakeTablePath(this.context.dataDir, input)).catch((error: unknown) => {
          if (error instanceof TableNotFoundError) return -1;
          throw error;
        }),
      ),
    );
    return versions.every((v) => v >= 1);
  }
}
