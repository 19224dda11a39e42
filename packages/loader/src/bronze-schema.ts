// The bronze tables' columns, one place: bronze.events (one row per accepted event, every field the SDK sent)
// and bronze.quarantine (what the collector rejected and what failed the loader's checks).
import type { ColumnSpec } from '@lens/lake';

/** bronze.events, partitioned by `event_date` (UTC date of the corrected `timestamp`). */
export const EVENTS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'message_id', type: 'string', nullable: false },
  { name: 'source_id', type: 'string', nullable: false },
  { name: 'type', type: 'string', nullable: false },
  { name: 'event', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'category', type: 'string' },
  { name: 'user_id', type: 'string' },
  { name: 'anonymous_id', type: 'string' },
  { name: 'group_id', type: 'string' },
  { name: 'previous_id', type: 'string' },
  { name: 'timestamp', type: 'timestamp', nullable: false },
  { name: 'original_timestamp', type: 'timestamp' },
  { name: 'sent_at', type: 'timestamp' },
  { name: 'received_at', type: 'timestamp', nullable: false },
  // Set only when a quality check replaced `timestamp` with received_at: what it was and why.
  { name: 'timestamp_corrected_from', type: 'timestamp' },
  { name: 'timestamp_correction', type: 'string' },
  { name: 'context', type: 'string' },
  { name: 'properties', type: 'string' },
  { name: 'traits', type: 'string' },
  { name: 'integrations', type: 'string' },
  { name: 'extra', type: 'string' }, // top-level fields outside the spec (customFields in @lens/protocol), as JSON
  { name: 'request_ip', type: 'string' },
  { name: 'is_bot', type: 'boolean', nullable: false },
  { name: 'log_partition', type: 'integer', nullable: false },
  { name: 'log_offset', type: 'long', nullable: false },
  { name: 'event_date', type: 'date', nullable: false },
];

/** bronze.quarantine, partitioned by `quarantine_date` (UTC date of `received_at`). */
export const QUARANTINE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'received_at', type: 'timestamp', nullable: false },
  { name: 'source_id', type: 'string' },
  { name: 'route', type: 'string' },
  { name: 'reason', type: 'string', nullable: false },
  { name: 'stage', type: 'string', nullable: false },
  { name: 'message_id', type: 'string' },
  { name: 'batch_index', type: 'integer' },
  { name: 'raw', type: 'string' },
  { name: 'raw_encoding', type: 'string', nullable: false },
  { name: 'truncated', type: 'boolean', nullable: false },
  { name: 'log_partition', type: 'integer', nullable: false },
  { name: 'log_offset', type: 'long', nullable: false },
  { name: 'quarantine_date', type: 'date', nullable: false },
];

/** The two tables the loader writes, with their layout. */
export const BRONZE_TABLES = {
  events: { name: 'bronze.events', columns: EVENTS_COLUMNS, partitionBy: 'event_date' },
  quarantine: { name: 'bronze.quarantine', columns: QUARANTINE_COLUMNS, partitionBy: 'quarantine_date' },
} as const;

export type BronzeTableKey = keyof typeof BRONZE_TABLES;
