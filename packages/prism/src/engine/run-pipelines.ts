// Runs a selection of datasets in dependency order. A failing dataset is retried with exponential backoff,
// then recorded as failed with its error; the others still run. Every run that did something goes to lens.runs.
import { latestTableVersion, TableNotFoundError } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { ExpectationFailedError, PipelineRunError } from '../errors.js';
import type { PipelineGraph } from '../graph/pipeline-graph.js';
import { noopLogger, type Logger } from '../logger.js';
import type { ReadMode } from './input-views.js';
import { recordRuns, type RunRecord } from './run-history.js';
import { runDataset } from './run-dataset.js';
import { randomUUID } from 'node:crypto';

/** Options of `runPipelines`. */
export interface RunPipelinesOptions {
  dataDir: string;
  graph: PipelineGraph;
  /** Dataset names to run (default all), in any order; they run in dependency order. */
  names?: readonly string[];
  /** Default incremental. */
  mode?: ReadMode;
  /** Attempts after the first for a failing dataset (default 2), waiting backoffMs × 2^n between. */
  retries?: number;
  backoffMs?: number;
  logger?: Logger;
  /** Write lens.runs (default true). */
  record?: boolean;
  /**
   * Stops between datasets and cuts a retry's wait short (a scheduler stopping): the dataset waiting for its
   * retry is recorded as failed, the ones not started are left for the next run.
   */
  signal?: AbortSignal;
  /**
   * Kept by a long-running caller (the scheduler) across calls: per dataset, the table versions (inputs and
   * output) an incremental run last found nothing new in, or finished on. While they stay the same the dataset is
   * skipped without opening DuckDB or loading a snapshot — such a run would do nothing (it is what an incremental
   * run with no new input does), and checking cost an idle `lens up` a large share of a core.
   */
  unchanged?: Map<string, string>;
  /**
   * DuckDB's memory_limit for each dataset's run, in bytes (default: DuckDB's, 80 % of the machine); past it a run
   * spills to `<dataDir>/tmp/prism`.
   */
  memoryLimitBytes?: number;
}

/**
 * Runs datasets once each; resolves with their records (noop incremental runs are left out).
 * @example await runPipelines({ dataDir: './lens-data', graph: buildGraph(loadDefinitions()) });
 */
export async function runPipelines(options: RunPipelinesOptions): Promise<RunRecord[]> {
  const logger = options.logger ?? noopLogger;
  const selected = options.names ? new Set(options.names) : undefined;
  const records: RunRecord[] = [];
  const stopped = (): boolean => options.signal?.aborted === true;
  const retries = options.retries ?? 2;
  const mode = options.mode ?? { kind: 'incremental' };
  for (const dataset of options.graph.ordered) {
    if (stopped()) break;
    if (selected && !selected.has(dataset.name)) continue;
    // Read before the run: a table that moves during it makes the next call look again.
    const versions =
      options.unchanged && mode.kind === 'incremental' ? await tableVersions(options.dataDir, dataset) : undefined;
    if (versions !== undefined && options.unchanged!.get(dataset.name) === versions) {
      logger.debug({ pipeline: dataset.name }, 'pipeline_unchanged_skipped');
      continue;
    }
    for (let attempt = 1; ; attempt++) {
      const startedAt = new Date();
      const effective: { mode?: RunRecord['mode'] } = {};
      try {
        const record = await runDataset(options.dataDir, dataset, mode, attempt, effective, options.memoryLimitBytes);
        if (record) {
          records.push(record);
          // Every run is in lens.runs (`lens pipelines history`); at info each continuous run's line (one a second
          // per dataset under traffic) buried `lens up`'s banner and write key within seconds. A skipped run says why.
          logger[record.status === 'succeeded' ? 'debug' : 'info'](
            {
              pipeline: dataset.name,
              status: record.status,
              rowsIn: record.rowsIn,
              rowsOut: record.rowsOut,
              ms: record.endedAt.getTime() - startedAt.getTime(),
              ...(record.error ? { reason: record.error } : {}),
            },
            'pipeline_run',
          );
        }
        if (versions !== undefined) options.unchanged!.set(dataset.name, versions);
        break;
      } catch (error) {
        // A failed expectation, or a run error that says it is not retriable (a column type Delta cannot store, a
        // changed output schema), fails the same way again: retrying only delayed every later dataset 3 s.
        let final =
          attempt > retries ||
          error instanceof ExpectationFailedError ||
          (error instanceof PipelineRunError && !error.retriable) ||
          stopped();
        logger[final ? 'error' : 'warn'](
          { pipeline: dataset.name, attempt, err: error },
          final ? 'pipeline_failed' : 'pipeline_retrying',
        );
        if (!final) {
          await abortableSleep((options.backoffMs ?? 1000) * 2 ** (attempt - 1), options.signal);
          final = stopped();
          if (final) logger.error({ pipeline: dataset.name, attempt, err: error }, 'pipeline_failed_stopping');
        }
        if (final) {
          records.push({
            runId: randomUUID(),
            pipeline: dataset.name,
            // The mode the run took (a first incremental run is a full refresh), once it was known.
            mode: effective.mode ?? modeName(mode),
            status: 'failed',
            attempt,
            startedAt,
            endedAt: new Date(),
            inputVersions: {},
            outputVersion: null,
            rowsIn: 0,
            rowsOut: 0,
            rowsDeleted: 0,
            // A failed expectation's run keeps the counts of the expectations it checked (the failing one's too).
            expectations: error instanceof ExpectationFailedError ? [...error.results] : [],
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
          break;
        }
      }
    }
  }
  if (options.record !== false) await recordRuns(options.dataDir, records);
  return records;
}

/** The latest versions of a dataset's inputs and output (-1: no table yet), as one string. */
async function tableVersions(dataDir: string, dataset: PipelineGraph['ordered'][number]): Promise<string> {
  const latest = (name: string): Promise<number> =>
    latestTableVersion(lakeTablePath(dataDir, name)).catch((error: unknown) => {
      if (error instanceof TableNotFoundError) return -1;
      throw error;
    });
  const names = [dataset.name, ...dataset.inputs];
  return (await Promise.all(names.map(async (n) => `${n}@${await latest(n)}`))).join(' ');
}

/** Waits `ms`, or less when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function modeName(mode: ReadMode | undefined): RunRecord['mode'] {
  return mode?.kind === 'full' ? 'full_refresh' : mode?.kind === 'backfill' ? 'backfill' : 'incremental';
}
