// @lens/collector: the HTTP collector, wire-compatible with the Segment and RudderStack tracking APIs. It
// validates and enriches events and acknowledges them only once the log has made them durable.
export { createCollector, type Collector, type CollectorOptions } from './collector-app.js';
export type { RecordSink, CollectorLogger } from './collector-context.js';
export { CollectorMetrics } from './collector-metrics.js';
export { clusterMetricsText, serveClusterMetrics } from './cluster-metrics.js';
export { HttpError, type ErrorBody } from './http-error.js';
export { INGEST_ROUTES, type IngestResponse } from './ingest-handler.js';
export { PIXEL_GIF } from './routes/pixel-routes.js';
export { prepareEvents, type IngestContext, type PreparedRequest, type Rejection } from './ingest.js';
export type { RequestFacts } from '@lens/protocol';
