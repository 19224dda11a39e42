// The served-lists log: every list the API returns, with its listId, so clicks (`Recommendation Clicked` with
// `list_id`, which lands in silver.events.list_id) can be joined to what was shown. The serving thread only
// turns each list into one NDJSON row and hands rows to a worker thread in small batches; the worker
// (served-list-writer.ts) makes them durable in a spool and appends them to the Delta table
// lens.served_recommendations, so no Delta or Parquet work ever stalls the event loop that answers requests,
// and a killed server's lists are written by the next one to start.
import { Worker } from 'node:worker_threads';
import type { RecommendationRequest, RecommendationResponse } from './recommendation-service.js';
import { jsonString } from './response-json.js';
import { SERVED_COLUMNS, SERVED_TABLE } from './served-list-schema.js';
import type { FromWriter, ServedListWriterData, ToWriter } from './served-list-writer.js';

export { SERVED_COLUMNS, SERVED_TABLE };

/** One served list. */
export interface ServedListEntry {
  listId: string;
  servedAt: number;
  request: RecommendationRequest;
  response: RecommendationResponse;
  /** `servedRowTail(request, response)` when the caller has it already (an answer served again). */
  rowTail?: string;
  /** The UTF-8 of `servedRowRest(request, rowTail)` when the caller keeps it (the same request served again):
   *  the row is then its list id and time followed by these bytes, copied (no string built per row). */
  rowRest?: Buffer;
}

/** Where served lists go. `record` never blocks or throws; `flush` writes what is buffered. */
export interface ServedListLog {
  record(entry: ServedListEntry): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Drops everything (benchmarks, or when the log is off). */
export const noopServedListLog: ServedListLog = { record: () => {}, flush: async () => {}, close: async () => {} };

/** Keeps entries in memory (tests). */
export function createMemoryServedListLog(): ServedListLog & { entries: ServedListEntry[] } {
  const entries: ServedListEntry[] = [];
  return { entries, record: (e) => void entries.push(e), flush: async () => {}, close: async () => {} };
}

/** A row of lens.served_recommendations. */
export function servedRow(e: ServedListEntry): Record<string, unknown> {
  const at = new Date(e.servedAt).toISOString();
  return {
    list_id: e.listId,
    served_at: at,
    served_date: at.slice(0, 10),
    user_id: e.request.userId ?? null,
    anonymous_id: e.request.anonymousId ?? null,
    person_id: e.response.personId ?? null,
    context_article_id: e.request.context ?? null,
    site: e.request.site ?? null,
    source: e.response.source,
    model_version: e.response.modelVersion,
    article_ids: e.response.items.map((i) => i.articleId).join(','),
    reasons: e.response.items.map((i) => i.reason).join(','),
    k: e.response.items.length,
  };
}

const q = jsonString;
const orNull = (s: string | undefined): string => (s === undefined || s === null ? 'null' : q(s));
let lastAt = NaN;
let lastTime = '';

/**
 * The row's JSON after `anonymous_id` (person, context, site, source, version, articles, reasons, k): the same
 * every time one answer is served again for the same person, context and site.
 */
export function servedRowTail(request: RecommendationRequest, response: RecommendationResponse): string {
  const items = response.items;
  let ids = '';
  let reasons = '';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) {
      ids += ',';
      reasons += ',';
    }
    ids += items[i]!.articleId;
    reasons += items[i]!.reason;
  }
  return (
    ',"person_id":' +
    orNull(response.personId) +
    ',"context_article_id":' +
    orNull(request.context) +
    ',"site":' +
    orNull(request.site) +
    ',"source":' +
    q(response.source) +
    ',"model_version":' +
    q(response.modelVersion) +
    ',"article_ids":' +
    q(ids) +
    ',"reasons":' +
    q(reasons) +
    ',"k":' +
    items.length +
    '}'
  );
}

/** The row's JSON after `served_date`: the user and anonymous ids, then `rowTail` (`servedRowTail`). */
export function servedRowRest(request: RecommendationRequest, rowTail: string): string {
  return ',"user_id":' + orNull(request.userId) + ',"anonymous_id":' + orNull(request.anonymousId) + rowTail;
}

