// Turns the events of one request into log records, and every event refused into a quarantine record with its
// reason. Accepted events go into one request record holding the body as received (version 3: nothing
// re-encoded) when the request allows it, else each is enriched and encoded into its own record (version 2).
import { randomUUID } from 'node:crypto';
import {
  ACCEPTED_EVENT_KEY,
  ENRICHMENT_BYTES,
  LOG_RECORD_VERSION,
  acceptedHeadJson,
  acceptedRecordPrefix,
  adoptHeaderIdentity,
  encodeAcceptedRecord,
  encodeRequestRecord,
  enrichEvent,
  findLoneSurrogate,
  findNonFiniteNumber,
  jsonString,
  replaceLoneSurrogates,
  requestRecordHead,
  validateEvent,
  type CollectorLimits,
  type EventType,
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
  /**
   * Encoded log records: the request record (when an event was accepted) then the quarantined events, in request
   * order; or, stored per event, the accepted and quarantined events in request order.
   */
  records: Buffer[];
  accepted: number;
  rejected: Rejection[];
  /** How the accepted events are stored: in one request record as sent, or enriched one record each. */
  storedAs: StoredAs;
}

/** How a request's accepted events are stored (a metrics label): see prepareEvents. */
export type StoredAs = 'request' | 'event';

export interface IngestContext extends RequestFacts {
  sourceId: string;
  route: string;
  limits: CollectorLimits;
  /** The request body as received: quarantined in place of an event that cannot be encoded (nested too deeply). */
  requestBody?: Buffer;
  /**
   * The JSON text the events were parsed from, when they come from it untouched and it may be stored as it came
   * (RequestBody.storableAsSent): a request record may hold it.
   */
  requestJson?: Buffer;
  /** The call type a single-event route gives its event (already set on the event), for the request record. */
  callType?: EventType;
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
  return (
    (ctx.requestJson !== undefined && prepareRequestRecord(events, ctx, ctx.requestJson, where)) ||
    prepareEventRecords(events, ctx, where)
  );
}

/**
 * The request's accepted events as one request record (AcceptedRequestRecord) holding `json` as received, and a
 * quarantine record per refused event; undefined when the request needs the per-event path (prepareEventRecords):
 * an event nested deeper than MAX_REQUEST_RECORD_DEPTH, one that may be larger than the limit, or two events with
 * one message id (their record would give them one log position, which a replay cannot tell apart). A body that
 * cannot be stored as it came never gets here (RequestBody.storableAsSent). Each event is validated as on that
 * path; enrichment is left to the record's readers (acceptedEvents).
 */
function prepareRequestRecord(
  events: readonly unknown[],
  ctx: IngestContext,
  json: Buffer,
  where: 'batch' | undefined,
): PreparedRequest | undefined {
  const records: Buffer[] = [];
  const rejected: Rejection[] = [];
  let eventsJson = '';
  let smallestTotal = 0;
  let largest = 0;
  let sentIds: Set<string> | undefined;
  for (let index = 0; index < events.length; index++) {
    const input = events[index];
    let size: number;
    try {
      size = fewestBytes(input); // before the header's identity is adopted: the text as sent
    } catch {
      return undefined; // nested too deeply: the per-event path stores or refuses it, and names it
    }
    if (ctx.anonymousId !== undefined) adoptHeaderIdentity(input, ctx.anonymousId);
    const check = where === undefined ? validateEvent(input, 'event') : validateEvent(input, where, index);
    if (!check.ok) {
      records.push(
        rejectEvent(ctx, input, where === undefined ? undefined : index, check.code, check.reason, rejected),
      );
      continue;
    }
    smallestTotal += size;
    if (size > largest) largest = size;
    let messageId = check.event.messageId;
    if (typeof messageId !== 'string') messageId = randomUUID();
    else if (events.length > 1) {
      sentIds ??= new Set();
      if (sentIds.has(messageId)) return undefined;
      sentIds.add(messageId);
    }
    eventsJson += `${eventsJson === '' ? '' : ','}[${index},${jsonString(messageId)}]`;
  }
  // No event's text is longer than the body less the fewest bytes the others take (rejected ones count as 0).
  if (json.length - smallestTotal + largest > ctx.limits.maxEventBytes) return undefined;
  if (eventsJson === '') return { records, accepted: 0, rejected, storedAs: 'request' };
  const head = requestRecordHead(
    {
      sourceId: ctx.sourceId,
      requestIp: ctx.requestIp,
      receivedAt: ctx.receivedAtIso,
      sentAt: ctx.sentAt,
      anonymousId: ctx.anonymousId,
      type: ctx.callType,
    },
    `[${eventsJson}]`,
  );
  records.unshift(encodeRequestRecord(head, json));
  return { records, accepted: events.length - rejected.length, rejected, storedAs: 'request' };
}

/**
 * Nesting a request record holds at most: its readers re-encode each event (JSON.stringify recurses, and stops at a
 * few thousand levels); an SDK's events nest a handful. Deeper events take the per-event path, which names them.
 */
const MAX_REQUEST_RECORD_DEPTH = 200;

/**
 * The fewest bytes `value`'s JSON text can take: its minified length, counting each string's UTF-16 units (one
 * at least per byte of UTF-8 or of an escape) and one byte per number. ~0.1 µs for a 500-byte event, a tenth of
 * JSON.stringify. Throws RangeError past MAX_REQUEST_RECORD_DEPTH.
 */
function fewestBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 1;
    case 'boolean':
      return 4;
    case 'object': {
      if (value === null) return 4;
      if (depth === MAX_REQUEST_RECORD_DEPTH) throw new RangeError('nested too deeply for a request record');
      if (Array.isArray(value)) {
        let n = value.length === 0 ? 2 : value.length + 1; // brackets and commas
        for (let i = 0; i < value.length; i++) n += fewestBytes(value[i], depth + 1);
        return n;
      }
      let n = 1; // braces and commas: one per member besides
      for (const key in value) n += key.length + 4 + fewestBytes((value as Record<string, unknown>)[key], depth + 1);
      return n;
    }
    default:
      return 0;
  }
}

/** The version-2 path: each accepted event enriched and encoded into its own record. */
function prepareEventRecords(
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
    storedAs: 'event',
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
