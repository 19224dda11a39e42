// The embedded EventLog: durable segmented files under one directory, shared safely by several processes
// (one writer per partition each, any number of readers). Wires locks, recovery, writers, reader and retention.
import { mkdir } from 'node:fs/promises';
import { LogClosedError, PartitionLockedError } from '../../errors.js';
import type { EventLog, LogRecord, LogWriter, PackedReadOptions, PackedRecords, ReadOptions } from '../../event-log.js';
import { noopLogger, type Logger } from '../../logger.js';
import { checkConsumer, checkOffset, checkPartition } from '../../validate.js';
import { BackpressureGuard } from './backpressure-guard.js';
import { ConsumerOffsets } from './consumer-offsets.js';
import { LocalLogWriter } from './local-log-writer.js';
import { partitionIdentity } from './partition-identity.js';
import { acquirePartitionLock } from './partition-lock.js';
import { PartitionReader } from './partition-reader.js';
import { recoverPartition } from './partition-recovery.js';
import { bytesAfter, deletePassedSegments, slowestConsumer, slowestPosition } from './retention.js';
import { layout, readdirOrEmpty } from './segment-files.js';
import type { GroupCommitStats } from './local-log-writer.js';

/** Options of the local adapter; defaults match `LogConfig` in @lens/protocol. */
export interface LocalEventLogOptions {
  /** The log directory, e.g. `<dataDir>/log`. */
  dir: string;
  /** Segment files roll over at this size (default 64 MiB). */
  segmentBytes?: number;
  /** Appends wait at most this long for others to share one fsync (default 0: only those already queued). */
  groupCommitMaxWaitMs?: number;
  /** Refuse appends when the disk has less free space (default 512 MiB; 0 disables). */
  minFreeDiskBytes?: number;
  /** Refuse appends when a consumer lags more bytes than this behind a partition's end (default 8 GiB; 0 disables). */
  maxConsumerLagBytes?: number;
  /** How long a free-disk / consumer-lag measurement is trusted before appends re-measure (default 1000 ms). */
  backpressureCheckIntervalMs?: number;
  logger?: Logger;
  /** Called after each group commit is durable, e.g. to feed a latency histogram (default: nothing). */
  onGroupCommit?: (stats: GroupCommitStats) => void;
}

/** Opens (creating if needed) a local event log in `options.dir`. */
export async function createLocalEventLog(options: LocalEventLogOptions): Promise<EventLog> {
  await mkdir(layout.partitionsDir(options.dir), { recursive: true });
  return new LocalEventLog(options);
}

class LocalEventLog implements EventLog {
  readonly #options: Required<LocalEventLogOptions>;
  readonly #writers = new Map<number, LocalLogWriter>();
  readonly #reader: PartitionReader;
  readonly #offsets: ConsumerOffsets;
  #closed = false;

  constructor(options: LocalEventLogOptions) {
    this.#options = {
      dir: options.dir,
      segmentBytes: 64 * 1024 * 1024,
      groupCommitMaxWaitMs: 0,
      minFreeDiskBytes: 512 * 1024 * 1024,
      maxConsumerLagBytes: 8 * 1024 * 1024 * 1024,
      backpressureCheckIntervalMs: 1000,
      logger: noopLogger,
      onGroupCommit: () => {},
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as Required<LocalEventLogOptions>;
    this.#reader = new PartitionReader(options.dir);
    this.#offsets = new ConsumerOffsets(options.dir);
  }

