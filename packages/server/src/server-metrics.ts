// Prometheus metrics of the server (prom-client, its own registry): request latency by route and status,
// insight latency by kind and cache outcome.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's metrics. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'lens_server_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly insights = new Counter({
    name: 'lens_server_insights_total',
    help: 'Insight queries answered',
    labelNames: ['kind', 'cached'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'lens_server_' });
  }
}
