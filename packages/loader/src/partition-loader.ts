// Loads one log partition into bronze, exactly once: resume from each table's txn marker, read, map, dedup,
// commit the batch with its end offset as the marker (fenced against other instances), then tell the log.
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { EventLog, LogRecord } from '@lens/log';
import type { LoaderConfig } from '@lens/protocol';
import type { BronzeTableKey } from './bronze-schema.js';
import type { BronzeTable } from './bronze-table.js';
import type { DedupIndex } from './dedup-index.js';
import { PartitionOwnershipLostError } from './errors.js';
import type { LoaderMetrics } from './loader-metrics.js';
import type { Logger } from './logger.js';
import { MicroBatch } from './micro-batch.js';
import type { MapPool, MapResult } from './map-pool.js';

/** Consumer name under which positions are committed to the log (for retention only). */
export const LOG_CONSUMER = 'lens-loader';
/** A table with no rows for a while still gets its marker moved, so a restart need not replay far. */
const IDLE_MARKER_MS = 30_000;
const READ_CHUNK = 10_000;

/** Everything a partition loader works with. */
export interface PartitionLoaderDeps {
  partition: number;
  log: EventLog;
  tables: Record<BronzeTableKey, BronzeTable>;
  dedup: DedupIndex;
  /** Decodes and maps records off the main thread. */
  pool: MapPool;
  config: LoaderConfig;
  tmpDir: string;
  metrics: LoaderMetrics;
  logger: Logger;
  /** False once this instance's lease on the partition is gone or about to expire. */
  owns(): boolean;
  onEventsCommit(): void;
}

/** One read of a partition, mapped by a worker. */
interface Chunk { records: LogRecord[]; mapped: MapResult | undefined }

/** Counters of one partition, for `stats()`. */
export interface PartitionStats { partition: number; position: number; eventsLoaded: number; quarantined: number; duplicates: number; batches: number }

/** Loads one partition; `run` returns when stopped, caught up (`once`), or ownership is lost (throws). */
export class PartitionLoader {
  readonly #d: PartitionLoaderDeps;
  readonly #pos: Record<BronzeTableKey, number> = { events: 0, quarantine: 0 };
  readonly #lastCommit: Record<BronzeTableKey, number> = { events: Date.now(), quarantine: Date.now() };
  #next = 0;
  readonly stats: PartitionStats;

  constructor(deps: PartitionLoaderDeps) {
    this.#d = deps;
    this.stats = { partition: deps.partition, position: 0, eventsLoaded: 0, quarantined: 0, duplicates: 0, batches: 0 };
  }

