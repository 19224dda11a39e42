// Log record → bronze row. An accepted event becomes a bronze.events NDJSON line (or, failing a quality check, a
// bronze.quarantine row); a collector `rejected` record becomes a quarantine row. Outcomes are values.
import type { LogDamage } from '@lens/log';
import type {
  AcceptedHead,
  AcceptedRecord,
  AcceptedRequestRecord,
  LoaderQualityConfig,
  LogRecordPayload,
  RejectedRecord,
} from '@lens/protocol';
import { customFields, findLoneSurrogate, parseTimestampMs, replaceLoneSurrogates } from '@lens/protocol';
import type { BotDetector } from './bot-detector.js';
import { eventLineHead } from './events-ndjson.js';
import { checkJsonColumns, checkTimestamp, type QualityCode, type TimestampVerdict } from './quality-checks.js';

/** Where a record sits in the log. */
export interface LogPosition {
  partition: number;
  offset: number;
}

/** A bronze.quarantine row. */
export type QuarantineRow = Record<string, string | number | boolean | null>;

/** The outcome for one record. */
export type MappedRecord =
  | { table: 'events'; head: string; correction: QualityCode | undefined; isBot: boolean }
  | { table: 'quarantine'; line: string; code: string };

/** What the mapper needs besides the record. */
export interface MapperOptions {
  quality: LoaderQualityConfig;
  bots: BotDetector;
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));
const str = (value: unknown): string | null =>
  typeof value === 'string' ? value : value === undefined || value === null ? null : String(value);

/** Canonical UTC ISO form of a time string, or null when absent or unparseable. */
export function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = parseTimestampMs(value);
  if (Number.isNaN(ms)) return null;
  // Years past 9999 or before 0 are written `+010000-…` / `-000001-…`, which the lake's timestamp columns cannot
  // take (a batch holding one would be refused whole): such a time is no time for a column.
  const iso = new Date(ms).toISOString();
  return iso.length === 24 ? iso : null;
}

/** The shape of `Date#toISOString` (callers have already parsed the value successfully). */
const isCanonical = (v: unknown): v is string =>
  typeof v === 'string' && v.length === 24 && v.charCodeAt(23) === 90 && v.charCodeAt(10) === 84;

/**
 * Maps an accepted event to the head of a bronze.events NDJSON line (see events-ndjson.ts: the line is head +
 * `raw`, the record's own JSON text on one line, + `}`); quality failures and records lacking required fields
 * come back as quarantine rows.
 */
export function mapAccepted(
  record: AcceptedRecord,
  raw: string,
  at: LogPosition,
  options: MapperOptions,
  receivedMs = parseTimestampMs(String(record.event.receivedAt)),
): MappedRecord {
  const e = record.event;
  // Canonical already (what the collector writes, and what the head path stores as is): no Date round trip, which
  // costs ~0.6 µs an event.
  const receivedAt =
    isCanonical(e.receivedAt) && !Number.isNaN(receivedMs)
      ? e.receivedAt
      : new Date(Number.isNaN(receivedMs) ? 0 : receivedMs).toISOString();
  const messageId = storedMessageId(record);
  if (
    typeof record.sourceId !== 'string' ||
    typeof messageId !== 'string' ||
    typeof e.type !== 'string' ||
    Number.isNaN(receivedMs) ||
    !isCanonical(e.receivedAt)
  ) {
    return loaderQuarantine(
      record,
      at,
      receivedAt,
      'invalid_record',
      'log record: sourceId, event.messageId, event.type and a canonical event.receivedAt are required',
    );
  }
  // JSON.parse accepts an unpaired surrogate escape (`\ud800`), which has no UTF-8 form: no table can store it.
  const unpaired = raw.includes('\\ud') ? findLoneSurrogate(e) : undefined;
  if (unpaired !== undefined) {
    const reason = `log record: event${unpaired} is not valid Unicode (an unpaired UTF-16 surrogate)`;
    return loaderQuarantine(record, at, receivedAt, 'invalid_record', reason);
  }
  const verdict = checkTimestamp(e.timestamp, receivedAt, receivedMs, options.quality);
  if (verdict.kind === 'quarantine') return loaderQuarantine(record, at, receivedAt, verdict.code, verdict.reason);
  // No JSON column can exceed the limit when the whole record does not (the common case skips serialising).
  if (raw.length * 3 > options.quality.maxJsonColumnBytes) {
    const tooLarge = checkJsonColumns(
      {
        context: json(e.context),
        properties: json(e.properties),
        traits: json(e.traits),
        integrations: json(e.integrations),
      },
      options.quality.maxJsonColumnBytes,
    );
    if (tooLarge) return loaderQuarantine(record, at, receivedAt, tooLarge.code, tooLarge.reason);
  }
  const extra = customFields(e);
  const isBot = options.quality.detectBots && options.bots.isBot(e.context?.['userAgent']);
  const ids = { messageId, type: e.type, receivedAt };
  return eventsOutcome(at, ids, verdict, isBot, extra === undefined ? null : JSON.stringify(extra));
}

