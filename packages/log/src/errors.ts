// Typed errors of the event log: each failure a caller reacts to differently (back off, pick another
// partition, fix its offset, stop and page someone) is its own LensError subclass with context fields.
import { LensError } from '@lens/protocol';

/** The log refuses appends for now (disk nearly full, a consumer too far behind); retry after `retryAfterMs`. */
export class LogBackpressureError extends LensError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    context: Record<string, unknown> = {},
  ) {
    super(message, { context: { ...context, retryAfterMs }, retriable: true });
  }
}

/** Another live writer (this process or another) owns the partition. */
export class PartitionLockedError extends LensError {
  constructor(
    readonly partition: number,
    context: Record<string, unknown> = {},
  ) {
    super(`partition ${partition} is held by another live writer (${JSON.stringify(context)})`, {
      context: { partition, ...context },
      retriable: true,
    });
  }
}

/** The requested offset was deleted by retention (below `start`). */
export class OffsetOutOfRangeError extends LensError {
  constructor(
    readonly partition: number,
    readonly offset: number,
    readonly start: number,
  ) {
    super(`offset ${offset} of partition ${partition} is below the log start ${start} (deleted by retention)`, {
      context: { partition, offset, start },
    });
  }
}

/** A caller passed something the log cannot take (empty append, bad consumer name, negative offset). */
export class LogArgumentError extends LensError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { context });
  }
}

/** The log or writer was closed, or a writer failed (an fsync error) and must be reopened to recover. */
export class LogClosedError extends LensError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options);
  }
}

/** Stored data contradicts what was acknowledged (a checksum failure inside the durable range). */
export class LogCorruptionError extends LensError {
  constructor(message: string, context: Record<string, unknown> = {}, options: { cause?: unknown } = {}) {
    super(message, { ...options, context });
  }
}

/** Why stored records cannot be read: a frame failing its checksum, one whose header or length is impossible or
 * cut short, or offsets absent from where they must be. */
export type LogDamageReason = 'checksum_mismatch' | 'unreadable_frame' | 'missing_records';

/** A damaged span of a partition, below its durable end: what a consumer needs to record it and move on. */
export interface LogDamage {
  partition: number;
  /** First offset of the span that cannot be read (the offset the read asked for, or later records' start). */
  damagedFrom: number;
  /** The next offset a read can start at: the first intact record after the damage (or the durable end). */
  resumeAt: number;
  reason: LogDamageReason;
  /** The damaged bytes as stored, at most MAX_DAMAGED_BYTES (empty when records are missing, not damaged). */
  bytes: Buffer;
  /** How many bytes the damage spans in storage (more than `bytes.length` when they were capped). */
  damagedBytes: number;
}

/**
 * Records below the durable end (acknowledged, so not a torn tail) cannot be read: a disk fault, bit rot, a bad
 * sector. Thrown by a read starting at a damaged offset (a read starting before it returns the records up to it).
 * It says which offsets are lost and where intact records resume, so a consumer can record the loss (its bytes
 * included) and read on from `resumeAt`: the log never skips them on its own. Not retriable: the same read fails
 * the same way.
 */
export class LogRecordDamagedError extends LogCorruptionError implements LogDamage {
  readonly partition: number;
  readonly damagedFrom: number;
  readonly resumeAt: number;
  readonly reason: LogDamageReason;
  readonly bytes: Buffer;
  readonly damagedBytes: number;

  constructor(damage: LogDamage, context: Record<string, unknown> = {}) {
    const { partition, damagedFrom, resumeAt, reason, bytes, damagedBytes } = damage;
    const records = resumeAt - damagedFrom;
    super(
      `partition ${partition}: ${records === 1 ? `record ${damagedFrom}` : `records ${damagedFrom}..${resumeAt - 1}`} ` +
        `below the durable end cannot be read (${reason.replace(/_/g, ' ')}, ${damagedBytes} bytes); ` +
        `the next intact offset is ${resumeAt}`,
      { partition, damagedFrom, resumeAt, reason, damagedBytes, bytesKept: bytes.length, ...context },
    );
    this.partition = partition;
    this.damagedFrom = damagedFrom;
    this.resumeAt = resumeAt;
    this.reason = reason;
    this.bytes = bytes;
    this.damagedBytes = damagedBytes;
  }
}
