// Turns the events of one request into log records: each event is validated, enriched and encoded, or kept
// as a quarantine record with its reason. Encoding happens once per event; its size is the size limit's measure.
import { randomUUID } from 'node:crypto';
import {
  ACCEPTED_EVENT_KEY,
  ENRICHMENT_BYTES,
  LOG_RECORD_VERSION,
  acceptedHeadJson,
  acceptedRecordPrefix,
  adoptHeaderIdentity,
  encodeAcceptedRecord,
  enrichEvent,
  findLoneSurrogate,
  findNonFiniteNumber,
  replaceLoneSurrogates,
  validateEvent,
  type CollectorLimits,
  type RejectionCode,
  type RejectedRecord,
  type RequestFacts,
} from '@lens/protocol';

/** One event of a request that was not accepted, as reported back to the client. */
export interface Rejection {
  index?: number;
  messageId?: string;
  code: RejectionCode | string;
  reason: string;
}

export interface PreparedRequest {
  /** Encoded log records: accepted events and quarantined ones, in request order. */
  records: Buffer[];
  accepted: number;
  rejected: Rejection[];
}

export interface IngestContext extends RequestFacts {
  sourceId: string;
  route: string;
  limits: CollectorLimits;
  /** The request body as received: quarantined in place of an event that cannot be encoded (nested too deeply). */
  requestBody?: Buffer;
  /** The body may hold a number out of a double's range: each event is checked for one. */
  numbersMayOverflow?: boolean;
}

/**
 * Prepares the events of a request. `where` names them in reasons: `batch` gives `batch[3].event: …`,
 * undefined (a single-event route) gives `event.event: …`.
 */
export function prepareEvents(
  events: readonly unknown[],
  ctx: IngestContext,
  where: 'batch' | undefined,
): PreparedRequest {
  // Accepted records are kept as strings and written into one buffer at the end, then sliced into views: one
  // allocation per request instead of one per event (the batch path is allocation-bound). Nothing per event is
  // allocated that an accepted event does not need: labels and reasons are built only for a rejection.
  const parts: (string | Buffer)[] = [];
  const byteLengths: number[] = [];
  const rejected: Rejection[] = [];
  let stringBytes = 0;
  const { prefix, fixedBytes } = recordPrefix(ctx.sourceId, ctx.requestIp);
  // Past enrichment an event is the enriched one (enrichEvent works in place): a rejection found then keeps the
  // request's own bytes when they fit the quarantine cap (`index` says which event), else that event.
  const keepSent = ctx.requestBody !== undefined && ctx.requestBody.length <= ctx.limits.maxQuarantineBytes;
  const labelOf = (index: number): string => (where === undefined ? 'event' : `${where}[${index}]`);
  const reject = (
    input: unknown,
    index: number,
    code: RejectionCode | string,
    reason: string,
    keepRequest = false,
  ): void => {
    const record = rejectEvent(
      ctx,
      input,
      where === undefined ? undefined : index,
      code,
      reason,
      rejected,
      keepRequest,
    );
    parts.push(record);
    byteLengths.push(record.length);
  };
  for (let index = 0; index < events.length; index++) {
    const input = events[index];
    if (ctx.anonymousId !== undefined) adoptHeaderIdentity(input, ctx.anonymousId);
    const check = where === undefined ? validateEvent(input, 'event') : validateEvent(input, where, index);
    if (!check.ok) {
      reject(input, index, check.code, check.reason);
      continue;
    }
    let json: string;
    let head: string;
    try {
      const event = enrichEvent(check.event, ctx, randomUUID);
      json = JSON.stringify(event);
      head = acceptedHeadJson(event);
      // JSON.stringify writes a lone surrogate only as an escape (`\ud800`…`\udfff`).
      const unpaired = json.includes('\\ud') ? findLoneSurrogate(event) : undefined;
      if (unpaired !== undefined) {
        reject(
          input,
          index,
          'invalid_field',
          `${labelOf(index)}${unpaired}: not valid Unicode (an unpaired UTF-16 surrogate), which no UTF-8 table can store`,
          keepSent,
        );
        continue;
      }
      const overflow = ctx.numbersMayOverflow === true ? findNonFiniteNumber(check.event) : undefined;
      if (overflow !== undefined) {
        reject(
          input,
          index,
          'invalid_field',
          `${labelOf(index)}${overflow}: a number out of range (beyond ±1.8e308), which would be stored as null`,
          true, // re-encoded, the number would read null: the quarantine keeps the request's own bytes
        );
        continue;
      }
    } catch (error) {
      // JSON.parse takes any nesting; JSON.stringify recurses and stops at a few thousand levels.
      const tooDeep = error instanceof RangeError && /call stack/i.test(error.message);
      reject(
        input,
        index,
        'invalid_field',
        tooDeep
          ? `${labelOf(index)}: nested too deeply to be stored (${(error as Error).message})`
          : `${labelOf(index)}: cannot be encoded (${(error as Error).message})`,
        keepSent,
      );
      continue;
    }
    const size = Buffer.byteLength(json);
    // The limit is on the event as sent; measured here with the fields the collector adds (messageId, times,
    // context.ip), for which it allows ENRICHMENT_BYTES — an event of exactly the limit is never refused.
    if (size > ctx.limits.maxEventBytes + ENRICHMENT_BYTES) {
      reject(
        input,
        index,
        'too_large',
        `${labelOf(index)}: ${size} bytes as stored (with the collector's fields), larger than the limit of ${ctx.limits.maxEventBytes} (+${ENRICHMENT_BYTES} for those fields)`,
        keepSent,
      );
      continue;
    }
    const recordBytes = fixedBytes + Buffer.byteLength(head) + size;
    parts.push(encodeAcceptedRecord(prefix, head, json));
    byteLengths.push(recordBytes);
    stringBytes += recordBytes;
  }
  return {
    records: encodeParts(parts, byteLengths, stringBytes),
    accepted: parts.length - rejected.length,
    rejected,
  };
}