/**
 * Maps an accepted record from its head alone (version 2: see AcceptedHead) — no parse of the event, whose
 * text goes to the lake engine as is. Undefined when the head is not enough to decide: a missing or odd field,
 * a record large enough that a JSON column might exceed the limit, or a timestamp to quarantine; mapAccepted on
 * the parsed record then decides (and reaches the same verdict on everything the head does decide).
 */
export function mapAcceptedHead(
  sourceId: unknown,
  head: AcceptedHead,
  recordBytes: number,
  at: LogPosition,
  options: MapperOptions,
): { mapped: MappedRecord; receivedMs: number } | undefined {
  const { messageId, type, receivedAt, timestamp, userAgent, custom } = head;
  if (
    typeof sourceId !== 'string' ||
    typeof messageId !== 'string' ||
    typeof type !== 'string' ||
    !isCanonical(receivedAt) ||
    (custom !== undefined && typeof custom !== 'string') ||
    recordBytes > options.quality.maxJsonColumnBytes
  )
    return undefined;
  const receivedMs = parseTimestampMs(receivedAt);
  if (Number.isNaN(receivedMs)) return undefined;
  const verdict = checkTimestamp(timestamp, receivedAt, receivedMs, options.quality);
  if (verdict.kind === 'quarantine') return undefined;
  const isBot = options.quality.detectBots && options.bots.isBot(userAgent);
  return { mapped: eventsOutcome(at, { messageId, type, receivedAt }, verdict, isBot, custom ?? null), receivedMs };
}

/**
 * The message id stored and checked for duplicates: the head's when the record has one (it is what the head path
 * reads), else the event's.
 */
export function storedMessageId(record: AcceptedRecord): unknown {
  const fromHead = record.head?.messageId;
  return typeof fromHead === 'string' ? fromHead : record.event.messageId;
}

/** The bronze.events outcome of an event that passed the checks. */
function eventsOutcome(
  at: LogPosition,
  ids: { messageId: string; type: string; receivedAt: string },
  verdict: Exclude<TimestampVerdict, { kind: 'quarantine' }>,
  isBot: boolean,
  extra: string | null,
): MappedRecord {
  const { receivedAt } = ids;
  const timestamp = isCanonical(verdict.timestamp) ? verdict.timestamp : (isoOrNull(verdict.timestamp) ?? receivedAt);
  const corrected = verdict.kind === 'corrected';
  const head = eventLineHead({
    partition: at.partition,
    offset: at.offset,
    ...ids,
    timestamp,
    isBot,
    correctedFrom: corrected ? isoOrNull(verdict.from) : null,
    correction: corrected ? verdict.reason : null,
    extra,
  });
  return { table: 'events', head, correction: corrected ? verdict.code : undefined, isBot };
}

function loaderQuarantine(
  record: AcceptedRecord,
  at: LogPosition,
  receivedAt: string,
  code: QualityCode | 'invalid_record',
  reason: string,
): MappedRecord {
  const row: QuarantineRow = {
    received_at: receivedAt,
    source_id: record.sourceId,
    route: null,
    reason,
    stage: 'loader',
    message_id: str(record.event.messageId),
    batch_index: null,
    raw: JSON.stringify(record.event),
    raw_encoding: 'utf8',
    truncated: false,
    log_partition: at.partition,
    log_offset: at.offset,
    quarantine_date: receivedAt.slice(0, 10),
  };
  return { table: 'quarantine', line: quarantineLine(row), code };
}

/** Maps a collector `rejected` record to a quarantine row (stage `collector`). */
export function mapRejected(record: RejectedRecord, at: LogPosition): MappedRecord {
  const receivedAt = isoOrNull(record.receivedAt) ?? new Date(0).toISOString();
  const row: QuarantineRow = {
    received_at: receivedAt,
    source_id: record.sourceId ?? null,
    route: record.route ?? null,
    reason: String(record.reason),
    stage: 'collector',
    message_id: str(record.messageId),
    batch_index: record.index ?? null,
    raw: record.raw ?? null,
    raw_encoding: record.rawEncoding ?? 'utf8',
    truncated: record.truncated === true,
    log_partition: at.partition,
    log_offset: at.offset,
    quarantine_date: receivedAt.slice(0, 10),
  };
  return { table: 'quarantine', line: quarantineLine(row), code: 'collector_rejected' };
}

