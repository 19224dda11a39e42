// The collector role: opens this process's partition of the embedded log and serves the tracking API on it.
// With several workers (node:cluster), each worker owns its own partition and they share the port.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { clusterMetricsText, CollectorMetrics, createCollector, serveClusterMetrics } from '@lens/collector';
import { createEventLog, ReopeningWriter } from '@lens/log';
import type { LensConfig, SourceConfig } from '@lens/protocol';
import type { Logger } from 'pino';
import { roleUrl } from './role-url.js';
import { untilSignal } from './until-signal.js';

export interface RunningCollector {
  url: string;
  close(): Promise<void>;
}

/** Serves the collector in this process until `close()`. */
export async function startCollector(
  config: LensConfig,
  sources: readonly SourceConfig[],
  logger: Logger,
): Promise<RunningCollector> {
  const metrics = new CollectorMetrics();
  const log = await createEventLog({
    ...config.log,
    dir: join(config.dataDir, 'log'),
    logger,
    onGroupCommit: (stats) => metrics.fsyncDuration.observe(stats.durableWriteMs / 1000),
  });
  // A writer whose write or fsync failed (a full disk) refuses everything until reopened: reopen it.
  const writer = new ReopeningWriter(log, await log.openWriter(), logger);
  const collector = await createCollector({
    config: config.collector,
    sources,
    sink: writer,
    logger,
    metrics,
    // Several workers share the port: a scrape reaching any of them gets the whole cluster's metrics.
    ...(cluster.isWorker ? { metricsText: clusterMetricsText(metrics) } : {}),
  });
  let port: number;
  try {
    ({ port } = await collector.listen({ host: config.collector.host, port: config.collector.port }));
  } catch (error) {
    await writer.close();
    await log.close();
    throw new Error(`cannot listen on ${config.collector.host}:${config.collector.port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  logger.info({ port, partition: writer.partition }, 'collector_listening');
  return {
    url: roleUrl(config.collector.host, port),
    async close() {
      await collector.close();
      logger.debug({}, 'collector_http_closed');
      await writer.close();
      await log.close();
      logger.debug({}, 'collector_log_closed');
    },
  };
}

/**
 * Runs the collector with `config.collector.workers` processes (0 = one per core). The primary process only
 * supervises: it restarts a worker that dies, so a crash costs one partition's in-flight requests at most.
 */
export async function runCollectorRole(
  config: LensConfig,
  sources: readonly SourceConfig[],
  logger: Logger,
): Promise<void> {
  const workers = config.collector.workers === 0 ? availableParallelism() : config.collector.workers;
  if (workers <= 1 || cluster.isWorker) {
    const running = await startCollector(config, sources, logger);
    // Tells a supervising parent (`lens up`, or the cluster primary) that this process serves.
    process.send?.({ type: 'lens:ready', url: running.url });
    await untilSignal();
    logger.info({}, 'collector_stopping');
    await running.close();
    // A cluster worker's IPC channel to the primary keeps it alive: drop it so the process can end.
    if (cluster.isWorker) cluster.worker?.disconnect();
    return;
  }
  let stopping = false;
  const fork = (): void => {
    const worker = cluster.fork();
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ code, signal, worker: worker.id }, 'collector_worker_died_restarting');
      setTimeout(fork, 500);
    });
  };
  let ready = 0;
  cluster.on('message', (_worker, message: { type?: string; url?: string }) => {
    if (message.type === 'lens:ready' && ++ready === workers) process.send?.({ type: 'lens:ready', url: message.url });
  });
  serveClusterMetrics();
  for (let i = 0; i < workers; i++) fork();
  await untilSignal();
  stopping = true;
  await Promise.all(
    Object.values(cluster.workers ?? {}).map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker === undefined || worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  );
}
