// Runs a selection of datasets in dependency order. A failing dataset is retried with exponential backoff,
// then recorded as failed with its error; the others still run. Every run that did something goes to lens.runs.
import { ExpectationFailedError } from '../errors.js';
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
  for (const dataset of options.graph.ordered) {
    if (stopped()) break;
    if (selected && !selected.has(dataset.name)) continue;
    const retries = options.retries ?? 2;
    for (let attempt = 1; ; attempt++) {
      const startedAt = new Date();
      try {
        const record = await runDataset(options.dataDir, dataset, options.mode ?? { kind: 'incremental' }, attempt);
        if (record) {
          records.push(record);
          logger.info(
            {
              pipeline: dataset.name,
              status: record.status,
              rowsIn: record.rowsIn,
              rowsOut: record.rowsOut,
              ms: record.endedAt.getTime() - startedAt.getTime(),
            },
            'pipeline_run',
          );
        }
        break;
      } catch (error) {
        let final = attempt > retries || error instanceof ExpectationFailedError || stopped();
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
            mode: modeName(options.mode),
            status: 'failed',
            attempt,
            startedAt,
            endedAt: new Date(),
            inputVersions: {},
            outputVersion: null,
            rowsIn: 0,
            rowsOut: 0,
            rowsDeleted: 0,
            expectations: [],
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
