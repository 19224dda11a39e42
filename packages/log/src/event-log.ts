// The EventLog port: an append-only, partitioned, durable log between the collector (writer) and the loader
// (reader). Kept deliberately small: every method here pins what a future adapter (NATS JetStream) must offer.

/** One durable record as read back from a partition. */
export interface LogRecord {
  partition: number;
  offset: number;
  /** Milliseconds since the epoch at which the record was appended. */
  timestamp: number;
  value: Buffer;
}

/**
 * The records of one read back to back in one buffer, for a consumer that hands them to another thread in one
 * transfer: record i is `buffer` bytes [ends[i − 1] (0 for i = 0), ends[i]).
 */
export interface PackedRecords {
  count: number;
  /** Payload bytes in `buffer` (it may be longer). */
  bytes: number;
  buffer: ArrayBuffer;
  ends: Uint32Array;
  offsets: Float64Array;
  /** Append times, milliseconds since the epoch. */
  timestamps: Float64Array;
}

/** Where a group of appended values landed: consecutive offsets `firstOffset..lastOffset` inclusive. */
export interface AppendResult {
  partition: number;
  firstOffset: number;
  lastOffset: number;
}

/** Limits of one read; at least one record is returned when any is available, even if larger than maxBytes. */
export interface ReadOptions {
  /** Most records to return (default 10 000). */
  maxRecords?: number;
  /** Most payload bytes to return (default 4 MiB); the first record is returned whatever its size. */
  maxBytes?: number;
}

/** Options of a packed read. */
export interface PackedReadOptions extends ReadOptions {
  /**
   * A buffer the records may be packed into instead of a new one: its bytes are overwritten, and the result's
   * `buffer` is it unless the read needed more room (or the adapter packs otherwise). Lets a consumer recycle the
   * buffers it is done with instead of leaving one to the garbage collector per read.
   */
  into?: ArrayBuffer;
}

/** The exclusive writer of one partition. */
export interface LogWriter {
  readonly partition: number;
  /**
   * Appends values as consecutive records; resolves only once they are durable (fsync). Group commit:
   * concurrent appends share one write+fsync. Throws LogBackpressureError (retriable, with retryAfterMs)
   * when the log refuses more (disk nearly full, a consumer too far behind).
   */
  append(values: readonly Buffer[]): Promise<AppendResult>;
  /** Waits for appends in flight, then releases the partition. */
  close(): Promise<void>;
}

/**
 * A partitioned, durable, append-only event log.
 *
 * @example
 * const log = await createEventLog({ backend: 'local', dir: './lens-data/log' });
 * const writer = await log.openWriter();
 * const { firstOffset } = await writer.append([Buffer.from('{"kind":"event"}')]);
 * const records = await log.read(writer.partition, firstOffset);
 * await log.commit('loader', writer.partition, records.at(-1)!.offset + 1);
 */
export interface EventLog {
  /**
   * Opens a writer that owns one partition exclusively across processes. Without `partition`, takes the
   * first partition no live writer holds, creating a new one if all are held. Throws PartitionLockedError
   * when an explicitly requested partition is held by a live writer.
   */
  openWriter(options?: { partition?: number }): Promise<LogWriter>;
  /** Partition numbers that exist, ascending. */
  partitions(): Promise<number[]>;
  /**
   * Durable records of one partition from `offset` on (empty array when caught up or the partition does not
   * exist). Only records that were acknowledged durable are returned (never a torn or un-fsynced tail).
   * Throws OffsetOutOfRangeError when `offset` is below the retention start. A read that reaches records damaged
   * in storage returns the records before them; one starting at a damaged offset throws LogRecordDamagedError,
   * which carries the damaged span (`damagedFrom`..`resumeAt`, its bytes capped at MAX_DAMAGED_BYTES): reading
   * from `resumeAt` continues. A log never skips damage on its own; adapters whose storage cannot be damaged
   * underneath them never throw it.
   */
  read(partition: number, offset: number, options?: ReadOptions): Promise<LogRecord[]>;
  /** What `read` returns, packed in one buffer (adapters without a cheaper way use `packLogRecords`). */
  readPacked(partition: number, offset: number, options?: PackedReadOptions): Promise<PackedRecords>;
  /** First offset still stored (after retention) and the offset after the last durable record. */
  bounds(partition: number): Promise<{ start: number; end: number }>;
  /**
   * The identity of one partition's storage, fixed when the partition was first stored: the same for every reader
   * and writer, a new one once the partition is deleted and created again (a log directory replaced). A consumer
   * that keeps its positions outside the log (bronze's markers) keys them by it, so the positions of a former log
   * are never applied to a new one. Undefined when the partition does not exist.
   */
  identity(partition: number): Promise<string | undefined>;
  /** Consumer positions ("next offset to read"), persisted durably. */
  commit(consumer: string, partition: number, nextOffset: number): Promise<void>;
  committed(consumer: string, partition: number): Promise<number | undefined>;
  /** Deletes whole segments every known consumer has passed; keeps everything when no consumer exists. */
  enforceRetention(): Promise<{ deletedSegments: number; deletedBytes: number }>;
  /** Closes open writers (waiting for their appends) and releases file handles. */
  close(): Promise<void>;
}

/** Defaults shared by adapters for read limits. */
export const DEFAULT_MAX_READ_RECORDS = 10_000;
export const DEFAULT_MAX_READ_BYTES = 4 * 1024 * 1024;
/** Most bytes of a damaged span a LogRecordDamagedError carries (the rest is counted, not kept). */
export const MAX_DAMAGED_BYTES = 64 * 1024;
/** Largest single record payload any adapter accepts. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
