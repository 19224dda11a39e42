// The loader's Prometheus metrics, on a registry of its own (several loaders in one process, tests, and the
// collector's registry never collide): lag, batch sizes, commit latency, duplicates, quarantine by reason, and
// prom-client's process metrics (CPU, RSS, event-loop lag, GC) prefixed `lens_loader_` as the collector's are
// `lens_collector_` — one Prometheus job scraping every role keeps them apart.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Metrics of one loader instance. */
export class LoaderMetrics {
  readonly registry = new Registry();
  readonly lagEvents = new Gauge({
    name: 'lens_loader_lag_events',
    help: 'Log end minus the committed position, per partition',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly lagSeconds = new Gauge({
    name: 'lens_loader_lag_seconds',
    help: 'Age of the oldest record not yet loaded, per partition',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly eventsLoaded = new Counter({
    name: 'lens_loader_events_loaded_total',
    help: 'Rows committed to bronze.events',
    registers: [this.registry],
  });
  readonly quarantined = new Counter({
    name: 'lens_loader_quarantined_total',
    help: 'Rows committed to bronze.quarantine, by reason code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'lens_loader_duplicates_skipped_total',
    help: 'Events skipped as duplicates (same source and messageId within the window)',
    registers: [this.registry],
  });
  readonly corrected = new Counter({
    name: 'lens_loader_timestamps_corrected_total',
    help: 'Events whose timestamp was replaced by receivedAt, by reason code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly bots = new Counter({
    name: 'lens_loader_bot_events_total',
    help: 'Events flagged is_bot',
    registers: [this.registry],
  });
  readonly batchRecords = new Histogram({
    name: 'lens_loader_batch_records',
    help: 'Log records per committed micro-batch',
    buckets: [1, 10, 100, 1000, 5000, 10_000, 25_000, 50_000, 100_000],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'lens_loader_commit_seconds',
    help: 'Time to write and commit one table of a micro-batch',
    labelNames: ['table'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly ownershipLost = new Counter({
    name: 'lens_loader_partition_ownership_lost_total',
    help: 'Batches abandoned because another instance owns the partition now',
    registers: [this.registry],
  });
  readonly compactions = new Counter({
    name: 'lens_loader_compactions_total',
    help: 'OPTIMIZE runs on bronze.events and bronze.quarantine, by table and outcome',
    labelNames: ['table', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly partitionsOwned = new Gauge({
    name: 'lens_loader_partitions_owned',
    help: 'Log partitions this instance holds a lease on',
    registers: [this.registry],
  });

  /** `processMetrics` (default true): only a loader that serves /metrics needs them (`runLoaderOnce` does not). */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'lens_loader_' });
  }
}
