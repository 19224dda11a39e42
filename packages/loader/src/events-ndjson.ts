// The fast path for bronze.events: each NDJSON line is the log record's own JSON text (never re-serialised in
// JS; a version-2 record without its head) wrapped with what the loader decided (position, ids, times, bot flag,
// extras); DuckDB's JSON reader then extracts the columns in C++, once per line, with nested objects kept as
// JSON text.
import { EVENTS_COLUMNS } from './bronze-schema.js';
import { quoteLiteralSql } from './sql-literal.js';

/** What the loader adds to a record: its position and the verdicts of the checks. */
export interface EventMeta {
  partition: number;
  offset: number;
  /** The stored ids and receive time: the ones the checks and the duplicate index used. */
  messageId: string;
  type: string;
  /** Canonical ISO-8601 UTC. */
  receivedAt: string;
  /** Final event time (corrected when a check replaced it), canonical ISO-8601 UTC. */
  timestamp: string;
  correctedFrom: string | null;
  correction: string | null;
  isBot: boolean;
  /** Top-level fields without a column of their own, as JSON text, or null. */
  extra: string | null;
}

/** One NDJSON line: `raw` must be the record's JSON text on one line (it is what JSON.parse accepted). */
export function eventLine(m: EventMeta, raw: string): string {
  return `${eventLineHead(m)}${raw}}`;
}

/** A line up to the record's JSON text: the line is head + raw + `}` (the map worker appends raw as bytes, never re-encoding it). */
export function eventLineHead(m: EventMeta): string {
  const corrected =
    m.correction === null ? '' : `,"cf":${JSON.stringify(m.correctedFrom)},"cr":${JSON.stringify(m.correction)}`;
  const extra = m.extra === null ? '' : `,"x":${JSON.stringify(m.extra)}`;
  return `{"p":${m.partition},"o":${m.offset},"m":${JSON.stringify(m.messageId)},"t":${JSON.stringify(m.type)},"ra":"${m.receivedAt}","ts":"${m.timestamp}","b":${m.isBot}${corrected}${extra},"r":`;
}

const EVENT_STRUCT = `STRUCT("event" VARCHAR, "name" VARCHAR, category VARCHAR, userId VARCHAR, anonymousId VARCHAR,
  groupId VARCHAR, previousId VARCHAR, originalTimestamp VARCHAR, sentAt VARCHAR, context JSON, properties JSON, traits JSON,
  integrations JSON)`;
const COLUMNS = `{p: 'INTEGER', o: 'BIGINT', m: 'VARCHAR', t: 'VARCHAR', ra: 'VARCHAR', ts: 'VARCHAR', b: 'BOOLEAN',
  cf: 'VARCHAR', cr: 'VARCHAR', x: 'VARCHAR', r: 'STRUCT(sourceId VARCHAR, requestIp VARCHAR, event ${EVENT_STRUCT})'}`;

/**
 * What eventsSelect yields: every bronze.events column (declared to the lake, which then need not ask DuckDB at
 * every commit; a test compares it with DuckDB's description of the query).
 */
export const EVENTS_SELECT_COLUMNS: readonly string[] = EVENTS_COLUMNS.map((c) => c.name);

/** The SELECT producing bronze.events rows from a file of `eventLine`s (the columns EVENTS_SELECT_COLUMNS names). */
export function eventsSelect(file: string): string {
  const e = 'r.event';
  return `SELECT m AS message_id, r.sourceId AS source_id, t AS "type", ${e}."event" AS "event",
    ${e}."name" AS "name", ${e}.category AS category, ${e}.userId AS user_id, ${e}.anonymousId AS anonymous_id,
    ${e}.groupId AS group_id, ${e}.previousId AS previous_id, CAST(ts AS TIMESTAMPTZ) AS "timestamp",
    TRY_CAST(${e}.originalTimestamp AS TIMESTAMPTZ) AS original_timestamp, TRY_CAST(${e}.sentAt AS TIMESTAMPTZ) AS sent_at,
    CAST(ra AS TIMESTAMPTZ) AS received_at, TRY_CAST(cf AS TIMESTAMPTZ) AS timestamp_corrected_from, cr AS timestamp_correction,
    ${e}.context::VARCHAR AS context, ${e}.properties::VARCHAR AS properties, ${e}.traits::VARCHAR AS traits,
    ${e}.integrations::VARCHAR AS integrations, x AS extra, r.requestIp AS request_ip, b AS is_bot, p AS log_partition,
    o AS log_offset, CAST(substr(ts, 1, 10) AS DATE) AS event_date
    FROM read_json(${quoteLiteralSql(file)}, format = 'newline_delimited', columns = ${COLUMNS})`;
}

/**
 * The log offsets of the lines of a file of `eventLine`s that the lake engine can read: a line its JSON reader
 * refuses (not JSON, or an unpaired surrogate escape JavaScript accepts) comes out as a row of nulls.
 */
export function readableOffsetsSelect(file: string): string {
  return `SELECT o FROM read_json(${quoteLiteralSql(file)}, format = 'newline_delimited', columns = ${COLUMNS},
    ignore_errors = true) WHERE o IS NOT NULL`;
}
