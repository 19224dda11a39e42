// The tracking API routes: one event per call (`/v1/track`…, Segment's short `/v1/t`…), batches (`/v1/batch`,
// `/v1/b`, `/beacon/v1/batch`), and the SDKs' self-metrics posts. Answers only after the log made them durable.
import { EVENT_TYPES, type EventType, type JsonObject } from '@lens/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestBody } from '../body-reader.js';
import type { CollectorContext } from '../collector-context.js';
import { appendDurably } from '../durable-append.js';
import type { RequestFacts } from '../enrich.js';
import { HttpError } from '../http-error.js';
import { encodeRejectedRequest, prepareEvents, type IngestContext } from '../ingest.js';
import { findWriteKey } from '../write-key.js';

/** What an ingest route answers with 200: how many events were kept and which were quarantined, and why. */
export interface IngestResponse {
  success: true;
  accepted: number;
  rejected?: { index?: number; messageId?: string; code: string; reason: string }[];
}

export function registerIngestRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  for (const type of EVENT_TYPES) {
    const single = (request: FastifyRequest, reply: FastifyReply) => ingest(ctx, request, reply, type);
    app.post(`/v1/${type}`, single);
    app.post(`/v1/${type[0]}`, single); // Segment analytics-next: first letter of the type
  }
  const batch = (request: FastifyRequest, reply: FastifyReply) => ingest(ctx, request, reply, 'batch');
  app.post('/v1/batch', batch);
  app.post('/v1/b', batch);
  app.post('/beacon/v1/batch', batch);
  const sdkMetrics = async () => {
    ctx.metrics.sdkMetrics.inc();
    return { success: true };
  };
  app.post('/v1/m', sdkMetrics);
  app.post('/rsaMetrics', sdkMetrics);
}

async function ingest(ctx: CollectorContext, request: FastifyRequest, reply: FastifyReply, mode: EventType | 'batch'): Promise<IngestResponse> {
  const body = request.body as RequestBody | undefined;
  const receivedAt = new Date();
  const route = request.routeOptions.url ?? request.url;
  const value = body?.ok ? body.value : undefined;
  const writeKey = findWriteKey(request.headers.authorization, request.query, value);
  const source = ctx.sources.byWriteKey(writeKey);
  if (writeKey !== undefined && source === undefined) throw new HttpError(401, 'unknown_write_key', 'the write key is not one of a configured, enabled source');
  const facts = requestFacts(request, receivedAt);
  const base = { ...facts, route, limits: ctx.config.limits };

  if (body === undefined || !body.ok) {
    const reason = body?.reason ?? 'body is empty: expected a JSON object';
    await quarantineRequest(ctx, { ...base, sourceId: source?.id ?? null }, reason, body?.raw ?? Buffer.alloc(0), body?.code ?? 'empty_body');
    throw new HttpError(body?.statusCode ?? 400, body?.code ?? 'empty_body', reason, body?.statusCode === 413 ? { headers: { connection: 'close' } } : {});
  }
  if (source === undefined) throw new HttpError(401, 'missing_write_key', 'no write key: send it as HTTP Basic username, a writeKey query parameter or a writeKey body field');
  const ingestCtx: IngestContext = { ...base, sourceId: source.id };

  let events: unknown[];
  let where: 'batch' | undefined;
  if (mode === 'batch') {
    const envelope = value as { batch?: unknown; sentAt?: unknown; context?: unknown; integrations?: unknown } | null;
    if (typeof envelope !== 'object' || envelope === null || !Array.isArray(envelope.batch)) {
      return rejectRequest(ctx, ingestCtx, body.raw, 400, 'invalid_batch', 'batch: the body must be an object with a "batch" array of events');
    }
    if (envelope.batch.length > ctx.config.limits.maxBatchEvents) {
      return rejectRequest(ctx, ingestCtx, body.raw, 413, 'batch_too_large', `batch: ${envelope.batch.length} events, more than the limit of ${ctx.config.limits.maxBatchEvents}`);
    }
    if (typeof envelope.sentAt === 'string') ingestCtx.sentAt = envelope.sentAt;
    if (isObject(envelope.context)) ingestCtx.context = envelope.context;
    if (isObject(envelope.integrations)) ingestCtx.integrations = envelope.integrations;
    events = envelope.batch;
    where = 'batch';
  } else {
    if (isObject(value)) value.type = mode; // the route names the call type, as on Segment's and RudderStack's gateways
    events = [value];
  }

  const prepared = prepareEvents(events, ingestCtx, where);
  await appendDurably(ctx, prepared.records);
  ctx.metrics.eventsAccepted.inc({ source: source.id }, prepared.accepted);
  for (const rejection of prepared.rejected) ctx.metrics.eventsRejected.inc({ reason: rejection.code });
  if (mode !== 'batch' && prepared.rejected.length > 0) {
    const rejection = prepared.rejected[0]!;
    reply.code(400);
    return { success: false, error: { code: rejection.code, message: rejection.reason }, accepted: 0, rejected: prepared.rejected } as never;
  }
  return prepared.rejected.length === 0 ? { success: true, accepted: prepared.accepted } : { success: true, accepted: prepared.accepted, rejected: prepared.rejected };
}

async function rejectRequest(ctx: CollectorContext, ingestCtx: IngestContext, raw: Buffer, status: 400 | 413, code: string, reason: string): Promise<never> {
  await quarantineRequest(ctx, ingestCtx, reason, raw, code);
  throw new HttpError(status, code, reason);
}

async function quarantineRequest(ctx: CollectorContext, ingestCtx: Omit<IngestContext, 'sourceId'> & { sourceId: string | null }, reason: string, raw: Buffer, code: string): Promise<void> {
  await appendDurably(ctx, [encodeRejectedRequest(ingestCtx, reason, raw)]);
  ctx.metrics.eventsRejected.inc({ reason: code });
}

function requestFacts(request: FastifyRequest, receivedAt: Date): RequestFacts {
  const sentAtHeader = request.headers.sentat;
  const anonymousIdHeader = request.headers.anonymousid;
  let anonymousId: string | undefined;
  if (typeof anonymousIdHeader === 'string' && anonymousIdHeader.length > 0 && anonymousIdHeader.length <= 1400) {
    const decoded = Buffer.from(anonymousIdHeader, 'base64').toString('utf8');
    if (decoded.length > 0 && decoded.length <= 1024 && !decoded.includes('\uFFFD')) anonymousId = decoded;
  }
  return {
    receivedAt,
    receivedAtIso: receivedAt.toISOString(),
    requestIp: request.ip,
    sentAt: typeof sentAtHeader === 'string' ? sentAtHeader : undefined,
    anonymousId,
    context: undefined,
    integrations: undefined,
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
