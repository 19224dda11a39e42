// The served-lists writer, run in a worker thread by createDeltaServedListLog: it receives NDJSON rows of
// lens.served_recommendations from the serving thread, appends each chunk to a durable spool (a local event log
// under <dataDir>/recs/served-spool, one partition per writer) and then to the Delta table (DuckDB reads the
// NDJSON and writes Parquet), so no part of a write ever runs on the event loop that answers requests.
// Exactly once across crashes: each Delta append carries the spool range it covers as a txn marker
// (`lens-served:p<partition>`, version = the offset after its last record); at start the writer takes every spool
// partition no live writer holds and appends what lies past its marker — the lists a killed server had served
// but not written yet.
// Messages in: { type: 'rows', buffer, offset, bytes, n } (n NDJSON rows, UTF-8, each ending in a newline, in
// a transferred buffer) | { type: 'flush', id }. Out: { type: 'written', n } after each commit,
// { type: 'spooled', n } once rows are durable in the spool, { type: 'recovered', n } after the start-up
// recovery, { type: 'flushed', id, ok } once everything received before the flush is written (or failed),
// { type: 'error', message } for a failed write (its rows are kept and retried by the next write), and
// { type: 'compaction-failed', message } when the periodic OPTIMIZE of the table's small files fails.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { createDuckDB, DeltaTable, STREAMING_TABLE_PROPERTIES, type DuckDBSession } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import {
  createEventLog,
  LogRecordDamagedError,
  PartitionLockedError,
  type EventLog,
  type LogRecord,
  type LogWriter,
} from '@lens/log';
import {
  COMPACT_EVERY_COMMITS,
  COMPACT_TARGET_BYTES,
  SERVED_COLUMNS,
  SERVED_SPOOL_CONSUMER,
  SERVED_TABLE,
  servedSpoolAppId,
  servedSpoolDir,
} from './served-list-schema.js';

/** What the serving thread passes when it starts the writer. */
export interface ServedListWriterData {
  dataDir: string;
  /** Rows buffered here before a write starts without waiting for a flush. */
  maxBuffered: number;
}

/** Messages to the writer. */
export type ToWriter =
  | { type: 'rows'; buffer: ArrayBuffer; offset: number; bytes: number; n: number }
  | { type: 'flush'; id: number; close?: boolean };
/** Messages from the writer. */
export type FromWriter =
  | { type: 'written'; n: number }
  | { type: 'spooled'; n: number }
  | { type: 'recovered'; n: number }
  | { type: 'flushed'; id: number; ok: boolean }
  | { type: 'error'; message: string }
  | { type: 'compaction-failed'; message: string };

const data = workerData as ServedListWriterData;
const port = parentPort!;
/** Chunks of NDJSON rows received and not yet written, and how many rows they hold. */
let buffer: Buffer[] = [];
let rows = 0;
/** The spool range the buffered rows cover ([spoolFrom, spoolTo) of this writer's partition; none when empty). */
let spoolFrom: number | undefined;
let spoolTo = 0;
/** Every this many commits the spool's passed segments are deleted. */
const RETENTION_EVERY_COMMITS = 20;
let commitsSinceRetention = 0;
let session: Promise<DuckDBSession> | undefined;
/** The writer's own DuckDB, on one thread: a background write never takes both cores from the serving thread. */
const duckdb = (): Promise<DuckDBSession> =>
  (session ??= createDuckDB().then(async (s) => {
    await s.run('SET threads = 1');
    return s;
  }));
let writing: Promise<boolean> = Promise.resolve(true);
/** A write started because the buffer is full is pending (one at a time). */
let autoQueued = false;
/** The last write failed: no more automatic writes until the next flush (the lake may be down). */
let failing = false;
let commitsSinceCompaction = 0;

/** The table, opened once and known to exist after the first write that found or created it. */
let table: DeltaTable | undefined;
let exists = false;

async function servedTable(): Promise<DeltaTable> {
  table ??= await DeltaTable.open(lakeTablePath(data.dataDir, SERVED_TABLE), { sql: await duckdb() });
  if (exists) return table;
  const t = table;
  // A table created before Lens chose them gets the streaming properties.
  await t.ensureCreated({
    columns: SERVED_COLUMNS,
    partitionColumns: ['served_date'],
    name: SERVED_TABLE,
    properties: STREAMING_TABLE_PROPERTIES,
  });
  exists = true;
  return t;
}

/** The spool: this writer's partition of the served-lists log (undefined when it could not be opened). */
let spoolLog: EventLog | undefined;
let spool: LogWriter | undefined;

/**
 * Appends `ndjson` (whole rows) to the table in one commit; with `txn`, the commit also records the spool range it
 * covers, refused when the table's marker is not at `from` (the range, or part of it, is in the table already).
 */
