// What the collector appends to the log and the loader reads back: one JSON record per accepted event, and
// one per rejected event or request (the quarantine), so nothing an SDK sent is silently dropped.
import type { EnrichedEvent } from './event.js';

/** Version of the record layout, bumped on incompatible change. */
export const LOG_RECORD_VERSION = 1;

/** An accepted event, enriched, attributed to its source. */
export interface AcceptedRecord {
  v: typeof LOG_RECORD_VERSION;
  kind: 'event';
  sourceId: string;
  requestIp?: string;
  event: EnrichedEvent;
}

/** Something that failed validation: the raw input as it came, the reason, where and when. */
export interface RejectedRecord {
  v: typeof LOG_RECORD_VERSION;
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

/** Serialises a record payload for the log. */
export function encodeLogRecord(record: LogRecordPayload): Buffer {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** Parses a record payload read from the log. */
export function decodeLogRecord(bytes: Uint8Array): LogRecordPayload {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as LogRecordPayload;
}
