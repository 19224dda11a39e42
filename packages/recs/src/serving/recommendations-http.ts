// GET /v1/recommendations as plain HTTP: one `answer` (query → status and JSON body, never throws) shared by
// the Fastify route and by `fastPath`, a node:http listener a server can put in front of Fastify (the
// collector's ingest path does the same) so the hot route skips Fastify's request lifecycle. Both give the
// same status, headers and bytes: query rules in recommendations-query.ts, 200 bodies in response-json.ts,
// errors as `{"error": message}` (400 naming the bad parameter, 503 nothing loaded / store unavailable, 500).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'fast-querystring';
import { KeyValueStoreError, RecsRequestError } from '../errors.js';
import type { RecommendationService } from './recommendation-service.js';
import { Generations } from './parsed-list-cache.js';
import { checkQuery, type ParsedQuery, type QueryCheck } from './recommendations-query.js';
import { responseJson } from './response-json.js';

/** The route's path. */
export const RECOMMENDATIONS_PATH = '/v1/recommendations';
/** The content type of every answer (Fastify's for JSON). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A status and a JSON body (a string, or its UTF-8 bytes). */
export interface HttpAnswer {
  status: number;
  body: string | Buffer;
}

/** A node:http listener that answers the requests it claims (true) and leaves the rest (false). */
export type FastPathHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The route, independent of the HTTP framework. */
export interface RecommendationsEndpoint {
  /** Answers a parsed query; errors become their status and `{"error": …}`. */
  answer(query: ParsedQuery): Promise<HttpAnswer>;
  /** Answers GET (and the CORS preflight OPTIONS) of /v1/recommendations on node:http; false for anything else. */
  fastPath: FastPathHandler;
  /** The CORS headers both paths add. */
  cors: RecommendationsCors;
}

/** Checked queries kept by the fast path (two generations of half as many), and the longest query kept. */
const QUERIES_KEPT = 50_000;
const QUERY_KEPT_CHARS = 1024;

const errorBody = (message: string): string => JSON.stringify({ error: message });
const INTERNAL = errorBody('internal error');
const UNAVAILABLE = errorBody('recommendations store unavailable');

/**
 * The endpoint over a service.
 * @example const endpoint = createRecommendationsEndpoint(service, { maxK: 50 }); createServer((req, res) => endpoint.fastPath(req, res) || fallback(req, res));
 */
export function createRecommendationsEndpoint(
  service: RecommendationService,
  options: { maxK: number; corsOrigins?: readonly string[]; onError?: (error: unknown) => void },
): RecommendationsEndpoint {
  const { maxK } = options;
  const cors = corsHeaders(options.corsOrigins ?? []);
  const failed = (error: unknown): HttpAnswer => {
    if (error instanceof RecsRequestError) return { status: error.statusCode, body: errorBody(error.message) };
    if (error instanceof KeyValueStoreError) return { status: 503, body: UNAVAILABLE };
    options.onError?.(error);
    return { status: 500, body: INTERNAL };
  };
  const answerChecked = async (checked: QueryCheck): Promise<HttpAnswer> => {
    if (!checked.ok) return { status: 400, body: errorBody(checked.message) };
    try {
      if (service.recommendJson) {
        return { status: 200, body: await service.recommendJson(checked.request) };
      }
      return { status: 200, body: responseJson(await service.recommend(checked.request)) };
    } catch (error) {
      return failed(error);
    }
  };
  const answer = (query: ParsedQuery): Promise<HttpAnswer> => answerChecked(checkQuery(query, maxK));
  /** Checked queries by their raw text: a query seen before is neither parsed nor checked again, and the
   *  service sees the same request object (which lets it reuse what it resolved for it). */
  const seen = new Generations<QueryCheck>(QUERIES_KEPT);
  const check = (raw: string): QueryCheck => {
    if (raw.length > QUERY_KEPT_CHARS) return checkQuery(parseQueryString(raw) as ParsedQuery, maxK);
    let checked = seen.get(raw);
    if (checked === undefined) {
      checked = checkQuery(parseQueryString(raw) as ParsedQuery, maxK);
      seen.set(raw, checked);
    }
    return checked;
  };
  const send = (res: ServerResponse, a: HttpAnswer, origin: string | undefined): void => {
    const length = String(typeof a.body === 'string' ? Buffer.byteLength(a.body) : a.body.length);
    const extra = origin === undefined ? undefined : cors.response(origin);
    res.writeHead(
      a.status,
      extra === undefined || extra.length === 0
        ? ['content-type', JSON_CONTENT_TYPE, 'content-length', length]
        : ['content-type', JSON_CONTENT_TYPE, 'content-length', length, ...extra],
    );
    res.end(a.body);
  };
  const fastPath: FastPathHandler = (req, res) => {
    if (req.method !== 'GET' && req.method !== 'OPTIONS') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) !== RECOMMENDATIONS_PATH) return false;
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors.preflight(origin));
      res.end();
      return true;
    }
    let checked: QueryCheck;
    try {
      checked = check(q === -1 ? '' : url.slice(q + 1));
    } catch (error) {
      send(res, failed(error), origin);
      return true;
    }
    if (checked.ok && service.recommendJsonNow) {
      // An answer served before to this query: written now, no promise, no lookup.
      let now: Buffer | undefined;
      try {
        now = service.recommendJsonNow(checked.request);
      } catch (error) {
        send(res, failed(error), origin);
        return true;
      }
      if (now !== undefined) {
        send(res, { status: 200, body: now }, origin);
        return true;
      }
    }
    answerChecked(checked).then(
      (a) => send(res, a, origin),
      (error: unknown) => send(res, failed(error), origin),
    );
    return true;
  };
  return { answer, fastPath, cors };
}

/** CORS header lists (name, value, …) for answers and preflights, for the origins allowed (`*`: any). */
export interface RecommendationsCors {
  response(origin: string | undefined): string[];
  preflight(origin: string | undefined): string[];
}

/**
 * Publishers' pages call the route from the browser: an allowed Origin is echoed (with `Vary: Origin`), a
 * preflight (a page sending extra headers) gets the method and headers allowed; other origins get no CORS headers.
 */
export function corsHeaders(origins: readonly string[]): RecommendationsCors {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const ok = (origin: string | undefined): origin is string => origin !== undefined && (any || allowed.has(origin));
  return {
    response: (origin) => (ok(origin) ? ['access-control-allow-origin', origin, 'vary', 'Origin'] : []),
    preflight: (origin) =>
      ok(origin)
        ? [
            'access-control-allow-origin',
            origin,
            'vary',
            'Origin',
            'access-control-allow-methods',
            'GET, OPTIONS',
            'access-control-allow-headers',
            'Content-Type, Authorization',
            'access-control-max-age',
            '600',
          ]
        : [],
  };
}