  async openWriter(options: { partition?: number } = {}): Promise<LogWriter> {
    this.#assertOpen();
    if (options.partition !== undefined) {
      checkPartition(options.partition);
      return this.#openPartition(options.partition);
    }
    const existing = await this.partitions();
    for (const partition of existing) {
      if (this.#writers.has(partition)) continue;
      try {
        return await this.#openPartition(partition);
      } catch (error) {
        if (!(error instanceof PartitionLockedError)) throw error;
      }
    }
    // Every partition is held: create the next one. A peer may create the same number at once; the lock decides.
    for (let partition = (existing.at(-1) ?? -1) + 1; ; partition++) {
      try {
        return await this.#openPartition(partition);
      } catch (error) {
        if (!(error instanceof PartitionLockedError)) throw error;
      }
    }
  }

  async partitions(): Promise<number[]> {
    const names = await readdirOrEmpty(layout.partitionsDir(this.#options.dir));
    return names
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  }

  async read(partition: number, offset: number, options?: ReadOptions): Promise<LogRecord[]> {
    this.#assertOpen();
    checkPartition(partition);
    checkOffset(offset);
    return this.#reader.read(partition, offset, options);
  }

  async readPacked(partition: number, offset: number, options?: PackedReadOptions): Promise<PackedRecords> {
    this.#assertOpen();
    checkPartition(partition);
    checkOffset(offset);
    return this.#reader.readPacked(partition, offset, options);
  }

  async bounds(partition: number): Promise<{ start: number; end: number }> {
    this.#assertOpen();
    checkPartition(partition);
    const end = await this.#reader.durableEnd(partition);
    const start = (await this.#reader.segments(partition))[0] ?? 0;
    return { start: Math.min(start, end), end };
  }

  async identity(partition: number): Promise<string | undefined> {
    this.#assertOpen();
    checkPartition(partition);
    return partitionIdentity(this.#options.dir, partition);
  }

  async commit(consumer: string, partition: number, nextOffset: number): Promise<void> {
    this.#assertOpen();
    checkConsumer(consumer);
    checkPartition(partition);
    checkOffset(nextOffset, 'nextOffset');
    await this.#offsets.commit(consumer, partition, nextOffset);
  }

  async committed(consumer: string, partition: number): Promise<number | undefined> {
    this.#assertOpen();
    checkConsumer(consumer);
    checkPartition(partition);
    return this.#offsets.committed(consumer, partition);
  }

  async enforceRetention(): Promise<{ deletedSegments: number; deletedBytes: number }> {
    this.#assertOpen();
    let deletedSegments = 0;
    let deletedBytes = 0;
    for (const partition of await this.partitions()) {
      const slowest = await slowestPosition(this.#offsets, partition);
      if (slowest === undefined) continue; // no consumer yet: nobody has read anything, keep it all
      const position = Math.min(slowest, await this.#reader.durableEnd(partition));
      const result = await deletePassedSegments(this.#options.dir, partition, position);
      if (result.deletedSegments === 0) continue;
      await this.#reader.segments(partition);
      deletedSegments += result.deletedSegments;
      deletedBytes += result.deletedBytes;
      this.#options.logger.info({ partition, position, ...result }, 'log_retention_deleted');
    }
    return { deletedSegments, deletedBytes };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#writers.values()].map((w) => w.close()));
    await this.#reader.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new LogClosedError('event log is closed');
  }

  async #openPartition(partition: number): Promise<LogWriter> {
    const { dir, logger } = this.#options;
    if (this.#writers.has(partition)) throw new PartitionLockedError(partition, { holderPid: process.pid });
    await mkdir(layout.partitionDir(dir, partition), { recursive: true });
    const lock = await acquirePartitionLock(layout.lockPath(dir, partition), partition, logger);
    try {
      await partitionIdentity(dir, partition); // before its first record: a new partition is a new identity
      const recovered = await recoverPartition(dir, partition, logger);
      const guard = new BackpressureGuard({
        dir,
        partition,
        logger,
        minFreeDiskBytes: this.#options.minFreeDiskBytes,
        maxConsumerLagBytes: this.#options.maxConsumerLagBytes,
        intervalMs: this.#options.backpressureCheckIntervalMs,
        consumerLagBytes: async (): Promise<number> => {
          const slowest = await slowestPosition(this.#offsets, partition);
          if (slowest === undefined) return 0;
          const end = await this.#reader.durableEnd(partition);
          // Only asked from admit(), so once the writer below exists.
          return bytesAfter(dir, partition, slowest, end, writer.activeSegment());
        },
        slowestConsumer: () => slowestConsumer(this.#offsets, partition),
      });
      const writer: LocalLogWriter = new LocalLogWriter(recovered, {
        dir,
        partition,
        logger,
        segmentBytes: this.#options.segmentBytes,
        groupCommitMaxWaitMs: this.#options.groupCommitMaxWaitMs,
        onGroupCommit: this.#options.onGroupCommit,
        admit: () => guard.admit(),
        onClose: async () => {
          this.#writers.delete(partition);
          await lock.release();
        },
      });
      this.#writers.set(partition, writer);
      logger.info({ partition, next: recovered.next }, 'log_writer_opened');
      return writer;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }
}