  /** Resumes from the tables' markers (the source of truth), or the log's retention start when there are none. */
  async #resume(): Promise<void> {
    const { start } = await this.#d.log.bounds(this.#d.partition);
    for (const key of ['events', 'quarantine'] as const) this.#pos[key] = (await this.#d.tables[key].position(this.#d.partition)) ?? start;
    this.#next = Math.min(this.#pos.events, this.#pos.quarantine);
    if (this.#next < start) {
      this.#d.logger.error({ partition: this.#d.partition, position: this.#next, start }, 'loader_position_below_log_retention');
      this.#next = start;
    }
    this.stats.position = this.#next;
  }

  /** Runs until `shouldStop()` (then flushes what it holds) or, with `once`, until caught up. */
  async run(shouldStop: () => boolean, once = false): Promise<void> {
    await this.#resume();
    const batch = new MicroBatch(this.#next);
    // One batch commits while the next is read and mapped (DuckDB works in its own threads meanwhile).
    let committing: Promise<void> | undefined;
    try {
      await this.#loop(shouldStop, once, batch, (b, final) => {
        const previous = committing ?? Promise.resolve();
        committing = previous.then(() => this.#flush(b, final));
        // A failed commit surfaces at the next flush or at the end; until then the loop keeps reading.
        committing.catch(() => undefined);
        return final ? committing : previous;
      });
    } finally {
      await committing?.catch(() => undefined);
    }
    await committing;
  }

  async #loop(shouldStop: () => boolean, once: boolean, first: MicroBatch, flush: (b: MicroBatch, final: boolean) => Promise<void>): Promise<void> {
    const { maxBatchEvents } = this.#d.config;
    const fetchChunk = async (from: number, room: number): Promise<Chunk> => {
      const records = await this.#d.log.read(this.#d.partition, from, { maxRecords: room });
      return { records, mapped: records.length > 0 ? await this.#d.pool.map(this.#d.partition, records) : undefined };
    };
    let batch = first;
    let ahead: Promise<Chunk> | undefined;
    for (;;) {
      const stopping = shouldStop();
      const { records, mapped } = stopping ? { records: [], mapped: undefined }
        : await (ahead ?? fetchChunk(this.#next, Math.max(1, Math.min(READ_CHUNK, maxBatchEvents - batch.records))));
      ahead = undefined;
      if (mapped !== undefined) {
        // Read and map the next chunk (worker thread) while this one is deduplicated here (main thread).
        const left = maxBatchEvents - batch.records - records.length;
        ahead = fetchChunk(records[records.length - 1]!.offset + 1, Math.min(READ_CHUNK, left > 0 ? left : maxBatchEvents));
        ahead.catch(() => undefined); // surfaces when awaited; a stop simply drops it (the position never moved)
        this.#d.dedup.batch(() => this.#consume(records, mapped, batch));
      }
      const age = Date.now() - batch.startedAt;
      const full = batch.records >= this.#d.config.maxBatchEvents || batch.bytes >= this.#d.config.maxBatchBytes;
      const caughtUp = records.length === 0;
      if (full || (batch.records > 0 && age >= this.#d.config.flushIntervalMs) || (caughtUp && (stopping || once))) {
        batch.seal();
        await flush(batch, stopping || once);
        batch = new MicroBatch(this.#next);
      }
      await this.#updateLag(batch);
      if (caughtUp && (stopping || once)) return;
      if (caughtUp) await sleep(Math.min(100, Math.max(5, this.#d.config.flushIntervalMs - age)));
    }
  }

  /** Applies a mapped read to the batch: position filters, then dedup (in one SQLite transaction). */
  #consume(records: readonly LogRecord[], mapped: MapResult, batch: MicroBatch): void {
    const { partition, metrics } = this.#d;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const offset = record.offset;
      batch.records++;
      batch.bytes += record.value.length;
      batch.firstRecordAt ??= record.timestamp;
      if (offset < this.#pos.events && offset < this.#pos.quarantine) continue; // both tables have it
      const sourceId = mapped.sourceIds[i];
      const messageId = mapped.messageIds[i];
      if (sourceId != null && messageId != null && this.#d.dedup.check(sourceId, messageId, { partition, offset }, mapped.receivedMs[i]!) === 'duplicate') {
        metrics.duplicates.inc();
        this.stats.duplicates++;
        continue;
      }
      const table = mapped.table[i] === 1 ? 'events' : 'quarantine';
      if (offset < this.#pos[table]) continue;
      batch.add(table, mapped.lines[i]!);
      const code = mapped.codes[i];
      if (table === 'quarantine') metrics.quarantined.inc({ reason: code ?? 'unknown' });
      else {
        if (code != null) metrics.corrected.inc({ reason: code });
        if (mapped.bots[i] === 1) metrics.bots.inc();
      }
    }
    this.#next = records[records.length - 1]!.offset + 1;
    batch.to = this.#next;
    batch.seal();
  }

  /** Commits each table that has rows (or whose marker is due to move), then the log position. */
  async #flush(batch: MicroBatch, final: boolean): Promise<void> {
    if (batch.to === batch.from) return;
    await this.#d.dedup.sync();
    for (const key of ['events', 'quarantine'] as const) {
      const rows = batch.rows(key);
      const idle = Date.now() - this.#lastCommit[key] >= IDLE_MARKER_MS;
      if (rows === 0 && !(final || idle)) continue;
      if (this.#pos[key] >= batch.to) continue;
      if (!this.#d.owns()) throw new PartitionOwnershipLostError(this.#d.partition, 'lease expired or taken over before commit');
      const started = process.hrtime.bigint();
      const file = join(this.#d.tmpDir, `p${this.#d.partition}-${key}-${batch.to}-${process.pid}.ndjson`);
      try {
        const written = await batch.writeNdjson(key, file);
        await this.#d.tables[key].commitBatch(this.#d.partition, this.#pos[key], batch.to, written ? file : undefined);
      } finally {
        await rm(file, { force: true });
      }
      this.#pos[key] = batch.to;
      this.#lastCommit[key] = Date.now();
      this.#d.metrics.commitSeconds.observe({ table: key }, Number(process.hrtime.bigint() - started) / 1e9);
      if (key === 'events') {
        this.#d.metrics.eventsLoaded.inc(rows);
        this.stats.eventsLoaded += rows;
        if (rows > 0) this.#d.onEventsCommit();
      } else this.stats.quarantined += rows;
    }
    const committed = Math.min(this.#pos.events, this.#pos.quarantine);
    // The log position only lets retention delete passed segments; resume always reads the tables' markers.
    await this.#d.log.commit(LOG_CONSUMER, this.#d.partition, committed);
    this.stats.position = committed;
    this.stats.batches++;
    await this.#updateLag(); // the commit ran behind the read loop: refresh lag now, not at its next turn
    this.#d.metrics.batchRecords.observe(batch.records);
    this.#d.logger.debug({ partition: this.#d.partition, from: batch.from, to: batch.to, events: batch.rows('events'), quarantine: batch.rows('quarantine') }, 'loader_batch_committed');
  }

  async #updateLag(batch?: MicroBatch): Promise<void> {
    const { end } = await this.#d.log.bounds(this.#d.partition);
    const label = { partition: String(this.#d.partition) };
    this.#d.metrics.lagEvents.set(label, Math.max(0, end - Math.min(this.#pos.events, this.#pos.quarantine)));
    if (batch) this.#d.metrics.lagSeconds.set(label, batch.firstRecordAt === undefined ? 0 : (Date.now() - batch.firstRecordAt) / 1000);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
