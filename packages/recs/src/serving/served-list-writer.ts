// The served-lists writer, run in a worker thread by createDeltaServedListLog: it receives NDJSON rows of
// lens.served_recommendations from the serving thread and appends them to the Delta table (DuckDB reads the
// NDJSON and writes Parquet), so no part of a write ever runs on the event loop that answers requests.
// Messages in: { type: 'rows', buffer, offset, bytes, n } (n NDJSON rows, UTF-8, each ending in a newline, in
// a transferred buffer) | { type: 'flush', id }. Out: { type: 'written', n } after each commit,
// { type: 'flushed', id, ok } once everything received before the flush is written (or failed),
// { type: 'error', message } for a failed write (its rows are kept and retried by the next write), and
// { type: 'compaction-failed', message } when the periodic OPTIMIZE of the table's small files fails.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { createDuckDB, DeltaTable, type DuckDBSession } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { COMPACT_EVERY_COMMITS, COMPACT_TARGET_BYTES, SERVED_COLUMNS, SERVED_TABLE } from './served-list-schema.js';

/** What the serving thread passes when it starts the writer. */
export interface ServedListWriterData {
  dataDir: string;
  /** Rows buffered here before a write starts without waiting for a flush. */
  maxBuffered: number;
}

/** Messages to the writer. */
export type ToWriter =
  { type: 'rows'; buffer: ArrayBuffer; offset: number; bytes: number; n: number } | { type: 'flush'; id: number };
/** Messages from the writer. */
export type FromWriter =
  | { type: 'written'; n: number }
  | { type: 'flushed'; id: number; ok: boolean }
  | { type: 'error'; message: string }
  | { type: 'compaction-failed'; message: string };

const data = workerData as ServedListWriterData;
const port = parentPort!;
/** Chunks of NDJSON rows received and not yet written, and how many rows they hold. */
let buffer: Buffer[] = [];
let rows = 0;
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
  const found = (): Promise<boolean> =>
    t.snapshot().then(
      () => true,
      () => false,
    );
  if (!(await found())) {
    await t
      .create({ columns: SERVED_COLUMNS, partitionColumns: ['served_date'], name: SERVED_TABLE })
      .catch(async (e: unknown) => {
        if (!(await found())) throw e; // else a racing writer created it
      });
  }
  exists = true;
  return t;
}

async function writeBuffered(): Promise<boolean> {
  if (rows === 0) return true;
  const taken = buffer;
  const n = rows;
  buffer = [];
  rows = 0;
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'lens-served-'));
    const file = join(dir, 'rows.ndjson');
    await writeFile(file, Buffer.concat(taken));
    const t = await servedTable();
    await t.append({ ndjsonFile: file });
    port.postMessage({ type: 'written', n } satisfies FromWriter);
    failing = false;
    if (++commitsSinceCompaction >= COMPACT_EVERY_COMMITS) {
      commitsSinceCompaction = 0;
      // Same thread, between appends: compaction (dataChange=false) never races this writer's own commits.
      // Files reach COMPACT_TARGET_BYTES and are then left alone: each run rewrites a bounded amount, not the
      // whole day's partition again.
      await t.optimize({ targetFileSize: COMPACT_TARGET_BYTES }).catch((error: unknown) =>
        port.postMessage({
          type: 'compaction-failed',
          message: error instanceof Error ? error.message : String(error),
        } satisfies FromWriter),
      );
    }
    return true;
  } catch (error) {
    exists = false; // look again next time (the table may have been removed)
    buffer = taken.concat(buffer); // retried at the next write
    rows += n;
    failing = true;
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
    } satisfies FromWriter);
    return false;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

const write = (): Promise<boolean> => (writing = writing.then(writeBuffered));

port.on('message', (message: ToWriter) => {
  if (message.type === 'rows') {
    buffer.push(Buffer.from(message.buffer, message.offset, message.bytes));
    rows += message.n;
    if (rows >= data.maxBuffered && !autoQueued && !failing) {
      autoQueued = true;
      void write().finally(() => (autoQueued = false));
    }
  } else {
    void write().then((ok) => port.postMessage({ type: 'flushed', id: message.id, ok } satisfies FromWriter));
  }
});