async function appendRows(ndjson: Buffer, txn?: { partition: number; from: number; to: number }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lens-served-'));
  try {
    const file = join(dir, 'rows.ndjson');
    await writeFile(file, ndjson);
    const t = await servedTable();
    if (txn === undefined) {
      await t.append({ ndjsonFile: file });
      return;
    }
    const appId = servedSpoolAppId(txn.partition);
    const snapshot = await t.snapshot();
    const seen = snapshot.txns.get(appId)?.version;
    // Committed already (an append that failed after its commit): done, not written twice.
    if (seen !== undefined && seen >= txn.to) return;
    if (seen !== undefined && seen !== txn.from)
      throw new Error(
        `${SERVED_TABLE} has spool partition ${txn.partition} up to ${seen}, this write starts at ${txn.from}`,
      );
    await t.append({ ndjsonFile: file }, { txn: { appId, version: txn.to }, snapshot });
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Opens the spool and appends to the table what any partition no live writer holds has past its marker (a server
 * killed before it wrote); keeps the first such partition as its own, or a new one. Without a spool (it cannot be
 * opened: the data directory is unwritable) rows still go to the table, only not crash-safe.
 */
async function openSpool(): Promise<void> {
  let recovered = 0;
  try {
    spoolLog = await createEventLog({ backend: 'local', dir: servedSpoolDir(data.dataDir), minFreeDiskBytes: 0 });
    for (const partition of await spoolLog.partitions()) {
      let held: LogWriter;
      try {
        held = await spoolLog.openWriter({ partition });
      } catch (error) {
        if (error instanceof PartitionLockedError) continue; // a live server's
        throw error;
      }
      try {
        recovered += await recoverPartition(spoolLog, partition);
      } catch (error) {
        // Left to the next start (its marker still behind: new rows after it would fail the fence).
        await held.close();
        port.postMessage({
          type: 'error',
          message: `served-lists spool partition ${partition} not written yet (tried again at the next start): ${error instanceof Error ? error.message : String(error)}`,
        } satisfies FromWriter);
        continue;
      }
      if (spool === undefined) spool = held;
      else await held.close();
    }
    spool ??= await spoolLog.openWriter();
  } catch (error) {
    port.postMessage({
      type: 'error',
      message: `served-lists spool not opened, lists are written without it: ${error instanceof Error ? error.message : String(error)}`,
    } satisfies FromWriter);
  }
  port.postMessage({ type: 'recovered', n: recovered } satisfies FromWriter);
}

/**
 * Appends a partition's records past the table's marker (whole chunks of rows), in reads of up to 64 MiB. Records
 * the spool lost to damage on disk are reported and passed over: the next chunk's range starts at the marker, so
 * it covers them.
 */
async function recoverPartition(log: EventLog, partition: number): Promise<number> {
  const { start, end } = await log.bounds(partition);
  const marker = (await (await servedTable()).snapshot()).txns.get(servedSpoolAppId(partition))?.version;
  let from = Math.max(marker ?? start, start);
  let readFrom = from;
  let n = 0;
  while (readFrom < end) {
    let records: LogRecord[];
    try {
      records = await log.read(partition, readFrom, { maxRecords: 100_000, maxBytes: 64 * 1024 * 1024 });
    } catch (error) {
      if (!(error instanceof LogRecordDamagedError) || error.resumeAt <= readFrom) throw error;
      port.postMessage({
        type: 'error',
        message: `served-lists spool ${error.message}; those served lists are not in ${SERVED_TABLE}`,
      } satisfies FromWriter);
      readFrom = error.resumeAt;
      continue;
    }
    if (records.length === 0) break;
    const to = records.at(-1)!.offset + 1;
    const chunk = Buffer.concat(records.map((r) => r.value));
    await appendRows(chunk, { partition, from, to });
    readFrom = to;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) n++;
    await log.commit(SERVED_SPOOL_CONSUMER, partition, to);
    from = to;
  }
  // Lost records at the very end leave the table's marker before them: new rows after them would fail its fence.
  if (from < end) throw new Error(`the records from ${from} to ${end} are lost (see the error before)`);
  return n;
}

async function writeBuffered(): Promise<boolean> {
  if (rows === 0) return true;
  const taken = buffer;
  const n = rows;
  const range =
    spool !== undefined && spoolFrom !== undefined
      ? { partition: spool.partition, from: spoolFrom, to: spoolTo }
      : undefined;
  buffer = [];
  rows = 0;
  spoolFrom = undefined;
  try {
    await appendRows(Buffer.concat(taken), range);
  } catch (error) {
    exists = false; // look again next time (the table may have been removed)
    buffer = taken.concat(buffer); // retried at the next write
    rows += n;
    if (range !== undefined) spoolFrom = range.from;
    failing = true;
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
    } satisfies FromWriter);
    return false;
  }
  port.postMessage({ type: 'written', n } satisfies FromWriter);
  failing = false;
  // Upkeep after the commit: a failure here is reported, never a reason to write the rows again.
  try {
    if (range !== undefined && spoolLog !== undefined) {
      // The spool's records up to here are in the table: their segments may go.
      await spoolLog.commit(SERVED_SPOOL_CONSUMER, range.partition, range.to);
      if (++commitsSinceRetention >= RETENTION_EVERY_COMMITS) {
        commitsSinceRetention = 0;
        await spoolLog.enforceRetention();
      }
    }
    if (++commitsSinceCompaction >= COMPACT_EVERY_COMMITS) {
      commitsSinceCompaction = 0;
      // Same thread, between appends: compaction (dataChange=false) never races this writer's own commits.
      // Tiered, and files reach COMPACT_TARGET_BYTES and are then left alone: a run does not rewrite the day's
      // partition file for the few small files it adds.
      await (await servedTable()).optimize({ targetFileSize: COMPACT_TARGET_BYTES, tiered: true });
    }
  } catch (error) {
    port.postMessage({
      type: 'compaction-failed',
      message: error instanceof Error ? error.message : String(error),
    } satisfies FromWriter);
  }
  return true;
}

