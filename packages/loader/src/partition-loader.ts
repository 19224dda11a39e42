// Loads one log partition into bronze, exactly once: resume from each table's txn marker, read, map, dedup,
// commit the batch with its end offset as the marker (fenced against other instances), then tell the log.
import { join } from 'node:path';
import { LogRecordDamagedError, type EventLog, type LogDamage, type PackedRecords } from '@lens/log';
import type { LoaderConfig } from '@lens/protocol';
import type { BronzeTableKey } from './bronze-schema.js';
import type { BronzeTable } from './bronze-table.js';
import { VERDICT_DUPLICATE, type DedupService } from './dedup-service.js';
import { PartitionOwnershipLostError } from './errors.js';
import type { LoaderMetrics } from './loader-metrics.js';
import type { Logger } from './logger.js';
import { MicroBatch } from './micro-batch.js';
import type { MapPool, MapResult } from './map-pool.js';
import { mapDamagedLogRecords } from './record-mapper.js';

/** Consumer name under which positions are committed to the log (for retention only). */
export const LOG_CONSUMER = 'lens-loader';
/** A table with no rows for a while still gets its marker moved, so a restart need not replay far. */
const IDLE_MARKER_MS = 30_000;
const READ_CHUNK = 10_000;
/** The first batch of a run holds at most maxBatchEvents / FIRST_BATCH_DIVISOR records. */
const FIRST_BATCH_DIVISOR = 10;
/** Reads in flight (read, mapped, checked for duplicates) ahead of the one being consumed. */
const READ_AHEAD = 3;

/** Everything a partition loader works with. */
export interface PartitionLoaderDeps {
  partition: number;
  log: EventLog;
  tables: Record<BronzeTableKey, BronzeTable>;
  /** The duplicate index (its own worker thread). */
  dedup: DedupService;
  /** Decodes and maps records off the main thread. */
  pool: MapPool;
  config: LoaderConfig;
  tmpDir: string;
  metrics: LoaderMetrics;
  logger: Logger;
  /** False once this instance's lease on the partition is gone or about to expire. */
  owns(): boolean;
  /** After a table's commit that wrote rows (its compactor counts them). */
  onCommitWithRows(table: BronzeTableKey): void;
}

/** One read of a partition, mapped by a worker and checked against the dedup index; per record: offset, end of its bytes in the read, append time. */
interface Chunk {
  count: number;
  offsets: Float64Array;
  ends: Uint32Array;
  timestamps: Float64Array;
  mapped: MapResult;
  verdicts: Uint8Array;
  /** Set (with no records) when the read met records damaged in the log's storage: the next read starts after them. */
  damage?: LogDamage;
}
const CAUGHT_UP: Chunk = {
  count: 0,
  offsets: new Float64Array(0),
  ends: new Uint32Array(0),
  timestamps: new Float64Array(0),
  mapped: undefined as never,
  verdicts: new Uint8Array(0),
};

/**
 * Keeps up to READ_AHEAD reads of a partition in flight: each read starts as soon as the previous one returned
 * (its end is the next start), is mapped by a map worker, then checked by the dedup worker — checks are posted
 * in log order, whatever order the mapping finishes in. After a read that came back empty the rest of the queue
 * is empty too (nothing is read past it) and the reader restarts where the consumer is.
 */
class ChunkReader {
  #queue: Promise<Chunk>[] = [];
  #from: Promise<number | undefined>;
  #posted: Promise<void> = Promise.resolve();

  constructor(
    private readonly d: PartitionLoaderDeps,
    from: number,
    private readonly size: number,
    private readonly skipBelow: () => number,
  ) {
    this.#from = Promise.resolve(from);
  }

