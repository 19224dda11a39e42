// What every route of one collector needs: its config, the sources, where records go, metrics and a logger.
import type { CollectorConfig, SourceConfig } from '@lens/protocol';
import type { CollectorMetrics } from './collector-metrics.js';
import type { SourceRegistry } from './source-registry.js';

/** The subset of the log's `LogWriter` the collector needs: append resolves once the records are durable. */
export interface RecordSink {
  readonly partition: number;
  append(values: readonly Buffer[]): Promise<unknown>;
}

/** Minimal structural logger (pino-compatible). */
export interface CollectorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CollectorContext {
  readonly config: CollectorConfig;
  readonly sources: SourceRegistry;
  readonly sink: RecordSink;
  readonly metrics: CollectorMetrics;
  readonly logger: CollectorLogger;
}

export type { SourceConfig };
