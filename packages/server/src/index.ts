// @lens/server: the HTTP API of `lens server` — insights, trending now, locked-down SQL and the lake catalog
// over @lens/insights, with read tokens, metrics and an OpenAPI document; other packages mount plugins on it.
// This file is the package's only public entry.
export { createServer, type LensServer, type ServerOptions, type ServerPlugin } from './create-server.js';
export { HttpError, errorAnswer, type ErrorBody } from './http-errors.js';
export { openApiDocument } from './openapi.js';
export { readTokenHook } from './read-tokens.js';
export { ServerMetrics } from './server-metrics.js';
export { noopServerLogger, type ServerLogger } from './server-logger.js';
export type { HealthCheck, HealthReport, PluginHealth } from './server-health.js';
