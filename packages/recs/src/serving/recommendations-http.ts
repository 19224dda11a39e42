// GET /v1/recommendations as plain HTTP: one `answer` (query → status and JSON body, never throws) shared by
// the Fastify route and by `fastPath`, a node:http listener a server can put in front of Fastify (the
// collector's ingest path does the same) so the hot route skips Fastify's request lifecycle. Both give the
// same status, headers and bytes: query rules in recommendations-query.ts, 200 bodies in response-json.ts,
// errors in the server's shape, `{"error": {"code", "message", "field"?}}` (400 `invalid_query` naming the bad
// parameter, 503 `not_loaded` / `store_unavailable` with Retry-After, 500 `internal`).
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

/** A status and a JSON body (a string, or its UTF-8 bytes); `retryAfter` (seconds) is sent with a 503. */
export interface HttpAnswer {
  status: number;
  body: string | Buffer;
  retryAfter?: number;
}

/** A node:http listener that answers the requests it claims (true) and leaves the rest (false). */
export type FastPathHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The route, independent of the HTTP framework. */
export interface RecommendationsEndpoint {
  /** Answers a parsed query; errors become their status and `{"error": {code, message, field?}}`. */
  answer(query: ParsedQuery): Promise<HttpAnswer>;
  /** Answers GET (and the CORS preflight OPTIONS) of /v1/recommendations on node:http; false for anything else. */
  fastPath: FastPathHandler;
  /** The CORS headers both paths add. */
  cors: RecommendationsCors;
}

/** Checked queries kept by the fast path (two generations of half as many), and the longest query kept. */
const QUERIES_KEPT = 50_000;
const QUERY_KEPT_CHARS = 1024;

/** The body every Lens server error has (packages/server's ErrorBody). */
const errorBody = (code: string, message: string, field?: string): string =>
  JSON.stringify({ error: field === undefined ? { code, message } : { code, message, field } });
/** The parameter a query check's message names (`querystring/<name> must …`). */
const fieldOf = (message: string): string | undefined => /^querystring\/(\w+)/.exec(message)?.[1];
/** Seconds a client is told to wait before retrying a 503: a store that failed, and one not loaded yet. */
const RETRY_STORE_S = 5;
const RETRY_NOT_LOADED_S = 30;
const INTERNAL = errorBody('internal', 'internal error (logged)');

/** The answer for a refused request (RecsRequestError): 400 `invalid_query` naming the parameter, or 503 `not_loaded`. */
function requestErrorAnswer(error: RecsRequestError): HttpAnswer {
  if (error.statusCode === 503)
    return { status: 503, body: errorBody('not_loaded', error.message), retryAfter: RETRY_NOT_LOADED_S };
  const field = Object.keys(error.context ?? {})[0];
  return { status: error.statusCode, body: errorBody('invalid_query', error.message, field) };
}

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
    if (error instanceof RecsRequestError) return requestErrorAnswer(error);
    if (error instanceof KeyValueStoreError)
      return {
        status: 503,
        body: errorBody('store_unavailable', 'recommendations store unavailable; retry later'),
        retryAfter: RETRY_STORE_S,
      };
    options.onError?.(error);
    return { status: 500, body: INTERNAL };
  };
  const answerChecked = async (checked: QueryCheck): Promise<HttpAnswer> => {
    if (!checked.ok)
      return { status: 400, body: errorBody('invalid_query', checked.message, fieldOf(checked.message)) };
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
    const headers = ['content-type', JSON_CONTENT_TYPE, 'content-length', length];
    if (a.retryAfter !== undefined) headers.push('retry-after', String(a.retryAfter));
    res.writeHead(a.status, extra === undefined || extra.length === 0 ? headers : [...headers, ...extra]);
    res.end(a.body);
  };
  const fastPath: FastPathHandler = (req, res) => {
    if (req.method !== 'GET' && req.method !== 'OPTIONS') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) !== RECOMMENDATIONS_PATH) return false;
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors.preflight(origin, req.headers['access-control-request-headers']));
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
  /** `requested`: the preflight's Access-Control-Request-Headers, allowed as asked (the route only reads). */
  preflight(origin: string | undefined, requested?: string): string[];
}

/**
 * Publishers' pages call the route from the browser: an allowed Origin is echoed (with `Vary: Origin`), a
 * preflight (a page sending extra headers) gets the method and the headers it asked for (a GET that changes
 * nothing: any header a page's fetch wrapper adds is harmless); other origins get no CORS headers.
 */
export function corsHeaders(origins: readonly string[]): RecommendationsCors {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const ok = (origin: string | undefined): origin is string => origin !== undefined && (any || allowed.has(origin));
  return {
    response: (origin) => (ok(origin) ? ['access-control-allow-origin', origin, 'vary', 'Origin'] : []),
    preflight: (origin, requested) =>
      ok(origin)
        ? [
            'access-control-allow-origin',
            origin,
            'vary',
            'Origin',
            'access-control-allow-methods',
            'GET, OPTIONS',
            'access-control-allow-headers',
            requested === undefined || requested.trim() === '' ? 'Content-Type, Authorization' : requested,
            'access-control-max-age',
            '600',
          ]
        : [],
  };
}
