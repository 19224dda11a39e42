// The in-memory EventLog: same semantics as the local adapter (segments, retention, exclusive writers,
// argument checks) without durability, for unit tests of callers and as the contract suite's reference.
import { randomUUID } from 'node:crypto';
import { LogClosedError, LogRecordDamagedError, OffsetOutOfRangeError, PartitionLockedError } from '../../errors.js';
import {
  DEFAULT_MAX_READ_BYTES,
  DEFAULT_MAX_READ_RECORDS,
  MAX_DAMAGED_BYTES,
  type AppendResult,
  type EventLog,
  type LogRecord,
  type LogWriter,
  type PackedReadOptions,
  type PackedRecords,
  type ReadOptions,
} from '../../event-log.js';
import { packLogRecords } from '../../packed-records.js';
import { checkConsumer, checkOffset, checkPartition, checkValues } from '../../validate.js';

/** Per-record overhead counted towards segment size, as in the local adapter's framing. */
const FRAME_OVERHEAD = 24;

interface MemoryPartition {
  records: LogRecord[];
  /** Base offsets of segments, ascending; the last is active. */
  segments: number[];
  activeBytes: number;
  locked: boolean;
  /** Offsets whose storage is (simulated as) damaged: see MemoryLogStore.damage. */
  damaged: Set<number>;
  readonly identity: string;
}

/** State shared by EventLog instances opened on it, so a test can "reopen" a memory log. */
export class MemoryLogStore {
  readonly partitions = new Map<number, MemoryPartition>();
  readonly consumers = new Map<string, Map<number, number>>();

  /**
   * Simulates storage damage under a stored record, for tests of consumers: reads stop before it and a read
   * starting at it throws LogRecordDamagedError (consecutive damaged records form one span), as the local
   * adapter does for a record failing its checksum.
   */
  damage(partition: number, offset: number): void {
    const state = this.partitions.get(partition);
    const start = state?.segments[0] ?? 0;
    if (state === undefined || offset < start || offset >= start + state.records.length)
      throw new RangeError(`partition ${partition} holds no record at offset ${offset}`);
    state.damaged.add(offset);
  }
}

/** Options of the memory adapter. */
export interface MemoryEventLogOptions {
  /** Segments roll at this many bytes (payload + 24 per record), as in the local adapter (default 64 MiB). */
  segmentBytes?: number;
  /** Share state with other instances (reopen); a fresh store by default. */
  store?: MemoryLogStore;
}

/** Creates an in-memory event log. */
export function createMemoryEventLog(options: MemoryEventLogOptions = {}): EventLog {
  return new MemoryEventLog(options.store ?? new MemoryLogStore(), options.segmentBytes ?? 64 * 1024 * 1024);
}

class MemoryEventLog implements EventLog {
  #closed = false;
  readonly #writers = new Set<LogWriter>();

  constructor(
    readonly store: MemoryLogStore,
    readonly segmentBytes: number,
  ) {}