/** The row's JSON up to `served_date` (included): list id and the time served (kept per millisecond). */
function servedHead(listId: string, servedAt: number): string {
  if (servedAt !== lastAt) {
    lastAt = servedAt;
    const iso = new Date(servedAt).toISOString();
    lastTime = ',"served_at":"' + iso + '","served_date":"' + iso.slice(0, 10) + '"';
  }
  return '{"list_id":' + q(listId) + lastTime;
}

const LIST_ID_OPEN = Buffer.from('{"list_id":"', 'latin1');
let lastBytesAt = NaN;
let lastTimeBytes = Buffer.alloc(0);

/** `,"served_at":"…","served_date":"…"` as bytes (kept per millisecond). */
function servedTimeBytes(servedAt: number): Buffer {
  if (servedAt !== lastBytesAt) {
    servedHead('', servedAt);
    lastBytesAt = servedAt;
    lastTimeBytes = Buffer.from(lastTime, 'latin1');
  }
  return lastTimeBytes;
}

/** Printable ASCII with nothing JSON escapes: a list id written as it is (a UUID always is). */
function plainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** `JSON.stringify(servedRow(e))`, written directly (one string per request, no row object or arrays). */
export function servedLine(e: ServedListEntry): string {
  return (
    servedHead(e.listId, e.servedAt) +
    (e.rowRest !== undefined
      ? e.rowRest.toString()
      : servedRowRest(e.request, e.rowTail ?? servedRowTail(e.request, e.response)))
  );
}

/** Rows handed to the writer thread per message (small, so no single hand-over is long). */
const POST_EVERY = 256;
/** Rows recorded wait at most this long before they are handed to the writer (and so spooled). */
const HAND_OVER_MS = 50;
/** Bytes of the buffer rows are written into (UTF-8 NDJSON), handed over whole (transferred, not copied). */
const CHUNK_BYTES = 256 * 1024;

/**
 * Appends served lists to lens.served_recommendations from a worker thread, every `flushEveryMs` (default 5 s)
 * or `maxBuffered` entries (default 20,000: fewer, larger appends cost the writer about half as much per list as 5,000);
 * beyond 10 × maxBuffered unwritten entries (the lake is down) new ones are dropped
 * and counted. `record` costs one small JSON row on the calling thread. The thread appends every 256 rows to a
 * durable spool (`<dataDir>/recs/served-spool`, fsync) as they arrive (rows are handed over every 256, or 50 ms
 * after the first, and spooled together every 100 ms or MiB), so a server killed between two writes loses at most
 * the last ~150 ms of lists: the next log opened on the data directory (it starts its thread
 * at once) writes them. `flush` resolves once everything recorded before it is committed (or the write failed:
 * `onError` is told, the rows are retried), `close` flushes and stops the thread — a clean shutdown loses nothing.
 */