  next(): Promise<Chunk> {
    while (this.#queue.length < READ_AHEAD) this.#queue.push(this.#start());
    return this.#queue.shift()!;
  }

  /** Drops what is queued (all empty after an empty read): the next read starts at `from`. */
  restart(from: number): void {
    this.#queue = [];
    this.#from = Promise.resolve(from);
  }

  #start(): Promise<Chunk> {
    const { partition, log, pool, dedup } = this.d;
    // Damage in the log is an outcome of the read, not a failure: the next read starts where intact records resume.
    const read = this.#from.then((from) =>
      from === undefined
        ? undefined
        : log
            .readPacked(partition, from, { maxRecords: this.size, into: pool.readBuffer() })
            .catch((error: unknown): PackedRecords | LogRecordDamagedError => {
              if (error instanceof LogRecordDamagedError && error.damagedFrom === from && error.resumeAt > from)
                return error;
              throw error;
            }),
    );
    this.#from = read.then((packed) =>
      packed === undefined
        ? undefined
        : packed instanceof LogRecordDamagedError
          ? packed.resumeAt
          : packed.count === 0
            ? undefined
            : packed.offsets[packed.count - 1]! + 1,
    );
    this.#from.catch(() => undefined); // a failed read surfaces through its chunk
    const previous = this.#posted;
    let posted!: () => void;
    this.#posted = new Promise<void>((resolve) => {
      posted = resolve;
    });
    const chunk = (async (): Promise<Chunk> => {
      try {
        const packed = await read;
        if (packed instanceof LogRecordDamagedError) return { ...CAUGHT_UP, damage: packed };
        if (packed === undefined || packed.count === 0) return CAUGHT_UP;
        const mapped = await pool.map(partition, packed);
        await previous; // the dedup index sees the partition's records in log order
        const verdicts = dedup.check(partition, mapped.lineOffsets, mapped.keys, this.skipBelow());
        posted();
        return {
          count: packed.count,
          offsets: packed.offsets,
          ends: packed.ends,
          timestamps: packed.timestamps,
          mapped,
          verdicts: await verdicts,
        };
      } finally {
        posted();
      }
    })();
    chunk.catch(() => undefined); // surfaces when consumed; a stop simply drops it (the position never moved)
    return chunk;
  }
}

/** The end of the records from `i` on (at least one, at most to `count`) whose lines fit in `room`. */
function recordsWithin(firstLine: Uint32Array, i: number, count: number, room: number): number {
  let j = i + 1;
  while (j < count && firstLine[j + 1]! - firstLine[i]! <= room) j++;
  return j;
}

/** Numbers the batches of this process, so that no two (even of loaders of one partition in turn) share a file. */
let batchSeq = 0;

/** Counters of one partition, for `stats()`. */
export interface PartitionStats {
  partition: number;
  position: number;
  eventsLoaded: number;
  quarantined: number;
  duplicates: number;
  batches: number;
}

/** Loads one partition; `run` returns when stopped, caught up (`once`), or ownership is lost (throws). */
export class PartitionLoader {
  readonly #d: PartitionLoaderDeps;
  readonly #pos: Record<BronzeTableKey, number> = { events: 0, quarantine: 0 };
  readonly #lastCommit: Record<BronzeTableKey, number> = { events: Date.now(), quarantine: Date.now() };
  #next = 0;
  /** The log partition's identity: the tables' markers are kept per identity (BronzeTable.appId). */
  #identity: string | undefined;
  /** A bronze table holds markers of another identity of this partition: markers from before identities are void. */
  #otherLog = false;
  /** Log offset before which every record is committed to its table (markers of tables without rows may lag). */
  #loadedThrough = 0;
  /** Batches whose files exist (filled or committing): a run that ends deletes what is left of them. */
  readonly #batches = new Set<MicroBatch>();
  readonly stats: PartitionStats;

  constructor(deps: PartitionLoaderDeps) {
    this.#d = deps;
    this.stats = { partition: deps.partition, position: 0, eventsLoaded: 0, quarantined: 0, duplicates: 0, batches: 0 };
  }