/** The last accepted-record prefix built: consecutive requests mostly share source and address. */
let lastPrefix: { sourceId: string; requestIp: string | undefined; prefix: string; fixedBytes: number } | undefined;

/** The text accepted records of this source and address start with, and the bytes besides head and event. */
function recordPrefix(sourceId: string, requestIp: string | undefined): { prefix: string; fixedBytes: number } {
  if (lastPrefix === undefined || lastPrefix.sourceId !== sourceId || lastPrefix.requestIp !== requestIp) {
    const prefix = acceptedRecordPrefix(sourceId, requestIp);
    lastPrefix = { sourceId, requestIp, prefix, fixedBytes: Buffer.byteLength(prefix) + ACCEPTED_EVENT_KEY.length + 1 };
  }
  return lastPrefix;
}

/**
 * Writes the string parts into one buffer of `stringBytes` and returns every part as its own view, in order.
 * Written part by part rather than joined first: a batch's joined text is over 128 KiB, which V8 allocates in its
 * large-object space, one per request, collected only by full mark-compacts.
 */
function encodeParts(
  parts: readonly (string | Buffer)[],
  byteLengths: readonly number[],
  stringBytes: number,
): Buffer[] {
  const encoded = Buffer.allocUnsafe(stringBytes);
  const records: Buffer[] = new Array<Buffer>(parts.length);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (typeof part !== 'string') {
      records[i] = part;
      continue;
    }
    const end = at + byteLengths[i]!;
    encoded.write(part, at, byteLengths[i]!, 'utf8');
    records[i] = encoded.subarray(at, end);
    at = end;
  }
  return records;
}

/** `"writeKey":"…"` in request text (analytics.js sends the key in every body). */
const WRITE_KEY_MEMBER = /("writeKey"\s*:\s*)"(?:[^"\\]|\\.)*"/g;

