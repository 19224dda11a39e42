// Log record → bronze row. An accepted event becomes a bronze.events row (or, failing a quality check, a
// bronze.quarantine row); a collector `rejected` record becomes a quarantine row. Outcomes are values.
import type { AcceptedRecord, LoaderQualityConfig, LogRecordPayload, RejectedRecord } from '@lens/protocol';
import { parseTimestampMs } from '@lens/protocol';
import { EVENT_FIELD_COLUMNS } from './bronze-schema.js';
import type { BotDetector } from './bot-detector.js';
import { checkJsonColumns, checkTimestamp, type QualityCode } from './quality-checks.js';

/** Where a record sits in the log. */
export interface LogPosition { partition: number; offset: number }

/** A bronze.events row as written to NDJSON (timestamps ISO-8601, JSON columns as text). */
export type EventRow = Record<string, string | number | boolean | null>;
/** A bronze.quarantine row. */
export type QuarantineRow = Record<string, string | number | boolean | null>;

/** The outcome for one record. */
export type MappedRecord =
  | { table: 'events'; row: EventRow; correction: QualityCode | undefined; isBot: boolean }
  | { table: 'quarantine'; row: QuarantineRow; code: string };

/** What the mapper needs besides the record. */
export interface MapperOptions { quality: LoaderQualityConfig; bots: BotDetector }

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));
const id = (value: unknown): string | null => (value === undefined || value === null ? null : String(value));
const str = (value: unknown): string | null => (typeof value === 'string' ? value : value === undefined || value === null ? null : String(value));

/** Canonical UTC ISO form of a time string, or null when absent or unparseable. */
export function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = parseTimestampMs(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Maps an accepted event; quality failures come back as a quarantine row with a reason. */
export function mapAccepted(record: AcceptedRecord, at: LogPosition, options: MapperOptions): MappedRecord {
  const e = record.event;
  const receivedMs = parseTimestampMs(String(e.receivedAt));
  const receivedAt = new Date(Number.isNaN(receivedMs) ? 0 : receivedMs).toISOString();
  const verdict = checkTimestamp(e.timestamp, receivedAt, receivedMs, options.quality);
  if (verdict.kind === 'quarantine') return loaderQuarantine(record, at, receivedAt, verdict.code, verdict.reason);
  const jsonColumns = { context: json(e.context), properties: json(e.properties), traits: json(e.traits), integrations: json(e.integrations) };
  const tooLarge = checkJsonColumns(jsonColumns, options.quality.maxJsonColumnBytes);
  if (tooLarge) return loaderQuarantine(record, at, receivedAt, tooLarge.code, tooLarge.reason);
  let extra: Record<string, unknown> | undefined;
  for (const key in e) {
    if (!EVENT_FIELD_COLUMNS.has(key)) (extra ??= {})[key] = e[key];
  }
  const timestamp = isoOrNull(verdict.timestamp) ?? receivedAt;
  const isBot = options.quality.detectBots && options.bots.isBot(e.context?.['userAgent']);
  const row: EventRow = {
    message_id: String(e.messageId), source_id: record.sourceId, type: String(e.type),
    event: str(e.event), name: str(e.name), category: str(e.category),
    user_id: id(e.userId), anonymous_id: id(e.anonymousId), group_id: id(e.groupId), previous_id: id(e.previousId),
    timestamp, original_timestamp: isoOrNull(e.originalTimestamp), sent_at: isoOrNull(e.sentAt), received_at: receivedAt,
    timestamp_corrected_from: verdict.kind === 'corrected' ? isoOrNull(verdict.from) : null,
    timestamp_correction: verdict.kind === 'corrected' ? verdict.reason : null,
    ...jsonColumns,
    extra: extra === undefined ? null : JSON.stringify(extra),
    request_ip: record.requestIp ?? null, is_bot: isBot,
    log_partition: at.partition, log_offset: at.offset, event_date: timestamp.slice(0, 10),
  };
  return { table: 'events', row, correction: verdict.kind === 'corrected' ? verdict.code : undefined, isBot };
}

function loaderQuarantine(record: AcceptedRecord, at: LogPosition, receivedAt: string, code: QualityCode, reason: string): MappedRecord {
  const row: QuarantineRow = {
    received_at: receivedAt, source_id: record.sourceId, route: null, reason, stage: 'loader',
    message_id: str(record.event.messageId), batch_index: null, raw: JSON.stringify(record.event), raw_encoding: 'utf8',
    truncated: false, log_partition: at.partition, log_offset: at.offset, quarantine_date: receivedAt.slice(0, 10),
  };
  return { table: 'quarantine', row, code };
}

/** Maps a collector `rejected` record to a quarantine row (stage `collector`). */
export function mapRejected(record: RejectedRecord, at: LogPosition): MappedRecord {
  const receivedAt = isoOrNull(record.receivedAt) ?? new Date(0).toISOString();
  const row: QuarantineRow = {
    received_at: receivedAt, source_id: record.sourceId ?? null, route: record.route ?? null, reason: String(record.reason),
    stage: 'collector', message_id: str(record.messageId), batch_index: record.index ?? null, raw: record.raw ?? null,
    raw_encoding: record.rawEncoding ?? 'utf8', truncated: record.truncated === true,
    log_partition: at.partition, log_offset: at.offset, quarantine_date: receivedAt.slice(0, 10),
  };
  return { table: 'quarantine', row, code: 'collector_rejected' };
}

/** A log record that is not a record this loader understands: kept whole (base64) in the quarantine. */
export function mapUndecodable(bytes: Buffer, appendedAtMs: number, at: LogPosition, detail: string): MappedRecord {
  const receivedAt = new Date(appendedAtMs).toISOString();
  const row: QuarantineRow = {
    received_at: receivedAt, source_id: null, route: null, reason: `log record: ${detail}`, stage: 'loader',
    message_id: null, batch_index: null, raw: bytes.toString('base64'), raw_encoding: 'base64', truncated: false,
    log_partition: at.partition, log_offset: at.offset, quarantine_date: receivedAt.slice(0, 10),
  };
  return { table: 'quarantine', row, code: 'undecodable_record' };
}

/** Decodes a log value; anything that is not a known record kind is reported as undecodable. */
export function decodePayload(bytes: Buffer): LogRecordPayload | string {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'not valid JSON';
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind === 'event' && typeof (value as AcceptedRecord).event === 'object' && (value as AcceptedRecord).event !== null) return value as AcceptedRecord;
  if (kind === 'rejected') return value as RejectedRecord;
  return `unknown record kind ${JSON.stringify(kind ?? null)}`;
}
