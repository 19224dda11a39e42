// What `lens server` (and the server inside `lens up`) mounts besides the API: the recommendations API
// (`GET /v1/recommendations`, served from the key-value store, which a refresher reloads from the gold tables
// whenever training produced new versions; served lists go to lens.served_recommendations, written before the
// server stops) and the dashboard's production build at `/`.
import { dashboardPlugin } from '@lens/dashboard';
import { join } from 'node:path';
import { pipelinesMemoryBytes, type LensConfig, type Logger } from '@lens/protocol';
import {
  createDeltaServedListLog,
  kvOptionsFromConfig,
  loadRecommendationsInWorker,
  openRecsStore,
  readPointer,
  RECOMMENDATIONS_PATH,
  recommendationsOpenApi,
  recommendationsPlugin,
  RecsTrainingError,
  type WorkerLoadOptions,
} from '@lens/recs';
import type { HealthCheck, ServerPlugin } from '@lens/server';
import type { FastifyInstance } from 'fastify';

/** How often the server looks for newly trained recommendations (loading skips unchanged versions). */
const RECS_REFRESH_MS = 30_000;
/** How long a stopping server waits for a store load in progress (the supervisor kills a role after 10 s). */
const CLOSE_GRACE_MS = 5_000;

/**
 * What each reload does (on a worker thread with a store connection of its own), fixed by the configuration. Its
 * DuckDB gets one thread, so that the serving thread keeps a core (measured before loads moved to a worker thread: a
 * whole 51,000-key load during a 50-connection load, p99 3 ms against 5 ms with DuckDB's default of every core, in the
 * same 5 s), limited like a pipeline run (`pipelines.memoryLimit`) and spilling under `<data>/tmp/recs`.
 */
function reloadOptions(config: LensConfig): WorkerLoadOptions {
  return {
    dataDir: config.dataDir,
    kv: kvOptionsFromConfig(config.recs, config.dataDir),
    keepVersions: config.recs.keepVersions,
    session: {
      threads: 1,
      memoryLimitBytes: pipelinesMemoryBytes(config.pipelines),
      spillUnder: join(config.dataDir, 'tmp', 'recs'),
    },
  };
}

/** The plugins of a Lens server for this configuration. */
export async function serverPlugins(config: LensConfig, logger: Logger): Promise<ServerPlugin[]> {
  const store = await openRecsStore(config.recs, config.dataDir);
  const servedLog = createDeltaServedListLog({
    dataDir: config.dataDir,
    onError: (error) => logger.warn({ err: error }, 'recs_served_lists_not_written'),
  });
  const recs = recommendationsPlugin({
    store,
    servedLog,
    maxK: config.recs.maxK,
    defaultK: config.recs.k,
    corsOrigins: config.recs.cors.origins,
    ageLimits: config.recs.maxAgeHours,
  });
  let closing = false;
  let refreshing: Promise<void> | undefined;
  const stopLoad = new AbortController();
  const reload = reloadOptions(config);
  /** What the server's GET /health says of the store, after each refresh (until the first: still loading). */
  let recsHealth: HealthCheck = { ok: true, loaded: false, state: 'loading' };
  const refresh = (): Promise<void> => (refreshing ??= load().finally(() => (refreshing = undefined)));
  const load = async (): Promise<void> => {
    let state: 'loaded' | 'unchanged' | 'not_trained' | 'failed';
    let failure: string | undefined;
    try {
      // On a worker thread with a store connection of its own: the load's row conversions and synchronous SQLite
      // writes stalled this thread for up to ~100 ms at a time.
      const result = await loadRecommendationsInWorker(reload, stopLoad.signal);
      state = result.status;
      if (result.status !== 'unchanged') logger.info({ ...result }, 'recs_loaded');
    } catch (error) {
      state = 'failed';
      // Before the first training run the gold tables do not exist yet: expected, the API answers 503 meanwhile.
      // Anything else (the store unreachable, its table gone) leaves stale lists served: say so.
      if (error instanceof RecsTrainingError && error.context['step'] === 'load') {
        state = 'not_trained';
        logger.debug({ err: error }, 'recs_not_loaded');
      }
      // Stopping cut a load short (its worker stopped): the next start loads that version again.
      else if (closing) logger.info({ err: error }, 'recs_load_interrupted_by_stop');
      else logger.warn({ err: error }, 'recs_refresh_failed');
      failure = error instanceof Error ? error.message : String(error);
    }
    if (closing) return;
    // Whether the API serves: the store's pointer (a version loaded earlier still serves while training has not run).
    try {
      const pointer = await readPointer(store);
      recsHealth = {
        ok: state !== 'failed',
        loaded: pointer !== undefined,
        state,
        ...(pointer === undefined
          ? {}
          : { version: pointer.version, loadedAt: new Date(pointer.loadedAt).toISOString() }),
        ...(failure === undefined ? {} : { error: failure }),
      };
    } catch (error) {
      recsHealth = { ok: false, loaded: false, state: 'failed', error: (error as Error).message };
    }
  };
  const recsLifecycle = async (app: FastifyInstance): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      void refresh();
      timer = setInterval(() => void refresh(), RECS_REFRESH_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      closing = true;
      await servedLog.close(); // the lists served since the last write are written before the server stops
      // A load in progress gets a few seconds to finish; a large one is then stopped (its worker terminated; the
      // version it was writing is not served, and the next start loads it again).
      if (refreshing) await Promise.race([refreshing, new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS))]);
      stopLoad.abort();
      await refreshing?.catch(() => {});
      await store.close();
    });
  };
  return [
    // GET /v1/recommendations is also answered in front of Fastify (same answers, metrics and log; see ServerPlugin.fastPath).
    {
      plugin: recs as ServerPlugin['plugin'],
      fastPath: recs.fastPath,
      refusedRequestHeaders: recs.refusedRequestHeaders,
      openapi: { [RECOMMENDATIONS_PATH]: recommendationsOpenApi(config.recs.maxK) },
    },
    { plugin: recsLifecycle as ServerPlugin['plugin'], health: { name: 'recs', check: () => recsHealth } },
    { plugin: dashboardPlugin as ServerPlugin['plugin'] },
  ];
}
