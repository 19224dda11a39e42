// The tracking API's hot path on plain node:http: one event per call (`/v1/track`…, Segment's short `/v1/t`…),
// batches (`/v1/batch`, `/v1/b`, `/beacon/v1/batch`) and the SDKs' self-metrics posts. It bypasses Fastify's
// request lifecycle (measured at a third of the bare node:http throughput); everything else stays on Fastify.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { EVENT_TYPES, parseTimestampMs, type EventType, type JsonObject } from '@lens/protocol';
import { decodeBody, isCompressed, parseBody, readBody, type RequestBody } from './body-reader.js';
import type { CollectorContext } from './collector-context.js';
import type { CorsPolicy } from './cors-policy.js';
import { appendDurably } from './durable-append.js';
import { errorBody, HttpError } from './http-error.js';
import {
  encodeRejectedRequest,
  prepareEvents,
  type IngestContext,
  type PreparedRequest,
  type Rejection,
} from './ingest.js';
import { requestFacts } from './request-facts.js';
import { findWriteKey, writeKeyInRawBody } from './write-key.js';

type Mode = EventType | 'batch' | 'sdk-metrics';

/** What an ingest route answers with 200: how many events were kept and which were quarantined, and why. */
export interface IngestResponse {
  success: true;
  accepted: number;
  rejected?: Rejection[];
}

const ROUTES: ReadonlyMap<string, Mode> = new Map<string, Mode>([
  ...EVENT_TYPES.flatMap((type): [string, Mode][] => [
    [`/v1/${type}`, type],
    [`/v1/${type[0]}`, type],
  ]),
  ['/v1/batch', 'batch'],
  ['/v1/b', 'batch'],
  ['/beacon/v1/batch', 'batch'],
  ['/v1/m', 'sdk-metrics'],
  ['/rsaMetrics', 'sdk-metrics'],
]);

/** The ingest routes, for documentation and tests. */
export const INGEST_ROUTES: readonly string[] = [...ROUTES.keys()];

/**
 * Returns a request listener that handles the ingest routes and answers `false` for anything else (which then
 * goes to Fastify).
 */
export function createIngestHandler(
  ctx: CollectorContext,
  cors: CorsPolicy,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const mode = ROUTES.get(path);
    if (mode === undefined) return false;
    const query = q === -1 ? undefined : Object.fromEntries(new URLSearchParams(url.slice(q + 1)));
    serve(ctx, cors, req, res, mode, path, query);
    return true;
  };
}

/**
 * Serves one ingest request with callbacks and one `.then` on the append, not an async function: a promise hop
 * less per await shows at tens of thousands of requests a second.
 */
function serve(
  ctx: CollectorContext,
  cors: CorsPolicy,
  req: IncomingMessage,
  res: ServerResponse,
  mode: Mode,
  route: string,
  query: Record<string, string> | undefined,
): void {
  const exchange = new Exchange(ctx, req, res, route);
  cors.responseHeaders(req.headers.origin, exchange.headers);
  try {
    cors.check(req.headers.origin);
  } catch (error) {
    return exchange.fail(error);
  }
  readBody(req, ctx.config.limits.maxRequestBytes, (error, bytes, overLimit) => {
    if (error !== undefined) return exchange.fail(error);
    try {
      ctx.metrics.requestBytes.inc(bytes.length);
      if (mode === 'sdk-metrics') {
        ctx.metrics.sdkMetrics.inc();
        return exchange.answer(200, '{"success":true}', overLimit);
      }
      ingestBytes(ctx, req, mode, route, query, bytes, overLimit).then(
        (answer) => exchange.answer(answer.status, JSON.stringify(answer.body), overLimit),
        (failure: unknown) => exchange.fail(failure),
      );
    } catch (failure) {
      exchange.fail(failure);
    }
  });
}

/** One request and its answer: the response headers, and the request metric once answered. */
class Exchange {
  readonly started = performance.now();
  readonly headers: OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8' };

  constructor(
    private readonly ctx: CollectorContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly route: string,
  ) {}

  answer(status: number, body: string, overLimit = false): void {
    if (overLimit) this.headers.connection = 'close';
    if (!this.res.destroyed) {
      this.res.writeHead(status, this.headers);
      this.res.end(body);
    }
    this.ctx.metrics.request(this.route, status, (performance.now() - this.started) / 1000);
  }