/** A log record that is not a record this loader understands: kept whole (base64) in the quarantine. */
export function mapUndecodable(
  bytes: Buffer,
  appendedAtMs: number,
  at: LogPosition,
  detail: string,
  messageId: string | null = null,
): MappedRecord {
  const receivedAt = new Date(appendedAtMs).toISOString();
  const row: QuarantineRow = {
    received_at: receivedAt,
    source_id: null,
    route: null,
    reason: `log record: ${detail}`,
    stage: 'loader',
    message_id: messageId,
    batch_index: null,
    raw: bytes.toString('base64'),
    raw_encoding: 'base64',
    truncated: false,
    log_partition: at.partition,
    log_offset: at.offset,
    quarantine_date: receivedAt.slice(0, 10),
  };
  return { table: 'quarantine', line: quarantineLine(row), code: 'undecodable_record' };
}

/** Raw bytes of a damaged log span kept in its quarantine row (the collector's default `maxQuarantineBytes`). */
export const DAMAGED_RAW_BYTES = 64 * 1024;

const DAMAGE_REASONS: Record<LogDamage['reason'], string> = {
  checksum_mismatch: 'checksum mismatch',
  unreadable_frame: 'unreadable frame',
  missing_records: 'records missing',
};

/**
 * One quarantine row for a span of log records damaged in storage (LogRecordDamagedError): the reason names the
 * partition, the offsets lost and why; `raw` holds the damaged bytes as stored (frame headers included), base64,
 * capped. `received_at` is when the loader met the damage: the records' own times are in the lost bytes.
 */
export function mapDamagedLogRecords(damage: LogDamage, foundAtMs: number): MappedRecord {
  const { partition, damagedFrom, resumeAt, reason, bytes, damagedBytes } = damage;
  const receivedAt = new Date(foundAtMs).toISOString();
  const kept = bytes.subarray(0, DAMAGED_RAW_BYTES);
  const records = resumeAt - damagedFrom;
  const row: QuarantineRow = {
    received_at: receivedAt,
    source_id: null,
    route: null,
    reason:
      `log partition ${partition}: ${records === 1 ? `offset ${damagedFrom}` : `offsets ${damagedFrom}..${resumeAt - 1}`} ` +
      `(${records} record${records === 1 ? '' : 's'}) unreadable: ${DAMAGE_REASONS[reason]}` +
      `${damagedBytes > 0 ? ` in ${damagedBytes} bytes` : ''}; loading resumed at offset ${resumeAt}`,
    stage: 'loader',
    message_id: null,
    batch_index: null,
    raw: kept.length === 0 ? null : kept.toString('base64'),
    raw_encoding: 'base64',
    truncated: damagedBytes > kept.length,
    log_partition: partition,
    log_offset: damagedFrom,
    quarantine_date: receivedAt.slice(0, 10),
  };
  return { table: 'quarantine', line: quarantineLine(row), code: 'damaged_log_record' };
}

/** Decodes a log value's text; anything that is not a known record kind is reported as undecodable. */
export function decodePayload(text: string): LogRecordPayload | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (
    kind === 'event' &&
    typeof (value as AcceptedRecord).event === 'object' &&
    (value as AcceptedRecord).event !== null
  )
    return value as AcceptedRecord;
  if (kind === 'rejected') return value as RejectedRecord;
  if (kind === 'request') return value as AcceptedRequestRecord;
  return `unknown record kind ${JSON.stringify(kind ?? null)}`;
}

/**
 * A quarantine row as an NDJSON line. JSON.stringify writes an unpaired surrogate as an escape (`\ud800`…`\udfff`),
 * which the lake engine refuses (and would refuse the whole batch for): such text is stored with U+FFFD instead.
 * `raw` is JSON text or base64, so the bytes a client sent are kept either way.
 */
function quarantineLine(row: QuarantineRow): string {
  const line = JSON.stringify(row);
  if (!line.includes('\\ud')) return line;
  return JSON.stringify(row, (_key, value: unknown) =>
    typeof value === 'string' ? replaceLoneSurrogates(value) : value,
  );
}
