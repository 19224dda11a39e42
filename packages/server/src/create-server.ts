// Builds `lens server`: Fastify with the read API over the insight engine, /health, /metrics and the OpenAPI
// document, read-token auth on /api/*, plus any plugins other packages mount (the recommendations API, the
// dashboard's static files).
import { InsightEngine } from '@lens/insights';
import type { ServerConfig } from '@lens/protocol';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type LightMyRequestResponse, type InjectOptions } from 'fastify';
import { installErrorHandlers } from './http-errors.js';
import { openApiDocument } from './openapi.js';
import { readTokenHook } from './read-tokens.js';
import { apiRoutes } from './routes/api-routes.js';
import { noopServerLogger, type ServerLogger } from './server-logger.js';
import { ServerMetrics } from './server-metrics.js';

/** A plugin another package mounts on the server. */
export interface ServerPlugin {
  /** A Fastify plugin (routes, hooks, static files). */
  plugin: FastifyPluginAsync<Record<string, unknown>>;
  options?: Record<string, unknown>;
  /** URL prefix for its routes, e.g. `/v1`. */
  prefix?: string;
  /** Require a read token on its routes too (default false: the plugin decides). */
  protected?: boolean;
}

/** Options of `createServer`. */
export interface ServerOptions {
  config: ServerConfig;
  /** The Lens data directory (the lake is `<dataDir>/lake`). */
  dataDir: string;
  logger?: ServerLogger;
  plugins?: readonly ServerPlugin[];
  /** An engine to use (tests); one is created from config and dataDir otherwise. */
  engine?: InsightEngine;
  metrics?: ServerMetrics;
}

/** A server ready to listen (or to be exercised with `inject`). */
export interface LensServer {
  readonly app: FastifyInstance;
  readonly engine: InsightEngine;
  readonly metrics: ServerMetrics;
  listen(options?: { host?: string; port?: number }): Promise<{ port: number; url: string }>;
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Creates the server (not yet listening).
 * @example
 * const server = await createServer({ config: ServerConfig.parse({}), dataDir: './lens-data', plugins: [{ plugin: recsRoutes, prefix: '/v1' }] });
 * const { url } = await server.listen();
 */
export async function createServer(options: ServerOptions): Promise<LensServer> {
  const { config } = options;
  const logger = options.logger ?? noopServerLogger;
  const metrics = options.metrics ?? new ServerMetrics();
  const engine = options.engine ?? (await InsightEngine.create({ dataDir: options.dataDir, timeoutMs: config.queryTimeoutMs, rowCap: config.sqlRowCap, cacheSize: config.cacheEntries, logger }));
  const app = Fastify({ logger: false, return503OnClosing: true, bodyLimit: 1024 * 1024 });
  installErrorHandlers(app, logger);
  const auth = readTokenHook(config.readTokens);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestDuration.observe({ route, method: request.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    logger.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'server_request');
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  const document = openApiDocument();
  app.get('/api/openapi.json', async () => document);
  await app.register(async (api) => {
    api.addHook('preHandler', auth);
    await apiRoutes(api, { engine, metrics, sqlRowCap: config.sqlRowCap });
  });
  for (const p of options.plugins ?? []) {
    await app.register(async (scope) => {
      if (p.protected) scope.addHook('preHandler', auth);
      await scope.register(p.plugin, { ...(p.options ?? {}), ...(p.prefix === undefined ? {} : { prefix: p.prefix }) });
    });
  }

  return {
    app, engine, metrics,
    async listen(o = {}) {
      const host = o.host ?? config.host;
      await app.listen({ host, port: o.port ?? config.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : config.port;
      logger.info({ host, port }, 'server_listening');
      return { port, url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}` };
    },
    inject: (o) => app.inject(o),
    async close() {
      await app.close();
      if (!options.engine) await engine.close();
    },
  };
}
