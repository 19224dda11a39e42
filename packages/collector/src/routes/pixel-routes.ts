// Tracking pixels for e-mail and AMP: `GET /pixel/v1/{track,page}` (RudderStack: fields as query parameters,
// dotted for nesting) and Segment's `GET /v1/pixel/{track,page}?data=base64(JSON)`. Always answers a 1×1 GIF,
// with the status (and an X-Lens-Error header) telling whether the event was kept.
import type { JsonObject } from '@lens/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { appendDurably } from '../durable-append.js';
import { HttpError } from '../http-error.js';
import { encodeRejectedRequest, prepareEvents, type IngestContext } from '../ingest.js';
import { findWriteKey } from '../write-key.js';

/** A transparent 1×1 GIF. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function registerPixelRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  for (const type of ['track', 'page'] as const) {
    const handler = (request: FastifyRequest, reply: FastifyReply) => pixel(ctx, request, reply, type);
    app.get(`/pixel/v1/${type}`, handler);
    app.get(`/v1/pixel/${type}`, handler);
  }
}

async function pixel(
  ctx: CollectorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  type: 'track' | 'page',
): Promise<Buffer> {
  reply.header('content-type', 'image/gif').header('cache-control', 'no-store, max-age=0');
  // HEAD (link checkers, prefetchers, mail scanners) gets the pixel's headers: nobody viewed anything.
  if (request.method === 'HEAD') return PIXEL_GIF;
  try {
    const receivedAt = new Date();
    const userAgent = request.headers['user-agent'];
    const facts = (sourceId: string): IngestContext => ({
      sourceId,
      route: request.routeOptions.url ?? request.url,
      limits: ctx.config.limits,
      receivedAt,
      receivedAtIso: receivedAt.toISOString(),
      requestIp: request.ip,
      sentAt: undefined,
      anonymousId: undefined,
      // The client that loaded the pixel (a mail client, an image proxy, a crawler): what bot checks read.
      context: userAgent === undefined ? undefined : { userAgent },
      integrations: undefined,
      // `data` is JSON too: a number beyond a double's range (1e400) parses as Infinity, which would be stored as null.
      numbersMayOverflow: true,
    });
    let event: JsonObject;
    try {
      event = eventFromQuery(request.query as Record<string, unknown>);
    } catch (error) {
      // Unreadable `data` of a pixel naming a known source: kept in the quarantine, as an unreadable POST is.
      const named = ctx.sources.byWriteKey(findWriteKey(request.headers.authorization, request.query, undefined));
      if (error instanceof HttpError && named !== undefined) {
        const query = request.url.slice(request.url.indexOf('?') + 1);
        await appendDurably(ctx, [encodeRejectedRequest(facts(named.id), error.message, Buffer.from(query))]);
        ctx.metrics.eventsRejected.inc({ reason: error.code });
      }
      throw error;
    }
    const source = ctx.sources.byWriteKey(findWriteKey(request.headers.authorization, request.query, event));
    if (source === undefined) throw new HttpError(401, 'unknown_write_key', 'missing or unknown writeKey');
    delete event.writeKey;
    event.type = type;
    const prepared = prepareEvents([event], facts(source.id), undefined);
    await appendDurably(ctx, prepared.records);
    ctx.metrics.accepted(source.id, prepared.accepted, prepared.storedAs);
    const rejection = prepared.rejected[0];
    if (rejection !== undefined) {
      ctx.metrics.eventsRejected.inc({ reason: rejection.code });
      reply.code(400).header('x-lens-error', headerText(rejection.reason));
    }
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    reply.code(error.statusCode).headers(error.headers).header('x-lens-error', headerText(error.message));
  }
  return PIXEL_GIF;
}

/**
 * A reason as a header value: it may name a field in any script (`properties["日本"]`), and Node refuses to send a
 * header holding characters beyond Latin-1 (the answer would be a 500 without its GIF): those are escaped as `\uXXXX`.
 */
function headerText(reason: string): string {
  return reason.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Builds the event from `data=base64(JSON)` or from dotted query parameters (`context.page.url=…`). */
function eventFromQuery(query: Record<string, unknown>): JsonObject {
  if (typeof query.data === 'string') {
    let parsed: unknown;
    try {
      // A "+" of base64 pasted into a URL unencoded (as Segment's docs show it) reads as a space in a query
      // string, and Node's base64 decoder skips spaces: restore them, or the JSON comes out garbled.
      parsed = JSON.parse(Buffer.from(query.data.replaceAll(' ', '+'), 'base64').toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_json', 'data: not base64-encoded JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new HttpError(400, 'invalid_json', 'data: must encode a JSON object');
    return parsed as JsonObject;
  }
  const event: JsonObject = {};
  for (const [key, value] of Object.entries(query)) {
    const path = key.split('.');
    if (path.some((part) => part === '' || FORBIDDEN_KEYS.has(part))) continue;
    let node = event;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== 'object' || next === null) node[part] = {};
      node = node[part] as JsonObject;
    }
    node[path[path.length - 1]!] = Array.isArray(value) ? value[value.length - 1] : value;
  }
  return event;
}
