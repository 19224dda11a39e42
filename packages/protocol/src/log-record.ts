// What the collector appends to the log and the loader reads back: one JSON record per accepted event, and
// one per rejected event or request (the quarantine), so nothing an SDK sent is silently dropped.
import { SPEC_EVENT_FIELDS, type EnrichedEvent, type JsonObject } from './event.js';

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
  /** Present from version 2 on, and then serialised before `event`. */
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

export type LogRecordPayload = AcceptedRecord | RejectedRecord;

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

/** Parses a record payload read from the log. */
export function decodeLogRecord(bytes: Uint8Array): LogRecordPayload {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as LogRecordPayload;
}
