// @lens/log: the EventLog port (durable, partitioned, append-only log between collector and loader), its
// embedded local adapter, an in-memory adapter and the factory that picks one. Test kit: `@lens/log/testing`.
export type {
  AppendResult,
  EventLog,
  LogRecord,
  LogWriter,
  PackedReadOptions,
  PackedRecords,
  ReadOptions,
} from './event-log.js';
export { packLogRecords } from './packed-records.js';
export { ReopeningWriter, REOPEN_MIN_INTERVAL_MS } from './reopening-writer.js';
export { DEFAULT_MAX_READ_BYTES, DEFAULT_MAX_READ_RECORDS, MAX_DAMAGED_BYTES, MAX_RECORD_BYTES } from './event-log.js';
export {
  LogArgumentError,
  LogBackpressureError,
  LogClosedError,
  LogCorruptionError,
  LogRecordDamagedError,
  OffsetOutOfRangeError,
  PartitionLockedError,
  type LogDamage,
  type LogDamageReason,
} from './errors.js';
export { noopLogger, type Logger } from './logger.js';
export {
  createEventLog,
  type EventLogConfig,
  type LocalEventLogConfig,
  type MemoryEventLogConfig,
} from './create-event-log.js';
export { createLocalEventLog, type LocalEventLogOptions } from './adapters/local/local-event-log.js';
export type { GroupCommitStats } from './adapters/local/local-log-writer.js';
export {
  createMemoryEventLog,
  MemoryLogStore,
  type MemoryEventLogOptions,
} from './adapters/memory/memory-event-log.js';
