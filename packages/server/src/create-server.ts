// Builds `lens server`: Fastify with the read API over the insight engine, /health, /metrics and the OpenAPI
// document, read-token auth on /api/*, plus any plugins other packages mount (the recommendations API, the
// dashboard's static files).
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InsightEngine } from '@lens/insights';
import type { ServerConfig } from '@lens/protocol';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type LightMyRequestResponse,
  type InjectOptions,
} from 'fastify';
import { installErrorHandlers } from './http-errors.js';
import { openApiDocument } from './openapi.js';
import { readTokenCheck, readTokenHook } from './read-tokens.js';
import { healthChecker, type PluginHealth } from './server-health.js';
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
  /**
   * A node:http listener put in front of Fastify for a hot route (fixed paths, no prefix applied): it answers
   * the requests it claims (true) exactly as the plugin's Fastify routes would, and leaves the rest (false).
   * The server keeps everything else the same for those requests: the read token when `protected` (a
   * request without one goes to Fastify, which answers 401), the request metrics and log line (route label =
   * the path), and 503 while closing (Fastify answers then).
   */
  fastPath?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** OpenAPI path items of its routes (path → item), listed in /api/openapi.json with the server's own. */
  openapi?: Record<string, unknown>;
  /**
   * Headers (name, value, name, value…) for a request to `path` that Node's HTTP parser refused (431 headers too
   * large, 400), answered by the server: e.g. CORS headers, without which a page's fetch cannot read the reason.
   */
  refusedRequestHeaders?: (path: string, origin: string | undefined) => readonly string[];
  /** Its check in GET /health (`checks[name]`): not ok makes the server `degraded`, still ready (200). */
  health?: PluginHealth;
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
  /** GET /health checks at most this often; probes in between get the last answer (default 5000). */
  healthCacheMs?: number;
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
  const engine =
    options.engine ??
    (await InsightEngine.create({
      dataDir: options.dataDir,
      timeoutMs: config.queryTimeoutMs,
      rowCap: config.sqlRowCap,
      cacheSize: config.cacheEntries,
      logger,
    }));
  const fastPaths = (options.plugins ?? []).filter((p) => p.fastPath);
  let closing = false;
  const app = Fastify({
    logger: false,
    return503OnClosing: true,
    bodyLimit: 1024 * 1024,
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Duplex) =>
      answerClientError(error, socket, options.plugins ?? []),
    ...(fastPaths.length === 0
      ? {}
      : {
          serverFactory: (
            fastify: (req: IncomingMessage, res: ServerResponse) => void,
            opts: Record<string, unknown>,
          ) => {
            // The server Fastify would have made itself (same timeouts), with the fast paths in front.
            const o = opts as {
              keepAliveTimeout: number;
              requestTimeout: number;
              connectionTimeout: number;
              maxRequestsPerSocket: number;
            };
            const server = createHttpServer(fastPathListener(fastPaths, fastify));
            server.keepAliveTimeout = o.keepAliveTimeout;
            server.requestTimeout = o.requestTimeout;
            server.setTimeout(o.connectionTimeout);
            if (o.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = o.maxRequestsPerSocket;
            return server;
          },
        }),
  });
  installErrorHandlers(app, logger);
  readBodiesAsJson(app);
  const auth = readTokenHook(config.readTokens);
  const tokenOk = readTokenCheck(config.readTokens);
  const observe = (route: string, method: string, url: string, status: number, ms: number): void => {
    metrics.requestDuration.observe({ route, method, status: String(status) }, ms / 1000);
    logger.debug({ method, url, status, ms }, 'server_request');
  };

  app.addHook('onResponse', async (request, reply) => {
    observe(request.routeOptions.url ?? 'unmatched', request.method, request.url, reply.statusCode, reply.elapsedTime);
  });
  app.addHook('preClose', async () => {
    closing = true;
  });

  /** Fast paths first (with the server's token check, metrics and log), Fastify for everything else. */
  function fastPathListener(
    plugins: readonly ServerPlugin[],
    fastify: (req: IncomingMessage, res: ServerResponse) => void,
  ) {
    return (req: IncomingMessage, res: ServerResponse): void => {
      if (!closing) {
        const started = performance.now();
        for (const p of plugins) {
          if (p.protected && !tokenOk(req.headers.authorization)) continue;
          if (p.fastPath!(req, res)) {
            res.once('finish', () => {
              const url = req.url ?? '/';
              const q = url.indexOf('?');
              observe(
                q === -1 ? url : url.slice(0, q),
                req.method ?? 'GET',
                url,
                res.statusCode,
                performance.now() - started,
              );
            });
            return;
          }
        }
      }
      fastify(req, res);
    };
  }

  // Readiness (503 when the lake or DuckDB fails; plugins only degrade it), cached: see server-health.ts.
  const health = healthChecker({
    dataDir: options.dataDir,
    engine,
    plugins: (options.plugins ?? []).flatMap((p) => (p.health ? [p.health] : [])),
    cacheMs: options.healthCacheMs ?? 5000,
  });
  app.get('/health', async (_request, reply) => {
    const report = await health();
    return reply.code(report.status === 'failing' ? 503 : 200).send(report);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  const document = openApiDocument(Object.assign({}, ...(options.plugins ?? []).map((p) => p.openapi ?? {})));
  app.get('/api/openapi.json', async () => document);
  await app.register(async (api) => {
    // Before the body is read: without a token, a request is answered 401 whatever it carries.
    api.addHook('onRequest', auth);
    await apiRoutes(api, { engine, metrics, sqlRowCap: config.sqlRowCap });
  });
  for (const p of options.plugins ?? []) {
    await app.register(async (scope) => {
      if (p.protected) scope.addHook('onRequest', auth);
      await scope.register(p.plugin, { ...(p.options ?? {}), ...(p.prefix === undefined ? {} : { prefix: p.prefix }) });
    });
  }

  return {
    app,
    engine,
    metrics,
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

/**
 * Request bodies are JSON, whatever the client called them: `fetch(url, { body: JSON.stringify(q) })` sends
 * text/plain, which Fastify handed to the routes as a string ("expected object, received string"). Read with
 * Fastify's own JSON parser (its `__proto__`/`constructor` checks included); a body that is not JSON is a 400
 * `invalid_json` (http-errors.ts).
 */
function readBodiesAsJson(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
}

/** A request line's target (the bytes of a request the parser refused may hold it). */
const REQUEST_LINE = /^[A-Z]+ (\S+)/;
/** The Origin header among those bytes, when they hold all of it. */
const ORIGIN_HEADER = /\r\norigin:[ \t]*([\x21-\x7e]+)[ \t]*\r\n/i;

/**
 * What Node's HTTP parser refuses before any route sees it (headers over 16 KB — a long recommendations query —, a
 * malformed request, a request that took too long), answered in the server's error shape (Fastify's default wrote
 * `{"error":"Request Header Fields Too Large","statusCode":431}`).
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, plugins: readonly ServerPlugin[]): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'request headers (the URL with its query included) over 16 KB']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request was not received in time']
        : [400, 'bad_request', `malformed HTTP request (${error.code ?? error.message})`];
  const body = JSON.stringify({ error: { code, message } });
  // The parser stopped before it made headers: the path and Origin are read from the bytes received, when they hold them.
  const raw = (error as { rawPacket?: unknown }).rawPacket;
  const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : '';
  const path = REQUEST_LINE.exec(text)?.[1]?.split('?')[0];
  const origin = ORIGIN_HEADER.exec(text)?.[1];
  let extra = '';
  if (path !== undefined)
    for (const p of plugins) {
      const pairs = p.refusedRequestHeaders?.(path, origin) ?? [];
      for (let i = 0; i + 1 < pairs.length; i += 2) extra += `${pairs[i]}: ${pairs[i + 1]}\r\n`;
    }
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\n${extra}Connection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}
