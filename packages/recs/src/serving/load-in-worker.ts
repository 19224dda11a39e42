// A store load on a worker thread: `loadRecommendationsInWorker` runs `loadRecommendations` there with a store of
// its own (its own SQLite connection, or DynamoDB client), so that a server reloading never runs the load's DuckDB
// row conversions or its synchronous SQLite writes on the thread that answers requests. Versions are immutable and
// the pointer is read through the serving store's cache, so the serving side needs nothing from the worker but its
// result.
import { Worker } from 'node:worker_threads';
import type { LensError } from '@lens/protocol';
import { KeyValueStoreError, RecsTrainingError } from '../errors.js';
import type { KvOptions } from '../kv/create-key-value-store.js';
import type { LoadOptions, LoadResult } from './load-recommendations.js';

/** Options of `loadRecommendationsInWorker`: those of `loadRecommendations`, with the store as adapter options. */
export type WorkerLoadOptions = Omit<LoadOptions, 'store' | 'now'> & { kv: KvOptions };

/** What the worker (load-worker-entry.ts) posts back, once. */
export type LoadWorkerReply =
  | { ok: true; result: LoadResult }
  | { ok: false; error: { name: string; message: string; context: Record<string, unknown> } };

/** The errors a load throws that its caller tells apart, rebuilt on this side of the thread boundary. */
const ERRORS: Record<string, new (message: string, options: { context: Record<string, unknown> }) => LensError> = {
  RecsTrainingError,
  KeyValueStoreError,
};

/**
 * Runs `loadRecommendations` on a worker thread; resolves with its result, or rejects with its error (a
 * RecsTrainingError or KeyValueStoreError as such, with its context). `signal` aborted: the worker is terminated (an
 * unswapped version is left half-written; the next load writes it again).
 * @example await loadRecommendationsInWorker({ dataDir, kv: kvOptionsFromConfig(config.recs, dataDir) });
 */
export function loadRecommendationsInWorker(options: WorkerLoadOptions, signal?: AbortSignal): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker-entry.js', import.meta.url), { workerData: options });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      fn();
    };
    const abort = (): void => {
      settle(() =>
        reject(new RecsTrainingError('load stopped before it finished', { context: { step: 'load-aborted' } })),
      );
      void worker.terminate();
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort);
    worker.once('message', (reply: LoadWorkerReply) => {
      if (reply.ok) settle(() => resolve(reply.result));
      else {
        const Rebuilt = ERRORS[reply.error.name];
        const error = Rebuilt
          ? new Rebuilt(reply.error.message, { context: reply.error.context })
          : new Error(reply.error.message);
        settle(() => reject(error));
      }
    });
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) =>
      settle(() =>
        reject(new RecsTrainingError(`load worker exited (${code}) without a result`, { context: { step: 'load' } })),
      ),
    );
  });
}
