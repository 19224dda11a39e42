// What every route of one collector needs: its config, the sources, where records go, metrics and a logger.
import type { CollectorConfig, Logger, SourceConfig } from '@lens/protocol';
import type { CollectorMetrics } from './collector-metrics.js';
import type { SourceRegistry } from './source-registry.js';

/** The subset of the log's `LogWriter` the collector needs: append resolves once the records are durable. */
export interface RecordSink {
  readonly partition: number;
  append(values: readonly Buffer[]): Promise<unknown>;
}

/** The collector logs through the shared Logger port (pino-compatible). */
export type CollectorLogger = Logger;

export interface CollectorContext {
  readonly config: CollectorConfig;
  readonly sources: SourceRegistry;
  readonly sink: RecordSink;
  readonly metrics: CollectorMetrics;
  readonly logger: CollectorLogger;
  /** When the log last refused an append (backpressure), cleared by the next accepted one: /health reports it. */
  readonly refusals: { lastMs: number | undefined; reason: string | undefined };
}

export type { SourceConfig };
