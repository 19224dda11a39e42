// The query of GET /v1/recommendations, checked by hand (no per-request schema machinery) with exactly the
// rules and messages the route had under Fastify's JSON-schema validation (Ajv, coerceTypes 'array'): the
// properties in the order userId, anonymousId, context, site, k, exclude; the first failure is the answer,
// `querystring/<name> <what is wrong>`. Pinned against Ajv by recommendations-query.test.ts.
import type { RecommendationRequest } from './recommendation-service.js';

/** A parsed query string: values are strings, or arrays when a parameter is repeated. */
export type ParsedQuery = Record<string, string | string[] | undefined>;

/** The request, or the 400 message naming the bad parameter. */
export type QueryCheck = { ok: true; request: RecommendationRequest } | { ok: false; message: string };

const ID_MAX = 256;
const EXCLUDE_MAX = 8192;

/** Length in code points (what JSON schema's maxLength counts), computed only when UTF-16 length could exceed it. */
function tooLong(s: string, max: number): boolean {
  if (s.length <= max) return false;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n++;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n > max;
}

/** A string parameter (arrays of one are taken as their element, like Ajv's array coercion). */
function str(q: ParsedQuery, name: string, min: number, max: number): string | undefined | { error: string } {
  let v: unknown = q[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') v = v[0];
  if (typeof v !== 'string') return { error: `querystring/${name} must be string` };
  if (v.length < min) return { error: `querystring/${name} must NOT have fewer than ${min} characters` };
  if (tooLong(v, max)) return { error: `querystring/${name} must NOT have more than ${max} characters` };
  return v;
}

/** `k`: an integer (a numeric string of an integral value, as Ajv coerces it) from 1 to maxK. */
function integer(q: ParsedQuery, name: string, maxK: number): number | undefined | { error: string } {
  let v: unknown = q[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.length === 1) v = v[0];
  let n: number;
  // Ajv's coercion: a non-empty string equal to its numeric value with no fractional part.
  if (typeof v === 'string' && v !== '' && !Number.isNaN(+v) && !(+v % 1)) n = +v;
  else return { error: `querystring/${name} must be integer` };
  // Ajv checks bounds only on finite numbers: ±Infinity passes here and the service refuses it (400).
  if (Number.isFinite(n) && n < 1) return { error: `querystring/${name} must be >= 1` };
  if (Number.isFinite(n) && n > maxK) return { error: `querystring/${name} must be <= ${maxK}` };
  return n;
}

const isError = (x: unknown): x is { error: string } => typeof x === 'object' && x !== null;

/**
 * Checks a parsed query and turns it into a request.
 * @example checkQuery({ userId: 'u1', k: '10' }, 50) // { ok: true, request: { userId: 'u1', k: 10 } }
 */
export function checkQuery(q: ParsedQuery, maxK: number): QueryCheck {
  const userId = str(q, 'userId', 1, ID_MAX);
  if (isError(userId)) return { ok: false, message: userId.error };
  const anonymousId = str(q, 'anonymousId', 1, ID_MAX);
  if (isError(anonymousId)) return { ok: false, message: anonymousId.error };
  const context = str(q, 'context', 1, ID_MAX);
  if (isError(context)) return { ok: false, message: context.error };
  const site = str(q, 'site', 1, ID_MAX);
  if (isError(site)) return { ok: false, message: site.error };
  const k = integer(q, 'k', maxK);
  if (isError(k)) return { ok: false, message: k.error };
  const exclude = str(q, 'exclude', 0, EXCLUDE_MAX);
  if (isError(exclude)) return { ok: false, message: exclude.error };
  const request: RecommendationRequest = {};
  if (userId) request.userId = userId;
  if (anonymousId) request.anonymousId = anonymousId;
  if (k) request.k = k;
  if (context) request.context = context;
  if (site) request.site = site;
  if (exclude) request.exclude = exclude.split(',').filter(Boolean);
  return { ok: true, request };
}