/** Closes the spool's partition writer (releasing its lock) and the spool log; failures are reported, not thrown. */
async function closeSpool(): Promise<void> {
  const [writer, log] = [spool, spoolLog];
  spool = undefined;
  spoolLog = undefined;
  try {
    await writer?.close();
    await log?.close();
  } catch (error) {
    port.postMessage({
      type: 'error',
      message: `served-lists spool not closed: ${error instanceof Error ? error.message : String(error)}`,
    } satisfies FromWriter);
  }
}

/** Opened (and recovered) before any row or flush is handled: messages are handled in order after it. */
let ready: Promise<void> = openSpool();

const write = (): Promise<boolean> => (writing = writing.then(writeBuffered));

/** Chunks received and not yet appended to the spool: appended together (one write and fsync) every SPOOL_WAIT_MS or SPOOL_BYTES. */
let unspooled: { chunk: Buffer; n: number }[] = [];
let unspooledBytes = 0;
let spoolTimer: NodeJS.Timeout | undefined;
/**
 * At ~27,000 lists a second, an fsync'd append per 256-row chunk cost the writer ~4 µs of CPU per list (bench/recs.mjs):
 * grouped, a killed server loses at most the last SPOOL_WAIT_MS (plus the serving thread's 50-ms hand-over).
 */
const SPOOL_WAIT_MS = 100;
const SPOOL_BYTES = 1024 * 1024;

/** Appends the chunks received since the last call to the spool, then buffers them (in order) for the table. */
function spoolReceived(): void {
  clearTimeout(spoolTimer);
  spoolTimer = undefined;
  if (unspooled.length === 0) return;
  const taken = unspooled;
  unspooled = [];
  unspooledBytes = 0;
  const appended = ready.then(() => spool?.append(taken.map((t) => t.chunk)));
  ready = ready.then(async () => {
    let at: { firstOffset: number; lastOffset: number } | undefined;
    try {
      at = await appended;
    } catch (error) {
      // The spool refused (disk full): the rows still go to the table, outside the spool's ranges.
      port.postMessage({
        type: 'error',
        message: `served lists not spooled (written without it): ${error instanceof Error ? error.message : String(error)}`,
      } satisfies FromWriter);
    }
    const n = taken.reduce((sum, t) => sum + t.n, 0);
    if (at !== undefined) {
      spoolFrom ??= at.firstOffset;
      spoolTo = at.lastOffset + 1;
      port.postMessage({ type: 'spooled', n } satisfies FromWriter);
    }
    for (const t of taken) buffer.push(t.chunk);
    rows += n;
    if (rows >= data.maxBuffered && !autoQueued && !failing) {
      autoQueued = true;
      void write().finally(() => (autoQueued = false));
    }
  });
}

port.on('message', (message: ToWriter) => {
  if (message.type === 'rows') {
    unspooled.push({ chunk: Buffer.from(message.buffer, message.offset, message.bytes), n: message.n });
    unspooledBytes += message.bytes;
    if (unspooledBytes >= SPOOL_BYTES) spoolReceived();
    else spoolTimer ??= setTimeout(spoolReceived, SPOOL_WAIT_MS);
  } else {
    spoolReceived();
    const close = message.close === true;
    ready = ready.then(() => {
      void write()
        .then(async (ok) => {
          // The last flush of a closing log: the spool is closed too, so its writer lock does not outlive the
          // server (it was left behind with the dead pid, and taken over as a crashed server's at the next start).
          if (close) await closeSpool();
          return ok;
        })
        .then((ok) => port.postMessage({ type: 'flushed', id: message.id, ok } satisfies FromWriter));
    });
  }
});