  /**
   * Resumes from the tables' markers for this log partition's identity (the source of truth), or the log's
   * retention start when there are none.
   */
  async #resume(): Promise<void> {
    const { log, partition, logger } = this.#d;
    const { start, end } = await log.bounds(partition);
    this.#identity = await log.identity(partition);
    // Decided over both tables: one that had no rows since an upgrade may hold only a marker of the earlier form,
    // while the other's marker of a former identity says the log was replaced since.
    const { tables } = this.#d;
    const txns = { events: await tables.events.latestTxns(), quarantine: await tables.quarantine.latestTxns() };
    this.#otherLog = (['events', 'quarantine'] as const).some((key) =>
      tables[key].holdsOtherIdentity(txns[key], partition, this.#identity),
    );
    for (const key of ['events', 'quarantine'] as const) {
      const marker = tables[key].marker(txns[key], partition, this.#identity, this.#otherLog);
      this.#pos[key] = marker.version ?? start;
      if (marker.origin === 'adopted')
        logger.info(
          { partition, table: key, identity: this.#identity, position: marker.version },
          'loader_marker_adopted',
        );
      if (marker.origin === 'other-log')
        // The tables hold positions of a former log under this partition number (its directory deleted and
        // written again): they say nothing about this one, whose records are all new to the lake.
        logger.warn(
          {
            partition,
            table: key,
            identity: this.#identity,
            from: start,
            hint: 'bronze holds positions of another log for this partition: the log was replaced; its records load from its start',
          },
          'loader_new_log_partition',
        );
    }
    this.#next = Math.min(this.#pos.events, this.#pos.quarantine);
    if (this.#next > end)
      // The tables say more of this very partition (same identity) was loaded than the log holds: it was restored
      // from an older copy. Records appended to it now sit at positions already marked loaded and would wait unseen
      // until the log grew past the marker: said loudly, not silently.
      logger.error(
        {
          partition,
          position: this.#next,
          end,
          hint: 'bronze tables record this partition loaded beyond the end of the log: the log was restored from an older copy; records appended below the position are not loaded',
        },
        'loader_position_beyond_log_end',
      );
    if (this.#next < start) {
      this.#d.logger.error(
        { partition: this.#d.partition, position: this.#next, start },
        'loader_position_below_log_retention',
      );
      this.#next = start;
    }
    this.stats.position = this.#next;
  }

  /** Runs until `shouldStop()` (then flushes what it holds) or, with `once`, until caught up. */
  async run(shouldStop: () => boolean, once = false): Promise<void> {
    await this.#resume();
    const batch = this.#newBatch(this.#next);
    // One batch commits while the next is read and mapped (DuckDB works in its own threads meanwhile).
    let committing: Promise<void> | undefined;
    // A failed commit ends the run at the loop's next turn (the caller retries from the markers): waiting for the
    // next flush left it unnoticed while the partition was caught up — acknowledged events waited for new traffic
    // or the 30-s marker commit, and /health and lag read as if all was well.
    let failed = false;
    try {
      await this.#loop(
        shouldStop,
        once,
        batch,
        () => failed,
        (b, final) => {
          const previous = committing ?? Promise.resolve();
          committing = previous
            .then(() => this.#flush(b, final))
            .finally(() => {
              b.dispose();
              this.#batches.delete(b);
            });
          // A failed commit surfaces at the loop's next turn (or the next flush, or the end).
          committing.catch(() => {
            failed = true;
          });
          return final ? committing : previous;
        },
      );
    } finally {
      await committing?.catch(() => undefined);
      for (const b of this.#batches) b.dispose(); // the one being filled when the run stopped or failed
      this.#batches.clear();
    }
    await committing;
  }

  async #loop(
    shouldStop: () => boolean,
    once: boolean,
    first: MicroBatch,
    commitFailed: () => boolean,
    flush: (b: MicroBatch, final: boolean) => Promise<void>,
  ): Promise<void> {
    const { maxBatchEvents, maxBatchBytes, flushIntervalMs } = this.#d.config;
    // Reads, mapping and duplicate checks run ahead (worker threads) while this thread fills and commits batches.
    const reader = new ChunkReader(this.#d, this.#next, Math.min(READ_CHUNK, maxBatchEvents), () =>
      Math.min(this.#pos.events, this.#pos.quarantine),
    );
    let batch = first;
    // The first batch of a run is a tenth of the size: after a (re)start the first rows land in ~0.8 s instead of
    // ~1.8 (a full batch had to be read, mapped and checked before anything reached the lake), and the lake
    // engine starts writing while the next batch fills.
    let limit = Math.max(1, Math.floor(maxBatchEvents / FIRST_BATCH_DIVISOR));
    for (;;) {
      // The run's caller awaits the commit and sees its error.
      if (commitFailed()) return;
      const stopping = shouldStop();
      const chunk = stopping ? CAUGHT_UP : await reader.next();
      const caughtUp = chunk.count === 0 && chunk.damage === undefined;
      if (caughtUp) reader.restart(this.#next);
      if (chunk.damage !== undefined) this.#consumeDamage(chunk.damage, batch);
      const final = caughtUp && (stopping || once);
      // A read may straddle batches: a batch never holds more than maxBatchEvents lines (but a record's lines
      // stay in one batch).
      let i = 0;
      do {
        if (i < chunk.count) {
          const j = recordsWithin(chunk.mapped.firstLine, i, chunk.count, limit - batch.lines);
          this.#consume(chunk, i, j, batch);
          i = j;
        }
        const full = batch.lines >= limit || batch.bytes >= maxBatchBytes;
        const due = i >= chunk.count && batch.records > 0 && Date.now() - batch.startedAt >= flushIntervalMs;
        // Caught up with nothing to load, a table whose marker a batch without its rows left behind moves up too
        // (a marker-only commit): else lag reads high while idle, and a restart re-reads the gap.
        const markerDue = caughtUp && batch.records === 0 && this.#markerDue(batch.to);
        if (full || due || final || markerDue) {
          await flush(batch, final);
          batch = this.#newBatch(this.#next);
          limit = maxBatchEvents;
        }
      } while (i < chunk.count);
      // Every line of the read is in a batch's files now (or skipped): its buffer can go back to the workers.
      if (chunk.count > 0) this.#d.pool.recycleLines(chunk.mapped.lineBytes.buffer as ArrayBuffer);
      await this.#updateLag(batch);
      if (final) return;
      // Caught up: wait for the batch's flush time, or 100 ms when it is empty (its start time is then when it
      // was opened, long past while idle: waiting 5 ms each turn kept an idle loader polling 200 times a second).
      if (caughtUp)
        await sleep(
          batch.records === 0 ? 100 : Math.min(100, Math.max(5, flushIntervalMs - (Date.now() - batch.startedAt))),
        );
    }
  }

  /** Applies records [i, j) of a mapped, checked read to the batch: position filters, duplicates, then rows (runs of consecutive lines stay one slice). */
  #consume(chunk: Chunk, i: number, j: number, batch: MicroBatch): void {
    const { metrics } = this.#d;
    const { offsets, mapped, verdicts } = chunk;
    const { table: tables, lineEnds, codes, bots } = mapped;
    batch.records += j - i;
    batch.lines += mapped.firstLine[j]! - mapped.firstLine[i]!;
    batch.bytes += chunk.ends[j - 1]! - (i > 0 ? chunk.ends[i - 1]! : 0);
    batch.firstRecordAt ??= chunk.timestamps[i];
    let runTable = 0;
    let runStart = 0;
    let runEnd = 0;
    let runRows = 0;
    const emit = (): void => {
      if (runRows > 0)
        batch.add(runTable === 1 ? 'events' : 'quarantine', mapped.lineBytes.subarray(runStart, runEnd), runRows);
      runRows = 0;
    };
    const { firstLine } = mapped;
    for (let k = i; k < j; k++) {
      const offset = offsets[k]!;
      if (offset < this.#pos.events && offset < this.#pos.quarantine) continue; // both tables have it
      for (let l = firstLine[k]!; l < firstLine[k + 1]!; l++) {
        if (verdicts[l] === VERDICT_DUPLICATE) {
          metrics.duplicates.inc();
          this.stats.duplicates++;
          continue;
        }
        const t = tables[l]!;
        const table = t === 1 ? 'events' : 'quarantine';
        if (offset < this.#pos[table]) continue;
        const lineStart = l > 0 ? lineEnds[l - 1]! : 0;
        if (runRows > 0 && (t !== runTable || lineStart !== runEnd)) emit();
        if (runRows === 0) {
          runTable = t;
          runStart = lineStart;
        }
        runEnd = lineEnds[l]!;
        runRows++;
        const code = codes[l];
        if (table === 'quarantine') metrics.quarantined.inc({ reason: code ?? 'unknown' });
        else {
          if (code != null) metrics.corrected.inc({ reason: code });
          if (bots[l] === 1) metrics.bots.inc();
        }
      }
    }
    emit();
    this.#next = offsets[j - 1]! + 1;
    batch.to = this.#next;
  }

  /**
   * Records a span of log records damaged in storage as one quarantine row in the batch, and moves past it: the
   * row and the quarantine marker past the span commit together (a replay before that commit writes it again, one
   * after it finds the marker past the span and writes nothing).
   */
  #consumeDamage(damage: LogDamage, batch: MicroBatch): void {
    const { metrics, logger } = this.#d;
    const { partition, damagedFrom, resumeAt, reason, damagedBytes } = damage;
    if (resumeAt > this.#pos.quarantine) {
      const row = mapDamagedLogRecords(damage, Date.now());
      if (row.table === 'quarantine') batch.add('quarantine', Buffer.from(`${row.line}\n`), 1);
      metrics.quarantined.inc({ reason: 'damaged_log_record' });
      logger.error(
        { partition, damagedFrom, resumeAt, lostRecords: resumeAt - damagedFrom, reason, damagedBytes },
        'loader_damaged_log_records_quarantined',
      );
    }
    batch.records++;
    batch.lines++;
    batch.firstRecordAt ??= Date.now();
    this.#next = resumeAt;
    batch.to = resumeAt;
  }

  /** Whether a table's marker is behind `to` and has not moved for IDLE_MARKER_MS. */
  #markerDue(to: number): boolean {
    return (['events', 'quarantine'] as const).some(
      (key) => this.#pos[key] < to && Date.now() - this.#lastCommit[key] >= IDLE_MARKER_MS,
    );
  }

  /** Commits each table that has rows (or whose marker is due to move), then the log position. */
  async #flush(batch: MicroBatch, final: boolean): Promise<void> {
    if (batch.to === batch.from && Math.min(this.#pos.events, this.#pos.quarantine) >= batch.to) return;
    await this.#d.dedup.sync();
    for (const key of ['events', 'quarantine'] as const) {
      const idle = Date.now() - this.#lastCommit[key] >= IDLE_MARKER_MS;
      if (batch.rows(key) === 0 && !(final || idle)) continue;
      if (this.#pos[key] >= batch.to) continue;
      if (!this.#d.owns())
        throw new PartitionOwnershipLostError(this.#d.partition, 'lease expired or taken over before commit');
      const started = process.hrtime.bigint();
      try {
        await this.#commitTable(key, batch);
      } catch (error) {
        // Records mapped from their head carry event text nobody parsed yet: when the lake engine refuses the
        // batch, move the lines it cannot read to the quarantine and commit once more (the quarantine commits
        // after the events, so it takes them in this batch).
        if (key !== 'events' || this.#pos.quarantine >= batch.to) throw error;
        const { moved, offsets } = await batch.quarantineMalformedEvents((file) =>
          this.#d.tables.events.readableEventOffsets(file),
        );
        if (moved === 0) throw error;
        this.#d.metrics.quarantined.inc({ reason: 'undecodable_record' }, moved);
        this.#d.logger.warn(
          { err: error, partition: this.#d.partition, offsets: offsets.slice(0, 20), moved },
          'loader_malformed_events_quarantined',
        );
        await this.#commitTable(key, batch);
      }
      const rows = batch.rows(key);
      this.#pos[key] = batch.to;
      this.#lastCommit[key] = Date.now();
      this.#d.metrics.commitSeconds.observe({ table: key }, Number(process.hrtime.bigint() - started) / 1e9);
      if (key === 'events') {
        this.#d.metrics.eventsLoaded.inc(rows);
        this.stats.eventsLoaded += rows;
      } else this.stats.quarantined += rows;
      if (rows > 0) this.#d.onCommitWithRows(key);
    }
    // Every record before batch.to is in its table now, though a table that got no rows may keep its marker
    // until its idle commit: lag counts from here.
    this.#loadedThrough = Math.max(this.#loadedThrough, batch.to);
    const committed = Math.min(this.#pos.events, this.#pos.quarantine);
    // The log position only lets retention delete passed segments; resume always reads the tables' markers.
    await this.#d.log.commit(LOG_CONSUMER, this.#d.partition, committed);
    this.stats.position = committed;
    this.stats.batches++;
    await this.#updateLag(); // the commit ran behind the read loop: refresh lag now, not at its next turn
    this.#d.metrics.batchRecords.observe(batch.records);
    this.#d.logger.debug(
      {
        partition: this.#d.partition,
        from: batch.from,
        to: batch.to,
        events: batch.rows('events'),
        quarantine: batch.rows('quarantine'),
      },
      'loader_batch_committed',
    );
  }

  async #commitTable(key: BronzeTableKey, batch: MicroBatch): Promise<void> {
    await this.#d.tables[key].commitBatch(
      this.#d.partition,
      this.#pos[key],
      batch.to,
      batch.finish(key),
      this.#identity,
      this.#otherLog,
    );
  }

  /** A batch from `from` on, with files of its own in the loader's temporary directory. */
  #newBatch(from: number): MicroBatch {
    const batch = new MicroBatch(from, join(this.#d.tmpDir, `p${this.#d.partition}-${from}-${++batchSeq}`));
    this.#batches.add(batch);
    return batch;
  }

  async #updateLag(batch?: MicroBatch): Promise<void> {
    const { end } = await this.#d.log.bounds(this.#d.partition);
    const label = { partition: String(this.#d.partition) };
    const through = Math.max(this.#loadedThrough, Math.min(this.#pos.events, this.#pos.quarantine));
    this.#d.metrics.lagEvents.set(label, Math.max(0, end - through));
    if (batch) {
      // The oldest record read and not committed: in the batch being filled or one still committing (the gauge
      // read 0 while a batch committed, or failed to, once the next, empty one was open).
      let oldest: number | undefined;
      for (const b of this.#batches)
        if (b.firstRecordAt !== undefined && (oldest === undefined || b.firstRecordAt < oldest))
          oldest = b.firstRecordAt;
      this.#d.metrics.lagSeconds.set(label, oldest === undefined ? 0 : (Date.now() - oldest) / 1000);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