/** Request text with its write keys (credentials, not event data) replaced, as they are left out of events. */
function redactWriteKeys(text: string): string {
  return text.includes('"writeKey"') ? text.replace(WRITE_KEY_MEMBER, '$1"(redacted)"') : text;
}

/** A quarantine record for a whole request that could not be read (bad JSON, too large, bad encoding…). */
export function encodeRejectedRequest(
  ctx: Omit<IngestContext, 'sourceId'> & { sourceId: string | null },
  reason: string,
  raw: Buffer,
): Buffer {
  return requestRecord(ctx, { reason }, raw);
}

/** A quarantine record keeping request bytes (capped): as text when they are UTF-8, else base64. */
function requestRecord(
  ctx: Omit<IngestContext, 'sourceId'> & { sourceId: string | null },
  what: { reason: string; index?: number; messageId?: string },
  raw: Buffer,
): Buffer {
  const kept = raw.length > ctx.limits.maxQuarantineBytes ? raw.subarray(0, ctx.limits.maxQuarantineBytes) : raw;
  const text = kept.toString('utf8');
  const utf8 = Buffer.byteLength(text) === kept.length && !text.includes('\uFFFD');
  return rejectedRecord(
    ctx,
    what,
    utf8 ? redactWriteKeys(text) : kept.toString('base64'),
    utf8 ? 'utf8' : 'base64',
    kept.length < raw.length,
  );
}

/**
 * Lists the rejection for the response and returns its quarantine record: the event as JSON, capped, or with
 * `keepRequest` the request's bytes as received (`index` says which event).
 */
function rejectEvent(
  ctx: IngestContext,
  input: unknown,
  index: number | undefined,
  code: RejectionCode | string,
  reason: string,
  rejected: Rejection[],
  keepRequest = false,
): Buffer {
  const messageId = messageIdOf(input);
  const where = { ...(index === undefined ? {} : { index }), ...(messageId === undefined ? {} : { messageId }) };
  rejected.push({ ...where, code, reason });
  if (keepRequest && ctx.requestBody !== undefined) return requestRecord(ctx, { reason, ...where }, ctx.requestBody);
  let raw: string;
  try {
    // The write key is a credential, not event data: kept out of the quarantine as out of bronze.events.
    raw =
      JSON.stringify(input, function (this: unknown, key: string, value: unknown) {
        return this === input && key === 'writeKey' ? undefined : value;
      }) ?? String(input);
  } catch (error) {
    // The event cannot be re-encoded: keep the bytes it came in (the whole request; `index` says which event).
    if (ctx.requestBody !== undefined) return requestRecord(ctx, { reason, ...where }, ctx.requestBody);
    raw = `(not encodable: ${(error as Error).message})`;
  }
  const cap = ctx.limits.maxQuarantineBytes;
  return rejectedRecord(
    ctx,
    { reason, ...where },
    raw.length > cap ? raw.slice(0, cap) : raw,
    'utf8',
    raw.length > cap,
  );
}

function rejectedRecord(
  ctx: Omit<IngestContext, 'sourceId'> & { sourceId: string | null },
  what: { reason: string; index?: number; messageId?: string },
  raw: string,
  rawEncoding: RejectedRecord['rawEncoding'],
  truncated: boolean,
): Buffer {
  const record: RejectedRecord = {
    v: LOG_RECORD_VERSION,
    kind: 'rejected',
    sourceId: ctx.sourceId,
    receivedAt: ctx.receivedAtIso,
    ...(ctx.requestIp === undefined ? {} : { requestIp: ctx.requestIp }),
    route: ctx.route,
    ...what,
    raw,
    rawEncoding,
    ...(truncated ? { truncated: true } : {}),
  };
  return Buffer.from(JSON.stringify(record), 'utf8');
}

function messageIdOf(input: unknown): string | undefined {
  const id = (input as { messageId?: unknown } | null)?.messageId;
  // Reported and stored as UTF-8 text: an unpaired surrogate (the event is refused for it) becomes U+FFFD here.
  return typeof id === 'string' && id.length <= 100 ? replaceLoneSurrogates(id) : undefined;
}
