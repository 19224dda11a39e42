// GET /v1/recommendations as plain HTTP: one `answer` (query → status and JSON body, never throws) shared by
// the Fastify route and by `fastPath`, a node:http listener a server can put in front of Fastify (the
// collector's ingest path does the same) so the hot route skips Fastify's request lifecycle. Both give the
// same status, headers and bytes: query rules in recommendations-query.ts, 200 bodies in response-json.ts,
// errors as `{"error": message}` (400 naming the bad parameter, 503 nothing loaded / store unavailable, 500).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'fast-querystring';
import { KeyValueStoreError, RecsRequestError } from '../errors.js';
import type { RecommendationService } from './recommendation-service.js';
import { checkQuery, type ParsedQuery } from './recommendations-query.js';
import { responseJson } from './response-json.js';

/** The route's path. */
export const RECOMMENDATIONS_PATH = '/v1/recommendations';
/** The content type of every answer (Fastify's for JSON). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A status and a JSON body. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** A node:http listener that answers the requests it claims (true) and leaves the rest (false). */
export type FastPathHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The route, independent of the HTTP framework. */
export interface RecommendationsEndpoint {
  /** Answers a parsed query; errors become their status and `{"error": …}`. */
  answer(query: ParsedQuery): Promise<HttpAnswer>;
  /** Answers GET /v1/recommendations on node:http; returns false for anything else. */
  fastPath: FastPathHandler;
}

const errorBody = (message: string): string => JSON.stringify({ error: message });
const INTERNAL = errorBody('internal error');
const UNAVAILABLE = errorBody('recommendations store unavailable');

/**
 * The endpoint over a service.
 * @example const endpoint = createRecommendationsEndpoint(service, { maxK: 50 }); createServer((req, res) => endpoint.fastPath(req, res) || fallback(req, res));
 */
export function createRecommendationsEndpoint(
  service: RecommendationService,
  options: { maxK: number; onError?: (error: unknown) => void },
): RecommendationsEndpoint {
  const { maxK } = options;
  const failed = (error: unknown): HttpAnswer => {
    if (error instanceof RecsRequestError) return { status: error.statusCode, body: errorBody(error.message) };
    if (error instanceof KeyValueStoreError) return { status: 503, body: UNAVAILABLE };
    options.onError?.(error);
    return { status: 500, body: INTERNAL };
  };
  const answer = async (query: ParsedQuery): Promise<HttpAnswer> => {
    const checked = checkQuery(query, maxK);
    if (!checked.ok) return { status: 400, body: errorBody(checked.message) };
    try {
      return { status: 200, body: responseJson(await service.recommend(checked.request)) };
    } catch (error) {
      return failed(error);
    }
  };
  const send = (res: ServerResponse, a: HttpAnswer): void => {
    res.writeHead(a.status, ['content-type', JSON_CONTENT_TYPE, 'content-length', String(Buffer.byteLength(a.body))]);
    res.end(a.body);
  };
  const fastPath: FastPathHandler = (req, res) => {
    if (req.method !== 'GET') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) !== RECOMMENDATIONS_PATH) return false;
    answer(parseQueryString(q === -1 ? '' : url.slice(q + 1)) as ParsedQuery).then(
      (a) => send(res, a),
      (error: unknown) => send(res, failed(error)),
    );
    return true;
  };
  return { answer, fastPath };
}
