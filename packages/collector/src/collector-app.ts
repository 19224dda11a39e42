// Builds the collector: a node:http server whose ingest routes take the fast path (ingest-handler.ts) and whose
// other routes (preflights, pixels, SDK config, health, metrics) go through Fastify, with one error handler
// answering every failure with a JSON body saying what is wrong.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import { noopLogger, type CollectorConfig, type SourceConfig } from '@lens/protocol';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import lightMyRequest, { type InjectOptions, type Response as InjectResponse } from 'light-my-request';
import { collectBody, decodeBody, type RequestBody } from './body-reader.js';
import type { CollectorContext, CollectorLogger, RecordSink } from './collector-context.js';
import { CollectorMetrics } from './collector-metrics.js';
import { CorsPolicy } from './cors-policy.js';
import { HttpError, errorBody } from './http-error.js';
import { createIngestHandler } from './ingest-handler.js';
import { registerOpsRoutes } from './routes/ops-routes.js';
import { registerPixelRoutes } from './routes/pixel-routes.js';
import { registerSdkConfigRoutes } from './routes/sdk-config-routes.js';
import { SourceRegistry } from './source-registry.js';

/** Request line and headers the collector reads (a pixel's event is in its URL). */
const MAX_HEADER_BYTES = 64 * 1024;

/** How long close() waits for requests in flight before cutting their connections. */
export const CLOSE_GRACE_MS = 3_000;

export interface CollectorOptions {
  config: CollectorConfig;
  sources: readonly SourceConfig[];
  /** Where records go (the log writer of this process's partition). */
  sink: RecordSink;
  logger?: CollectorLogger;
  metrics?: CollectorMetrics;
  /** What GET /metrics answers, when not this process's registry (a cluster worker: the whole cluster's). */
  metricsText?: () => Promise<string>;
}

/** A collector ready to listen (or to be exercised in-process with `inject`). */
export interface Collector {
  /** The Fastify app serving the non-ingest routes. */
  readonly app: FastifyInstance;
  /** The node:http server (listening after `listen`). */
  readonly server: Server;
  readonly metrics: CollectorMetrics;
  listen(options: { host: string; port: number }): Promise<{ port: number }>;
  /** Sends a request through the whole collector without a socket (tests). */
  inject(options: InjectOptions): Promise<InjectResponse>;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
}

/** The `route` label of requests refused before they could be parsed (bad HTTP, headers over the limit). */
const UNPARSED_ROUTE = 'unparsed';
const ORIGIN_HEADER = /\r\norigin:[ \t]*([\x21-\x7e]+)[ \t]*\r\n/i;

/** The Origin header among the raw bytes of a request the HTTP parser refused, when they hold all of it. */
function originOf(raw: unknown): string | undefined {
  return Buffer.isBuffer(raw) ? ORIGIN_HEADER.exec(raw.toString('latin1'))?.[1] : undefined;
}

/**
 * Creates the collector (not yet listening).
 * @example const collector = await createCollector({ config, sources, sink: writer }); await collector.listen({ host: '0.0.0.0', port: 8080 });
 */
export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const ctx: CollectorContext = {
    config: options.config,
    sources: new SourceRegistry(options.sources),
    sink: options.sink,
    metrics: options.metrics ?? new CollectorMetrics(),
    logger: options.logger ?? noopLogger,
    refusals: { lastMs: undefined, reason: undefined },
  };
  const corsPolicy = new CorsPolicy(options.config.cors.origins);
  const ingest = createIngestHandler(ctx, corsPolicy);
  let server: Server | undefined;
  const app = Fastify({
    logger: false,
    trustProxy: options.config.trustProxy,
    return503OnClosing: true,
    // A pixel carries its event in the URL: room for 64 KiB of request line and headers (Node's default is 16).
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return void socket.destroy();
      const tooLarge = (error as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : 400;
      ctx.metrics.request(UNPARSED_ROUTE, status, 0);
      // A page's fetch gets the reason only with CORS headers: the Origin is read from the bytes received, when
      // they hold it (the parser stopped before it made headers of them).
      const origin = originOf((error as unknown as { rawPacket?: unknown }).rawPacket);
      const cors =
        origin !== undefined && corsPolicy.allows(origin)
          ? `Access-Control-Allow-Origin: ${origin}\r\nAccess-Control-Allow-Credentials: true\r\nVary: Origin\r\n`
          : '';
      const body = JSON.stringify(
        tooLarge
          ? errorBody(
              'headers_too_large',
              `the request line and headers are larger than ${MAX_HEADER_BYTES} bytes: send the event in a POST body (a pixel URL this long is cut by mail clients anyway)`,
            )
          : errorBody('bad_request', `not a valid HTTP request: ${error.message}`),
      );
      socket.end(
        `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${cors}Connection: close\r\n\r\n${body}`,
      );
    },
    serverFactory: (fastifyHandler) => {
      server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req: IncomingMessage, res: ServerResponse) => {
        if (!ingest(req, res)) fastifyHandler(req, res);
      });
      server.keepAliveTimeout = 65_000;
      return server;
    },
  });

  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin === undefined ? false : corsPolicy.allows(origin)),
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
    collectBody(payload, limits.maxRequestBytes)
      .then(async ({ bytes, overLimit }): Promise<RequestBody> => {
        ctx.metrics.requestBytes.inc(bytes.length);
        if (overLimit)
          return {
            ok: false,
            raw: bytes,
            statusCode: 413,
            code: 'request_too_large',
            reason: `body is larger than the limit of ${limits.maxRequestBytes} bytes`,
          };
        return decodeBody(bytes, request.headers['content-encoding'], limits);
      })
      .then(
        (body) => done(null, body),
        (error: Error) => done(error as FastifyError),
      );
  });

  // As on the ingest fast path: a page on an origin left out of cors.origins gets nothing stored or served
  // (pixels fetched with an Origin, the SDKs' settings); preflights are answered by the CORS plugin.
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'OPTIONS') corsPolicy.check(request.headers.origin);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.request(route, reply.statusCode, reply.elapsedTime / 1000);
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
    return errorBody(
      error.code ?? 'internal_error',
      status >= 500 ? 'internal error; the request was not stored, retry it' : error.message,
    );
  });
  app.setNotFoundHandler(async (request, reply) => {
    // @fastify/cors hands a preflight from an origin it refuses on to routing: say why instead of "no route".
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'])
      corsPolicy.check(request.headers.origin);
    reply.code(404);
    return errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });

  let ready = true;
  app.addHook('onClose', async () => {
    ready = false;
  });
  registerPixelRoutes(app, ctx);
  registerSdkConfigRoutes(app, ctx);
  registerOpsRoutes(app, ctx, () => ready, options.metricsText);
  await app.ready();

  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    if (!ingest(req, res)) app.routing(req, res);
  };
  return {
    app,
    server: server!,
    metrics: ctx.metrics,
    async listen({ host, port }) {
      await app.listen({ host, port });
      const address = server!.address();
      return { port: typeof address === 'object' && address !== null ? address.port : port };
    },
    inject: (injectOptions) => lightMyRequest(dispatch, injectOptions),
    async close() {
      // Node stops timing requests out once its server closes, so a client that stops sending mid-request (a
      // page unloading during a keepalive fetch) would hold close() forever. After a grace period the remaining
      // connections are cut: their requests were not acknowledged, so their clients send them again.
      const grace = setTimeout(() => server?.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(grace);
      }
    },
  };
}
