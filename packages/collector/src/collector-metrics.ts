// Prometheus metrics of one collector process, in a registry of its own (so tests and several collectors
// in one process do not collide). Labels are low-cardinality: route patterns, status codes, reason codes.
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastHistogram, type CounterChild, type HistogramChild } from './fast-metrics.js';
import type { StoredAs } from './ingest.js';

export class CollectorMetrics {
  readonly registry = new Registry();
  // The metrics every request touches are FastCounter/FastHistogram (see fast-metrics.ts); the rest prom-client's.
  readonly requests = new FastCounter(
    'lens_collector_requests_total',
    'HTTP requests by route and status',
    ['route', 'status'],
    this.registry,
  );
  readonly requestDuration = new FastHistogram(
    'lens_collector_request_duration_seconds',
    'Time from request start to response, by route (includes the durable log append)',
    ['route'],
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    this.registry,
  );
  readonly requestBytes = new FastCounter(
    'lens_collector_request_bytes_total',
    'Request body bytes as received on the wire',
    [],
    this.registry,
  );
  readonly eventsAccepted = new FastCounter(
    'lens_collector_events_accepted_total',
    'Events accepted and durably appended to the log',
    ['source'],
    this.registry,
  );
  readonly eventsStored = new FastCounter(
    'lens_collector_events_stored_total',
    'Accepted events by how the log holds them: "request" (in their request record, as sent) or "event" (enriched, a record each)',
    ['layout'],
    this.registry,
  );
  readonly eventsRejected = new Counter({
    name: 'lens_collector_events_rejected_total',
    help: 'Events or requests kept in the quarantine, by reason code',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly sdkMetrics = new Counter({
    name: 'lens_collector_sdk_metrics_requests_total',
    help: 'SDK self-metrics posts (/v1/m, /rsaMetrics), counted and not stored',
    registers: [this.registry],
  });
  readonly appendDuration = new FastHistogram(
    'lens_log_append_duration_seconds',
    'Time for a log append to become durable (write + fsync, including waiting for the group commit)',
    [],
    [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    this.registry,
  );
  readonly fsyncDuration = new FastHistogram(
    'lens_log_fsync_duration_seconds',
    "Duration of each log group commit's durable write (an O_DSYNC write: the write and its flush to disk)",
    [],
    [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    this.registry,
  );
  readonly backpressure = new Counter({
    name: 'lens_collector_backpressure_total',
    help: 'Requests answered 503 because the log refused appends',
    registers: [this.registry],
  });

  readonly #requestChildren = new Map<string, { count: CounterChild; duration: HistogramChild }>();

  /** Counts a finished request of `route` and observes its duration. */
  request(route: string, status: number, seconds: number): void {
    const key = `${status} ${route}`;
    let child = this.#requestChildren.get(key);
    if (child === undefined) {
      child = { count: this.requests.labels(route, String(status)), duration: this.requestDuration.labels(route) };
      this.#requestChildren.set(key, child);
    }
    child.count.value++;
    child.duration.observe(seconds);
  }

  /** Counts events of `source` accepted and durably appended. */
  accepted(source: string, events: number, storedAs: StoredAs): void {
    this.eventsAccepted.labels(source).value += events;
    if (events > 0) this.eventsStored.labels(storedAs).value += events;
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'lens_collector_' });
  }
}
