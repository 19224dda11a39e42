// The HTTP edge: a Fastify plugin registering GET /v1/recommendations, and the same route as a node:http fast
// path (`plugin.fastPath`) a server may put in front of Fastify (`ServerPlugin.fastPath` of @lens/server).
// Both answer through one endpoint (recommendations-http.ts): the query checked with the rules and messages of
// the route's former JSON schema, the response written as its former serialiser wrote it, errors mapped here:
// bad request 400 naming the parameter, nothing loaded or the store unreachable 503 with Retry-After, all in the
// server's error shape `{"error": {code, message, field?}}`.
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  createRecommendationService,
  type RecommendationService,
  type RecommendationServiceOptions,
} from './recommendation-service.js';
import {
  createRecommendationsEndpoint,
  JSON_CONTENT_TYPE,
  RECOMMENDATIONS_PATH,
  type FastPathHandler,
} from './recommendations-http.js';
import { checkQuery, type ParsedQuery } from './recommendations-query.js';

/** Options: a ready service, or what to build one from. */
export type RecommendationsPluginOptions = (
  { service: RecommendationService; maxK?: number } | RecommendationServiceOptions
) & {
  /** Browser origins allowed to call the route (`*`: any); none by default. */
  corsOrigins?: readonly string[];
};

/** The plugin, carrying the same route as a node:http listener. */
export type RecommendationsPlugin = FastifyPluginAsync & {
  /** Answers GET /v1/recommendations without Fastify (same status, headers and body); false for other requests. */
  fastPath: FastPathHandler;
  /**
   * The CORS headers of a request to the route that Node's HTTP parser refused (a query over 16 KB: 431), so a
   * page's fetch can read the reason (name, value pairs; none for other paths and origins).
   */
  refusedRequestHeaders: (path: string, origin: string | undefined) => string[];
};

/**
 * The recommendations route as a Fastify plugin (with `fastPath` for servers that mount it in front).
 * @example
 * const store = await createCachedKeyValueStore({ backend: 'sqlite', path }, { maxEntries: 50_000, uncachedPrefixes: [POINTER_KEY] });
 * await app.register(recommendationsPlugin({ store, servedLog: createDeltaServedListLog({ dataDir }) }));
 * // GET /v1/recommendations?userId=u1&k=10&context=pol-k4d-07&site=daily
 */
export function recommendationsPlugin(options: RecommendationsPluginOptions): RecommendationsPlugin {
  const service = 'service' in options ? options.service : createRecommendationService(options);
  let logError: (error: unknown) => void = () => {};
  const endpoint = createRecommendationsEndpoint(service, {
    maxK: options.maxK ?? 50,
    corsOrigins: options.corsOrigins ?? [],
    onError: (error) => logError(error),
  });
  const withHeaders = (reply: FastifyReply, list: string[]): FastifyReply => {
    for (let i = 0; i < list.length; i += 2) reply.header(list[i]!, list[i + 1]!);
    return reply;
  };
  const plugin = async (app: FastifyInstance): Promise<void> => {
    logError = (error) => app.log.error({ err: error }, 'recommendations_failed');
    // The route's own answers never throw (endpoint.answer maps every error): this catches Fastify's, in the
    // server's shape.
    app.setErrorHandler((thrown, _request, reply) => {
      const error = thrown as Partial<FastifyError> & Error;
      const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) app.log.error({ err: error }, 'recommendations_failed');
      const code = status === 500 ? 'internal' : (error.code ?? 'bad_request').toLowerCase();
      return reply
        .status(status)
        .send({ error: { code, message: status === 500 ? 'internal error (logged)' : error.message } });
    });
    // A HEAD (monitors, link checkers, prefetchers) is answered without computing a list: a list nobody received
    // logged as served would lower every click-through rate. Fastify's automatic HEAD route called the GET.
    app.head(RECOMMENDATIONS_PATH, async (request, reply) => {
      const checked = checkQuery(request.query as ParsedQuery, options.maxK ?? 50);
      return withHeaders(reply, endpoint.cors.response(request.headers.origin))
        .status(checked.ok ? 200 : 400)
        .type(JSON_CONTENT_TYPE)
        .send();
    });
    app.get(RECOMMENDATIONS_PATH, { exposeHeadRoute: false }, async (request, reply) => {
      const a = await endpoint.answer(request.query as ParsedQuery);
      if (a.retryAfter !== undefined) reply.header('retry-after', String(a.retryAfter));
      return withHeaders(reply, endpoint.cors.response(request.headers.origin))
        .status(a.status)
        .type(JSON_CONTENT_TYPE)
        .send(a.body);
    });
    app.options(RECOMMENDATIONS_PATH, async (request, reply) =>
      withHeaders(
        reply,
        endpoint.cors.preflight(request.headers.origin, request.headers['access-control-request-headers']),
      )
        .status(204)
        .send(),
    );
  };
  return Object.assign(plugin, {
    fastPath: endpoint.fastPath,
    refusedRequestHeaders: (path: string, origin: string | undefined) =>
      path === RECOMMENDATIONS_PATH ? endpoint.cors.response(origin) : [],
  });
}
