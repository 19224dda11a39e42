// The JSON of a recommendations response, written directly: the bytes the route's fast-json-stringify
// response schema produced (properties in schema order, absent ones left out), without the schema machinery
// on every request. Pinned against Fastify's serialiser by recommendations-query.test.ts.
import type { RecommendationResponse } from './recommendation-service.js';

/**
 * A JSON string literal: strings with nothing to escape (ids, reasons, sections, hosts: nearly all) are quoted
 * directly, the rest go through JSON.stringify (the same bytes either way; about half the cost).
 */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}
const q = jsonString;

/** Numbers as fast-json-stringify writes them (non-finite as null). */
const num = (n: number): string => (Number.isFinite(n) ? '' + n : 'null');

/** The response body of a 200. */
export function responseJson(r: RecommendationResponse): string {
  return '{"listId":' + q(r.listId) + responseJsonTail(r);
}

/**
 * The body after `{"listId":"…"`: all of it but the list id, so an answer served again is written as
 * `'{"listId":"' + id + '"' + tail` (the same bytes as `responseJson`).
 */
export function responseJsonTail(r: Omit<RecommendationResponse, 'listId'>): string {
  let s = ',"source":' + q(r.source);
  if (r.personId !== undefined) s += ',"personId":' + q(r.personId);
  s += ',"modelVersion":' + q(r.modelVersion) + ',"items":[';
  const items = r.items;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (i > 0) s += ',';
    s += '{"articleId":' + q(it.articleId) + ',"score":' + num(it.score) + ',"reason":' + q(it.reason);
    if (it.becauseArticleId !== undefined) s += ',"becauseArticleId":' + q(it.becauseArticleId);
    if (it.section !== undefined) s += ',"section":' + q(it.section);
    if (it.site !== undefined) s += ',"site":' + q(it.site);
    s += ',"position":' + num(it.position) + '}';
  }
  return s + ']}';
}
