// Builds the collector's Fastify application: body reading with limits, CORS for browser SDKs, the routes, and
// one error handler that answers every failure with a JSON body saying what is wrong.
import cors from '@fastify/cors';
import type { CollectorConfig, SourceConfig } from '@lens/protocol';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { collectBody, decodeBody, type RequestBody } from './body-reader.js';
import type { CollectorContext, CollectorLogger, RecordSink } from './collector-context.js';
import { CollectorMetrics } from './collector-metrics.js';
import { HttpError, errorBody } from './http-error.js';
import { registerIngestRoutes } from './routes/ingest-routes.js';
import { registerOpsRoutes } from './routes/ops-routes.js';
import { registerPixelRoutes } from './routes/pixel-routes.js';
import { registerSdkConfigRoutes } from './routes/sdk-config-routes.js';
import { SourceRegistry } from './source-registry.js';

export interface CollectorOptions {
  config: CollectorConfig;
  sources: readonly SourceConfig[];
  /** Where records go (the log writer of this process's partition). */
  sink: RecordSink;
  logger?: CollectorLogger;
  metrics?: CollectorMetrics;
}

const NOOP_LOGGER: CollectorLogger = { info() {}, warn() {}, error() {} };

/**
 * Creates the collector app (not yet listening).
 * @example const app = await createCollectorApp({ config, sources, sink: writer }); await app.listen({ port: 8080 });
 */
export async function createCollectorApp(options: CollectorOptions): Promise<FastifyInstance> {
  const ctx: CollectorContext = {
    config: options.config,
    sources: new SourceRegistry(options.sources),
    sink: options.sink,
    metrics: options.metrics ?? new CollectorMetrics(),
    logger: options.logger ?? NOOP_LOGGER,
  };
  const app = Fastify({
    logger: false,
    trustProxy: options.config.trustProxy,
    keepAliveTimeout: 65_000,
    bodyLimit: options.config.limits.maxRequestBytes * 4,
    return503OnClosing: true,
  });

  const origins = options.config.cors.origins;
  await app.register(cors, {
    origin: origins.includes('*') ? true : origins,
    credentials: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    // No fixed list: the preflight's requested headers are reflected, so every SDK header (Authorization,
    // AnonymousId, SentAt, Rsa-*, X-Retry-Count…) is allowed, including ones added by future SDK versions.
    exposedHeaders: ['Retry-After'],
    maxAge: 86_400,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    const limits = ctx.config.limits;
    collectBody(payload, limits.maxRequestBytes).then(async ({ bytes, overLimit }): Promise<RequestBody> => {
      ctx.metrics.requestBytes.inc(bytes.length);
      if (overLimit) {
        return { ok: false, raw: bytes, statusCode: 413, code: 'request_too_large', reason: `body is larger than the limit of ${limits.maxRequestBytes} bytes` };
      }
      return decodeBody(bytes, request.headers['content-encoding'], limits);
    }).then((body) => done(null, body), (error: Error) => done(error as FastifyError));
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.requests.inc({ route, status: String(reply.statusCode) });
    ctx.metrics.requestDuration.observe({ route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      reply.code(error.statusCode).headers(error.headers);
      if (error.statusCode >= 500) ctx.logger.warn({ err: error, url: request.url }, 'request_failed');
      return errorBody(error.code, error.message);
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) ctx.logger.error({ err: error, url: request.url }, 'request_crashed');
    reply.code(status);
    return errorBody(error.code ?? 'internal_error', status >= 500 ? 'internal error; the request was not stored, retry it' : error.message);
  });
  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    return errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });

  let ready = true;
  app.addHook('onClose', async () => {
    ready = false;
  });
  registerIngestRoutes(app, ctx);
  registerPixelRoutes(app, ctx);
  registerSdkConfigRoutes(app, ctx);
  registerOpsRoutes(app, ctx, () => ready);
  return app;
}
