// What the collector appends to the log and the loader reads back: the accepted events of a request (one record
// for the whole request, or one per event), and one record per rejected event or request (the quarantine), so
// nothing an SDK sent is silently dropped.
import { adoptHeaderIdentity, enrichEvent, type RequestFacts } from './enrich.js';
import { LensError } from './errors.js';
import { EVENT_TYPES, SPEC_EVENT_FIELDS, type EnrichedEvent, type EventType, type JsonObject } from './event.js';

/**
 * Version of the record layout, bumped on incompatible change. 2 added `head` to accepted records; readers
 * still accept version 1 records (no `head`), which a log written before the upgrade may hold.
 */
export const LOG_RECORD_VERSION = 2;

/**
 * What a consumer needs to know about an accepted event without parsing it: the collector writes `head`
 * before `event` (see `encodeAcceptedRecord`), so the loader reads these few fields from the record's first
 * bytes and hands the event's own JSON text to the lake engine untouched. Every value equals the event's.
 */
export interface AcceptedHead {
  messageId: string;
  type: string;
  receivedAt: string;
  /** The corrected event time (the event's `timestamp`). */
  timestamp: string;
  /** `context.userAgent`, when it is a string. */
  userAgent?: string;
  /**
   * The event's top-level fields outside SPEC_EVENT_FIELDS, when it has any, as the JSON text of an object.
   * Text, not an object: every head value is then a JSON string, so `,"event":` cannot occur inside the head.
   */
  custom?: string;
}

/** An accepted event, enriched, attributed to its source. */
export interface AcceptedRecord {
  v: 1 | 2;
  kind: 'event';
  sourceId: string;
  requestIp?: string;
  /**
   * Present from version 2 on, and then serialised before `event`; absent on the events `acceptedEvents` replays
   * from a request record (their readers parse them whole).
   */
  head?: AcceptedHead;
  event: EnrichedEvent;
}

/** Something that failed validation: the raw input as it came, the reason, where and when. */
export interface RejectedRecord {
  v: 1 | 2;
  kind: 'rejected';
  /** Null when the request could not be attributed (unparseable body with the write key inside it). */
  sourceId: string | null;
  receivedAt: string;
  requestIp?: string;
  /** The route that received it, e.g. `/v1/batch`. */
  route: string;
  /** Human-readable reason naming the field, e.g. `batch[3].event: required for type "track"`. */
  reason: string;
  /** Position in the batch, when one event of a batch was rejected. */
  index?: number;
  messageId?: string;
  /** The raw event or request body (possibly truncated to the quarantine cap). */
  raw: string;
  rawEncoding: 'utf8' | 'base64';
  /** True when `raw` was cut at the quarantine cap. */
  truncated?: boolean;
}

/** Version of the request record (kind `request`): one record holding every accepted event of a request. */
export const REQUEST_RECORD_VERSION = 3;

/**
 * Every accepted event of one request, as the request's own JSON and what the collector knew besides (version 3).
 * The collector validates each event, mints the missing message ids and writes the body it parsed untouched: no
 * event is re-encoded on its hot path. Enrichment is left to the reader, which replays it (`acceptedEvents`) from
 * these facts into exactly the events a version-2 record would hold.
 */
export interface AcceptedRequestRecord {
  v: 3;
  kind: 'request';
  sourceId: string;
  requestIp?: string;
  /** When the collector received the request, ISO-8601 UTC. */
  receivedAt: string;
  /** The `SentAt` header (a batch's own `sentAt` is in its body, and wins). */
  sentAt?: string;
  /** The decoded `AnonymousId` header (RudderStack), for events without an identity of their own. */
  anonymousId?: string;
  /** The call type a single-event route gives its event (`/v1/track`: track); absent for a batch. */
  type?: EventType;
  /** The accepted events, in request order: index in the batch (0 for a single event) and message id. */
  events: [index: number, messageId: string][];
  /** The request body as sent: a batch envelope (`{"batch": […]}`), or the event itself when `type` is set. */
  body: unknown;
}

export type LogRecordPayload = AcceptedRecord | AcceptedRequestRecord | RejectedRecord;

/** A log record that claims a known layout but breaks it (e.g. a request record naming an event it lacks). */
export class LogRecordFormatError extends LensError {}

/** The event's top-level fields outside SPEC_EVENT_FIELDS (undefined when it has none): bronze's `extra`. */
export function customFields(event: { [key: string]: unknown }): JsonObject | undefined {
  let custom: JsonObject | undefined;
  for (const key in event) {
    // Without a prototype, a field named `__proto__` (JSON.parse makes it an own property) stays a field.
    if (!SPEC_EVENT_FIELDS.has(key) && event[key] !== undefined)
      (custom ??= Object.create(null) as JsonObject)[key] = event[key];
  }
  return custom;
}