export function createDeltaServedListLog(options: {
  dataDir: string;
  flushEveryMs?: number;
  maxBuffered?: number;
  onError?: (error: unknown) => void;
}): ServedListLog & { dropped(): number; spooled(): number; recovered(): number | undefined } {
  const max = options.maxBuffered ?? 20_000;
  /** NDJSON rows not yet handed to the writer: UTF-8 in `chunk` up to `bytes`, `pending` of them. */
  let chunk: Buffer | undefined;
  let bytes = 0;
  let pending = 0;
  /** Entries recorded and not yet committed (here or in the writer). */
  let unwritten = 0;
  let dropped = 0;
  let spooled = 0;
  let recovered: number | undefined;
  let worker: Worker | undefined;
  let nextFlush = 0;
  let closed = false;
  const flushes = new Map<number, () => void>();
  const start = (): Worker => {
    const data: ServedListWriterData = { dataDir: options.dataDir, maxBuffered: max };
    const w = new Worker(new URL('./served-list-writer.js', import.meta.url), { workerData: data });
    w.unref(); // a pending flush refs it (below); otherwise it never keeps the process alive
    w.on('message', (m: FromWriter) => {
      if (m.type === 'written') unwritten -= m.n;
      else if (m.type === 'spooled') spooled += m.n;
      else if (m.type === 'recovered') recovered = m.n;
      else if (m.type === 'error') options.onError?.(new Error(`served lists not written (retried): ${m.message}`));
      else if (m.type === 'compaction-failed')
        options.onError?.(
          new Error(`served lists upkeep failed (spool retention or compaction; retried later): ${m.message}`),
        );
      else settle(m.id);
    });
    w.on('error', (error) => options.onError?.(error));
    w.on('exit', () => {
      if (worker !== w) return;
      worker = undefined;
      // Whatever the thread held is lost; count it, and let waiting flushes go.
      const held = unwritten - pending;
      if (held > 0) {
        dropped += held;
        unwritten -= held;
        options.onError?.(new Error(`served-lists writer stopped; ${held} served lists lost`));
      }
      for (const id of [...flushes.keys()]) settle(id);
    });
    return w;
  };
  const settle = (id: number): void => {
    const done = flushes.get(id);
    flushes.delete(id);
    if (flushes.size === 0) worker?.unref();
    done?.();
  };
  const post = (): void => {
    if (pending === 0 || !chunk) return;
    worker ??= start();
    const buffer = chunk.buffer as ArrayBuffer;
    worker.postMessage({ type: 'rows', buffer, offset: chunk.byteOffset, bytes, n: pending } satisfies ToWriter, [
      buffer,
    ]);
    chunk = undefined;
    bytes = 0;
    pending = 0;
  };
  const flush = (close = false): Promise<void> => {
    post();
    if (!worker) return Promise.resolve();
    const id = nextFlush++;
    const w = worker;
    w.ref(); // keep the process alive until this flush is answered
    return new Promise<void>((resolve) => {
      flushes.set(id, resolve);
      w.postMessage({ type: 'flush', id, ...(close ? { close } : {}) } satisfies ToWriter);
    });
  };
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 5000);
  timer.unref();
  // At once, not with the first entry: what a killed server left in the spool is written now.
  worker = start();
  return {
    record(entry) {
      if (closed || unwritten >= 10 * max) {
        dropped++;
        return;
      }
      const rest = entry.rowRest;
      if (rest !== undefined && plainAscii(entry.listId)) {
        // An answer served again: the row's bytes copied in pieces, no string built.
        const time = servedTimeBytes(entry.servedAt);
        const most = LIST_ID_OPEN.length + entry.listId.length + 1 + time.length + rest.length + 1;
        if (chunk && bytes + most > chunk.length) post();
        chunk ??= Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, most));
        bytes += LIST_ID_OPEN.copy(chunk, bytes);
        bytes += chunk.write(entry.listId, bytes, 'latin1');
        chunk[bytes++] = 0x22; // '"'
        bytes += time.copy(chunk, bytes);
        bytes += rest.copy(chunk, bytes);
      } else {
        const line = servedLine(entry);
        // UTF-8 takes at most 3 bytes per UTF-16 unit: the line (and its newline) always fit.
        if (chunk && bytes + 3 * line.length + 1 > chunk.length) post();
        chunk ??= Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, 3 * line.length + 1));
        bytes += chunk.write(line, bytes);
      }
      chunk[bytes++] = 10;
      unwritten++;
      if (++pending >= POST_EVERY) post();
      // A quiet server hands rows over within HAND_OVER_MS too, so they reach the spool (crash-safe) soon.
      else if (pending === 1) setTimeout(post, HAND_OVER_MS).unref();
    },
    flush: () => flush(),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await flush(true);
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
      if (unwritten > 0) {
        dropped += unwritten;
        options.onError?.(new Error(`closed with ${unwritten} served lists not written`));
        unwritten = 0;
      }
    },
    dropped: () => dropped,
    /** Rows durable in the spool so far. */
    spooled: () => spooled,
    /** Rows a previous writer had left in the spool and this one wrote at start (undefined until it looked). */
    recovered: () => recovered,
  };
}