  fail(error: unknown): void {
    const { ctx, req } = this;
    if (error instanceof HttpError) {
      Object.assign(this.headers, error.headers);
      if (error.statusCode >= 500) ctx.logger.warn({ err: error, url: req.url }, 'request_failed');
      this.answer(error.statusCode, JSON.stringify(errorBody(error.code, error.message)));
    } else if (clientGone(req, error)) {
      // The client hung up mid-upload (a page unloading, a mobile network dropping): nothing was acknowledged,
      // nothing is wrong here. Counted as 499 (nginx's "client closed request"), not as a crash.
      ctx.logger.debug({ url: req.url }, 'request_aborted_by_client');
      this.answer(499, '');
    } else {
      ctx.logger.error({ err: error, url: req.url }, 'request_crashed');
      this.answer(
        500,
        JSON.stringify(errorBody('internal_error', 'internal error; the request was not stored, retry it')),
      );
    }
  }
}

type Answer = { status: number; body: unknown };

/**
 * Decodes the body and ingests it. No async frame holds the decoded body while its records wait for the group
 * commit: a batch's parsed events kept alive across that wait (~60 KB of objects per request in flight) made every
 * young-generation collection copy megabytes, about a fifth of the batch path's main-thread time.
 */
function ingestBytes(
  ctx: CollectorContext,
  req: IncomingMessage,
  mode: EventType | 'batch',
  route: string,
  query: Record<string, string> | undefined,
  bytes: Buffer,
  overLimit: boolean,
): Promise<Answer> {
  if (overLimit) {
    const reason = `body is larger than the limit of ${ctx.config.limits.maxRequestBytes} bytes`;
    const body: RequestBody = { ok: false, raw: bytes, statusCode: 413, code: 'request_too_large', reason };
    return ingest(ctx, req, mode, route, query, body);
  }
  const encoding = req.headers['content-encoding'];
  if (!isCompressed(encoding)) return ingest(ctx, req, mode, route, query, parseBody(bytes)); // without a promise
  return decodeBody(bytes, encoding, ctx.config.limits).then((body) => ingest(ctx, req, mode, route, query, body));
}

/**
 * Checks, prepares and appends a request's events. Synchronous up to the append (it throws an HttpError for a
 * refused request): the wait for the group commit is in `commit`, whose frame holds only the records.
 */
function ingest(
  ctx: CollectorContext,
  req: IncomingMessage,
  mode: EventType | 'batch',
  route: string,
  query: Record<string, string> | undefined,
  body: RequestBody,
): Promise<Answer> {
  const receivedAt = new Date();
  const value = body.ok ? body.value : undefined;
  // A body that cannot be read may still name its key (analytics.js sends it in the body, to avoid a preflight).
  const writeKey =
    findWriteKey(req.headers.authorization, query, value) ?? (body.ok ? undefined : writeKeyInRawBody(body.raw));
  const source = ctx.sources.byWriteKey(writeKey);
  if (writeKey !== undefined && source === undefined)
    throw new HttpError(401, 'unknown_write_key', 'the write key is not one of a configured, enabled source');
  // Only a known source's requests are kept: anyone who reaches the port must not fill the disk with garbage.
  if (!body.ok && source === undefined)
    throw new HttpError(
      401,
      'missing_write_key',
      `no write key, and the body cannot be read (${body.reason}): nothing was kept. Send the key as HTTP Basic username or a writeKey query parameter`,
    );
  const facts = requestFacts(ctx, req, receivedAt);
  // Spelled out, not spread: `{ ...facts, route… }` took V8's slow object-clone path, ~3 µs of a request's ~35.
  const ingestCtx: IngestContext = {
    receivedAt: facts.receivedAt,
    receivedAtIso: facts.receivedAtIso,
    requestIp: facts.requestIp,
    sentAt: facts.sentAt,
    anonymousId: facts.anonymousId,
    context: facts.context,
    integrations: facts.integrations,
    route,
    limits: ctx.config.limits,
    sourceId: source?.id ?? '',
    requestBody: body.raw,
    requestJson: body.ok && body.storableAsSent ? body.json : undefined,
    callType: mode === 'batch' ? undefined : mode,
    numbersMayOverflow: body.ok && body.numbersMayOverflow,
  };

  if (!body.ok) return rejectRequest(ctx, ingestCtx, body.raw, body.statusCode, body.code, body.reason);
  if (source === undefined)
    throw new HttpError(
      401,
      'missing_write_key',
      'no write key: send it as HTTP Basic username, a writeKey query parameter or a writeKey body field',
    );

  let events: unknown[];
  if (mode === 'batch') {
    const envelope = value as { batch?: unknown; sentAt?: unknown; context?: unknown; integrations?: unknown } | null;
    if (typeof envelope !== 'object' || envelope === null || !Array.isArray(envelope.batch)) {
      return rejectRequest(
        ctx,
        ingestCtx,
        body.raw,
        400,
        'invalid_batch',
        'batch: the body must be an object with a "batch" array of events',
      );
    }
    if (envelope.batch.length > ctx.config.limits.maxBatchEvents) {
      return rejectRequest(
        ctx,
        ingestCtx,
        body.raw,
        413,
        'batch_too_large',
        `batch: ${envelope.batch.length} events, more than the limit of ${ctx.config.limits.maxBatchEvents}`,
      );
    }
    const badEnvelope = envelopeProblem(envelope);
    if (badEnvelope !== undefined) return rejectRequest(ctx, ingestCtx, body.raw, 400, 'invalid_batch', badEnvelope);
    if (typeof envelope.sentAt === 'string') ingestCtx.sentAt = envelope.sentAt;
    if (isObject(envelope.context)) ingestCtx.context = envelope.context;
    if (isObject(envelope.integrations)) ingestCtx.integrations = envelope.integrations;
    events = envelope.batch;
  } else {
    if (isObject(value)) value.type = mode; // the route names the call type, as on Segment's and RudderStack's gateways
    events = [value];
  }

  return commit(ctx, source.id, mode, prepareEvents(events, ingestCtx, mode === 'batch' ? 'batch' : undefined));
}