/** The head of an enriched event (see AcceptedHead). */
export function acceptedHead(event: EnrichedEvent): AcceptedHead {
  const userAgent = event.context?.['userAgent'];
  const custom = customFields(event);
  return {
    messageId: event.messageId,
    type: event.type,
    receivedAt: event.receivedAt,
    timestamp: event.timestamp,
    ...(typeof userAgent === 'string' ? { userAgent } : {}),
    ...(custom === undefined ? {} : { custom: JSON.stringify(custom) }),
  };
}

/** `JSON.stringify(acceptedHead(event))`, built without the intermediate objects (the collector's hot path). */
export function acceptedHeadJson(event: EnrichedEvent): string {
  const userAgent = event.context?.['userAgent'];
  const custom = customFields(event);
  const ua = typeof userAgent === 'string' ? `,"userAgent":${jsonString(userAgent)}` : '';
  const extra = custom === undefined ? '' : `,"custom":${JSON.stringify(JSON.stringify(custom))}`;
  return `{"messageId":${jsonString(event.messageId)},"type":${jsonString(event.type)},"receivedAt":${jsonString(event.receivedAt)},"timestamp":${jsonString(event.timestamp)}${ua}${extra}}`;
}

/** A character JSON.stringify writes as an escape: a control character, `"`, `\`, or a surrogate (when unpaired). */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * `JSON.stringify(text)`: the text in quotes when nothing in it needs an escape, else JSON.stringify's. A record
 * head's short strings cost ~80 ns each through JSON.stringify and about a third of that through this check.
 */
export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** How every accepted record of the current version starts, up to its source id's value. */
export const ACCEPTED_RECORD_START = `{"v":${LOG_RECORD_VERSION},"kind":"event","sourceId":`;
/** What precedes an accepted record's head (after the source id and request IP, which are JSON strings). */
export const ACCEPTED_HEAD_KEY = ',"head":';
/** What separates an accepted record's head from its event. */
export const ACCEPTED_EVENT_KEY = ',"event":';

/**
 * The text every accepted record of one source and request IP starts with, up to its head. The layout:
 * `{"v":2,"kind":"event","sourceId":…[,"requestIp":…],"head":{…},"event":{…}}` — `event` last, so a reader
 * finds the end of the head at the first `,"event":` (ACCEPTED_EVENT_KEY) and can parse the head alone.
 */
export function acceptedRecordPrefix(sourceId: string, requestIp: string | undefined): string {
  const ip = requestIp === undefined ? '' : `,"requestIp":${JSON.stringify(requestIp)}`;
  return `${ACCEPTED_RECORD_START}${JSON.stringify(sourceId)}${ip}${ACCEPTED_HEAD_KEY}`;
}

/** An accepted record's text from its prefix (acceptedRecordPrefix), its head's JSON and its event's JSON. */
export function encodeAcceptedRecord(prefix: string, headJson: string, eventJson: string): string {
  return `${prefix}${headJson}${ACCEPTED_EVENT_KEY}${eventJson}}`;
}

