// The HTTP edge: a Fastify plugin registering GET /v1/recommendations. Query validated by schema, response
// serialised by schema (fast-json-stringify), errors mapped here: bad request 400, nothing loaded or the
// store unreachable 503.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { KeyValueStoreError, RecsRequestError } from '../errors.js';
import { createRecommendationService, type RecommendationService, type RecommendationServiceOptions } from './recommendation-service.js';

/** Options: a ready service, or what to build one from. */
export type RecommendationsPluginOptions = { service: RecommendationService; maxK?: number } | RecommendationServiceOptions;

const id = { type: 'string', minLength: 1, maxLength: 256 } as const;
const itemSchema = {
  type: 'object',
  properties: {
    articleId: { type: 'string' }, score: { type: 'number' }, reason: { type: 'string' }, becauseArticleId: { type: 'string' },
    section: { type: 'string' }, site: { type: 'string' }, position: { type: 'integer' },
  },
} as const;

/**
 * The recommendations route as a Fastify plugin.
 * @example
 * const store = await createCachedKeyValueStore({ backend: 'sqlite', path }, { maxEntries: 50_000, uncachedPrefixes: [POINTER_KEY] });
 * await app.register(recommendationsPlugin({ store, servedLog: createDeltaServedListLog({ dataDir }) }));
 * // GET /v1/recommendations?userId=u1&k=10&context=pol-k4d-07&site=www.northwind-daily.example
 */
export function recommendationsPlugin(options: RecommendationsPluginOptions): FastifyPluginAsync {
  const service = 'service' in options ? options.service : createRecommendationService(options);
  const maxK = options.maxK ?? 50;
  return async (app: FastifyInstance) => {
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof RecsRequestError) return reply.status(error.statusCode).send({ error: error.message });
      if (error instanceof KeyValueStoreError) return reply.status(503).send({ error: 'recommendations store unavailable' });
      if ((error as { validation?: unknown }).validation) return reply.status(400).send({ error: (error as Error).message });
      app.log.error({ err: error }, 'recommendations_failed');
      return reply.status(500).send({ error: 'internal error' });
    });
    app.get<{ Querystring: { userId?: string; anonymousId?: string; k?: number; context?: string; site?: string; exclude?: string } }>('/v1/recommendations', {
      schema: {
        querystring: {
          type: 'object',
          properties: { userId: id, anonymousId: id, context: id, site: id, k: { type: 'integer', minimum: 1, maximum: maxK }, exclude: { type: 'string', maxLength: 8192 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              listId: { type: 'string' }, source: { type: 'string' }, personId: { type: 'string' }, modelVersion: { type: 'string' },
              items: { type: 'array', items: itemSchema },
            },
          },
        },
      },
    }, async (request) => {
      const q = request.query;
      return service.recommend({
        ...(q.userId ? { userId: q.userId } : {}), ...(q.anonymousId ? { anonymousId: q.anonymousId } : {}), ...(q.k ? { k: q.k } : {}),
        ...(q.context ? { context: q.context } : {}), ...(q.site ? { site: q.site } : {}), ...(q.exclude ? { exclude: q.exclude.split(',').filter(Boolean) } : {}),
      });
    });
  };
}