  async openWriter(options: { partition?: number } = {}): Promise<LogWriter> {
    this.#assertOpen();
    let partition = options.partition;
    if (partition === undefined) {
      partition = 0;
      while (this.store.partitions.get(partition)?.locked) partition++;
    }
    checkPartition(partition);
    const state = this.#partition(partition, true)!;
    if (state.locked) throw new PartitionLockedError(partition, { holder: 'memory' });
    state.locked = true;
    let closed = false;
    const writer: LogWriter = {
      partition,
      append: async (values: readonly Buffer[]): Promise<AppendResult> => {
        checkValues(values);
        if (closed || this.#closed) throw new LogClosedError(`writer of partition ${partition} is closed`);
        await Promise.resolve();
        return this.#append(state, partition!, values);
      },
      close: async (): Promise<void> => {
        if (closed) return;
        closed = true;
        state.locked = false;
        this.#writers.delete(writer);
      },
    };
    this.#writers.add(writer);
    return writer;
  }

  async partitions(): Promise<number[]> {
    return [...this.store.partitions.keys()].sort((a, b) => a - b);
  }

  async readPacked(partition: number, offset: number, options?: PackedReadOptions): Promise<PackedRecords> {
    return packLogRecords(await this.read(partition, offset, options), options?.into);
  }

  async read(partition: number, offset: number, options: ReadOptions = {}): Promise<LogRecord[]> {
    this.#assertOpen();
    checkPartition(partition);
    checkOffset(offset);
    const state = this.#partition(partition, false);
    if (state === undefined) return [];
    const start = state.segments[0]!;
    if (offset < start) throw new OffsetOutOfRangeError(partition, offset, start);
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_READ_RECORDS;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
    const out: LogRecord[] = [];
    let bytes = 0;
    for (let i = offset - start; i < state.records.length && out.length < maxRecords; i++) {
      const record = state.records[i]!;
      if (state.damaged.has(record.offset)) {
        if (out.length > 0) break;
        throw damagedSpan(state, partition, record.offset);
      }
      if (out.length > 0 && bytes + record.value.length > maxBytes) break;
      out.push({ ...record, value: Buffer.from(record.value) });
      bytes += record.value.length;
      if (bytes >= maxBytes) break;
    }
    return out;
  }

  async bounds(partition: number): Promise<{ start: number; end: number }> {
    checkPartition(partition);
    const state = this.#partition(partition, false);
    if (state === undefined) return { start: 0, end: 0 };
    return { start: state.segments[0]!, end: state.segments[0]! + state.records.length };
  }

  async identity(partition: number): Promise<string | undefined> {
    this.#assertOpen();
    checkPartition(partition);
    return this.#partition(partition, false)?.identity;
  }

  async commit(consumer: string, partition: number, nextOffset: number): Promise<void> {
    this.#assertOpen();
    checkConsumer(consumer);
    checkPartition(partition);
    checkOffset(nextOffset, 'nextOffset');
    let positions = this.store.consumers.get(consumer);
    if (positions === undefined) this.store.consumers.set(consumer, (positions = new Map()));
    positions.set(partition, nextOffset);
  }

  async committed(consumer: string, partition: number): Promise<number | undefined> {
    checkConsumer(consumer);
    checkPartition(partition);
    return this.store.consumers.get(consumer)?.get(partition);
  }

  async enforceRetention(): Promise<{ deletedSegments: number; deletedBytes: number }> {
    this.#assertOpen();
    let deletedSegments = 0;
    let deletedBytes = 0;
    if (this.store.consumers.size === 0) return { deletedSegments, deletedBytes };
    for (const [partition, state] of this.store.partitions) {
      const positions = [...this.store.consumers.values()].map((m) => m.get(partition) ?? 0);
      const position = Math.min(...positions);
      while (state.segments.length > 1 && state.segments[1]! <= position) {
        const drop = state.records.splice(0, state.segments[1]! - state.segments[0]!);
        deletedBytes += drop.reduce((sum, r) => sum + FRAME_OVERHEAD + r.value.length, 0);
        state.segments.shift();
        deletedSegments++;
      }
    }
    return { deletedSegments, deletedBytes };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([...this.#writers].map((w) => w.close()));
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new LogClosedError('event log is closed');
  }

  #partition(partition: number, create: boolean): MemoryPartition | undefined {
    let state = this.store.partitions.get(partition);
    if (state === undefined && create) {
      state = { records: [], segments: [0], activeBytes: 0, locked: false, damaged: new Set(), identity: randomUUID() };
      this.store.partitions.set(partition, state);
    }
    return state;
  }

  #append(state: MemoryPartition, partition: number, values: readonly Buffer[]): AppendResult {
    const timestamp = Date.now();
    const firstOffset = state.segments[0]! + state.records.length;
    let offset = firstOffset;
    for (const value of values) {
      const frame = FRAME_OVERHEAD + value.length;
      if (state.activeBytes > 0 && state.activeBytes + frame > this.segmentBytes) {
        state.segments.push(offset);
        state.activeBytes = 0;
      }
      state.records.push({ partition, offset, timestamp, value: Buffer.from(value) });
      state.activeBytes += frame;
      offset++;
    }
    return { partition, firstOffset, lastOffset: offset - 1 };
  }
}

/** The damaged span starting at `offset`: it and the damaged records right after it, their bytes capped. */
function damagedSpan(state: MemoryPartition, partition: number, offset: number): LogRecordDamagedError {
  const start = state.segments[0]!;
  let resumeAt = offset;
  while (state.damaged.has(resumeAt)) resumeAt++;
  const values = state.records.slice(offset - start, resumeAt - start).map((r) => r.value);
  const all = Buffer.concat(values);
  return new LogRecordDamagedError({
    partition,
    damagedFrom: offset,
    resumeAt,
    reason: 'checksum_mismatch',
    bytes: Buffer.from(all.subarray(0, MAX_DAMAGED_BYTES)),
    damagedBytes: all.length,
  });
}