/** Serialises a record payload for the log. */
export function encodeLogRecord(record: LogRecordPayload): Buffer {
  if (record.kind === 'event' && record.v === LOG_RECORD_VERSION) {
    const head = JSON.stringify(record.head ?? acceptedHead(record.event));
    const prefix = acceptedRecordPrefix(record.sourceId, record.requestIp);
    return Buffer.from(encodeAcceptedRecord(prefix, head, JSON.stringify(record.event)), 'utf8');
  }
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** How every request record starts, up to its source id's value. */
export const REQUEST_RECORD_START = `{"v":${REQUEST_RECORD_VERSION},"kind":"request","sourceId":`;

/** A request record's facts besides its events and body (see AcceptedRequestRecord). */
export type RequestRecordFacts = Pick<
  AcceptedRequestRecord,
  'sourceId' | 'requestIp' | 'receivedAt' | 'sentAt' | 'anonymousId' | 'type'
>;

/**
 * A request record's text up to its body: `eventsJson` is the JSON of its `events` list. The body comes last, so
 * the record is this text, the body's bytes as received and `}` (encodeRequestRecord).
 */
export function requestRecordHead(facts: RequestRecordFacts, eventsJson: string): string {
  const optional = (key: string, value: string | undefined): string =>
    value === undefined ? '' : `,"${key}":${jsonString(value)}`;
  return (
    `${REQUEST_RECORD_START}${jsonString(facts.sourceId)}${optional('requestIp', facts.requestIp)}` +
    `,"receivedAt":${jsonString(facts.receivedAt)}${optional('sentAt', facts.sentAt)}` +
    `${optional('anonymousId', facts.anonymousId)}${optional('type', facts.type)},"events":${eventsJson},"body":`
  );
}

/** A request record from its head (requestRecordHead) and the body's JSON text, which is copied, not re-encoded. */
export function encodeRequestRecord(head: string, body: Uint8Array): Buffer {
  const headBytes = Buffer.byteLength(head);
  const record = Buffer.allocUnsafe(headBytes + body.length + 1);
  record.write(head, 0, headBytes, 'utf8');
  record.set(body, headBytes);
  record[record.length - 1] = 0x7d; // }
  return record;
}

/**
 * The accepted events a record holds, each as a version-2 record without its head: the record itself for kind
 * `event`, none for `rejected`, and for a request record its events enriched as the collector would have (the
 * same facts, the same minted message ids). The request record's body is enriched in place. Throws
 * LogRecordFormatError for a request record that breaks its layout.
 */
export function acceptedEvents(record: LogRecordPayload): AcceptedRecord[] {
  if (record.kind === 'event') return [record];
  if (record.kind !== 'request') return [];
  const fail = (problem: string): never => {
    throw new LogRecordFormatError(`request record: ${problem}`, { context: { sourceId: record.sourceId } });
  };
  const receivedMs = typeof record.receivedAt === 'string' ? Date.parse(record.receivedAt) : Number.NaN;
  if (typeof record.sourceId !== 'string' || Number.isNaN(receivedMs)) fail('sourceId and receivedAt are required');
  if (!Array.isArray(record.events)) fail('events must be a list');
  if (record.type !== undefined && !EVENT_TYPES.includes(record.type)) fail(`unknown type ${String(record.type)}`);
  const facts: RequestFacts = {
    receivedAt: new Date(receivedMs),
    receivedAtIso: record.receivedAt,
    requestIp: typeof record.requestIp === 'string' ? record.requestIp : undefined,
    sentAt: typeof record.sentAt === 'string' ? record.sentAt : undefined,
    anonymousId: typeof record.anonymousId === 'string' ? record.anonymousId : undefined,
    context: undefined,
    integrations: undefined,
  };
  let events: unknown[];
  if (record.type === undefined) {
    const envelope = record.body as { batch?: unknown; sentAt?: unknown; context?: unknown; integrations?: unknown };
    if (!isJsonObject(envelope) || !Array.isArray(envelope.batch)) return fail('body must hold a batch list');
    // As the collector reads an envelope (ingest-handler): its own sentAt wins over the header's.
    if (typeof envelope.sentAt === 'string') facts.sentAt = envelope.sentAt;
    if (isJsonObject(envelope.context)) facts.context = envelope.context;
    if (isJsonObject(envelope.integrations)) facts.integrations = envelope.integrations;
    events = envelope.batch;
  } else {
    if (!isJsonObject(record.body)) return fail('body must be an event object');
    record.body['type'] = record.type;
    events = [record.body];
  }
  const out: AcceptedRecord[] = [];
  // Events of one record share its log position, by which a loader tells a replay from a duplicate: one message
  // id twice in a record could not be told apart (the collector never writes that).
  const ids = new Set<string>();
  for (const entry of record.events) {
    const [index, messageId] = Array.isArray(entry) ? (entry as unknown[]) : [];
    const input = typeof index === 'number' ? events[index] : undefined;
    if (typeof messageId !== 'string' || !isJsonObject(input)) return fail(`no event at ${JSON.stringify(entry)}`);
    if (ids.has(messageId)) fail(`messageId ${JSON.stringify(messageId)} is there twice`);
    ids.add(messageId);
    if (facts.anonymousId !== undefined) adoptHeaderIdentity(input, facts.anonymousId);
    const event = enrichEvent(input as unknown as EnrichedEvent, facts, () => messageId);
    if (event.messageId !== messageId)
      fail(`event ${index} has messageId ${JSON.stringify(event.messageId)}, not ${messageId}`);
    out.push({
      v: LOG_RECORD_VERSION,
      kind: 'event',
      sourceId: record.sourceId,
      ...(facts.requestIp === undefined ? {} : { requestIp: facts.requestIp }),
      event,
    });
  }
  return out;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a record payload read from the log. */
export function decodeLogRecord(bytes: Uint8Array): LogRecordPayload {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as LogRecordPayload;
}