/** Appends prepared records durably, then counts them and builds the answer. */
function commit(
  ctx: CollectorContext,
  sourceId: string,
  mode: EventType | 'batch',
  prepared: PreparedRequest,
): Promise<Answer> {
  return appendDurably(ctx, prepared.records).then(() => answerFor(ctx, sourceId, mode, prepared));
}

/** Counts a durably appended request's events and builds its answer (400 for a single event that was refused). */
function answerFor(
  ctx: CollectorContext,
  sourceId: string,
  mode: EventType | 'batch',
  prepared: PreparedRequest,
): Answer {
  ctx.metrics.accepted(sourceId, prepared.accepted, prepared.storedAs);
  for (const rejection of prepared.rejected) ctx.metrics.eventsRejected.inc({ reason: rejection.code });
  if (mode !== 'batch' && prepared.rejected.length > 0) {
    const rejection = prepared.rejected[0]!;
    return {
      status: 400,
      body: { ...errorBody(rejection.code, rejection.reason), accepted: 0, rejected: prepared.rejected },
    };
  }
  const answer: IngestResponse =
    prepared.rejected.length === 0
      ? { success: true, accepted: prepared.accepted }
      : { success: true, accepted: prepared.accepted, rejected: prepared.rejected };
  return { status: 200, body: answer };
}

async function rejectRequest(
  ctx: CollectorContext,
  ingestCtx: IngestContext,
  raw: Buffer,
  status: 400 | 413 | 415,
  code: string,
  reason: string,
): Promise<never> {
  await quarantineRequest(ctx, ingestCtx, reason, raw, code);
  throw new HttpError(status, code, reason);
}

async function quarantineRequest(
  ctx: CollectorContext,
  ingestCtx: Omit<IngestContext, 'sourceId'> & { sourceId: string | null },
  reason: string,
  raw: Buffer,
  code: string,
): Promise<void> {
  await appendDurably(ctx, [encodeRejectedRequest(ingestCtx, reason, raw)]);
  ctx.metrics.eventsRejected.inc({ reason: code });
}

function clientGone(req: IncomingMessage, error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return req.destroyed && (code === 'ECONNRESET' || (error as Error | undefined)?.message === 'aborted');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with a batch envelope's own fields, which follow the events' rules (objects where objects belong,
 * parseable times; null is absent): a bad one refuses the request (kept whole in the quarantine) rather than being
 * dropped without a word.
 */
function envelopeProblem(envelope: {
  sentAt?: unknown;
  context?: unknown;
  integrations?: unknown;
}): string | undefined {
  const { sentAt } = envelope;
  if (sentAt != null && (typeof sentAt !== 'string' || Number.isNaN(parseTimestampMs(sentAt))))
    return `batch envelope sentAt: ${JSON.stringify(sentAt)} is not a valid time`;
  for (const key of ['context', 'integrations'] as const)
    if (envelope[key] != null && !isObject(envelope[key])) return `batch envelope ${key}: must be an object`;
  return undefined;
}
