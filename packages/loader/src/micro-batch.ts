// One micro-batch of a partition: the log range [from, to) it covers and, per bronze table, the NDJSON file its
// rows go to. Rows are written as they are consumed (runs of consecutive lines straight from the map workers'
// UTF-8 output), so the batch holds no line buffer: each goes back to the workers right after its read is
// consumed (held for a whole batch, the buffers outlived young-generation collection and made the main thread
// run a full collection every ~64 MB of them), and the commit does not wait for ~45 MB to be written first.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { BronzeTableKey } from './bronze-schema.js';
import { BatchRowsLostError } from './errors.js';
import { mapUndecodable } from './record-mapper.js';

/** Where an events line's own fields end and the record starts (every field before is a number, boolean or string). */
const RECORD_KEY = Buffer.from(',"r":');

function valid(line: Buffer): boolean {
  try {
    JSON.parse(line.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** The loader's own fields of an events line (events-ndjson.ts), or undefined when they do not parse. */
function lineMeta(line: Buffer, recordAt: number): { p: number; o: number; m?: unknown; ra?: unknown } | undefined {
  try {
    const meta = JSON.parse(`${line.toString('utf8', 0, recordAt)}}`) as { p?: unknown; o?: unknown };
    return typeof meta.p === 'number' && typeof meta.o === 'number' ? (meta as { p: number; o: number }) : undefined;
  } catch {
    return undefined;
  }
}

/** Rows of one table in a batch: the file they are written to (opened with the first row). */
interface TableFile {
  path: string;
  fd: number | undefined;
  rows: number;
}

/** A batch being filled; `to` moves forward with every record consumed, loaded or not. */
export class MicroBatch {
  readonly startedAt = Date.now();
  to: number;
  /** Log records consumed. */
  records = 0;
  /** Lines consumed (a request record gives one per event), loaded or not: what `maxBatchEvents` bounds. */
  lines = 0;
  bytes = 0;
  /** Append time (ms) of the first record consumed: the oldest not yet loaded. */
  firstRecordAt: number | undefined;
  readonly #tables: Record<BronzeTableKey, TableFile>;

  /** `filePrefix`: a path prefix no other batch uses; each table's file is `<prefix>-<table>.ndjson`. */
  constructor(
    readonly from: number,
    filePrefix: string,
  ) {
    this.to = from;
    const file = (table: BronzeTableKey): TableFile => ({
      path: `${filePrefix}-${table}.ndjson`,
      fd: undefined,
      rows: 0,
    });
    this.#tables = { events: file('events'), quarantine: file('quarantine') };
  }

  /** Adds `rows` rows: whole NDJSON lines, UTF-8, each ending in a line break (written now; the bytes are not kept). */
  add(table: BronzeTableKey, lines: Uint8Array, rows: number): void {
    // Rows are never empty: empty lines are a view of a buffer recycled too early (detached by its move to a
    // worker). Failing here keeps the position where it was, so the rows are read again, never skipped.
    if (lines.byteLength === 0) throw new BatchRowsLostError(table, this.from, this.to);
    const t = this.#tables[table];
    t.fd ??= openSync(t.path, 'a'); // append: a file finished before (the rescue adds quarantine rows late) keeps its rows
    for (let done = 0; done < lines.byteLength;) done += writeSync(t.fd, lines, done, lines.byteLength - done);
    t.rows += rows;
  }

  rows(table: BronzeTableKey): number {
    return this.#tables[table].rows;
  }

  /** Closes a table's file: its path, or undefined (no file) when the table has no rows. Idempotent. */
  finish(table: BronzeTableKey): string | undefined {
    const t = this.#tables[table];
    if (t.fd !== undefined) closeSync(t.fd);
    t.fd = undefined;
    return t.rows === 0 ? undefined : t.path;
  }

  /**
   * Moves the events lines the lake engine cannot read (a record mapped from its head whose event text is broken
   * JSON, or holds an unpaired surrogate escape JavaScript accepts: only a log writer other than today's collector
   * can produce one) to the quarantine, kept whole with the reason. `readable` tells which log offsets the engine
   * reads; without it, lines that are not JSON move. Returns how many moved. Called after the engine refused the
   * batch's events.
   */
  async quarantineMalformedEvents(
    readable?: (ndjsonFile: string) => Promise<Set<number>>,
  ): Promise<{ moved: number; offsets: number[] }> {
    const events = this.#tables.events;
    const path = this.finish('events');
    if (path === undefined) return { moved: 0, offsets: [] };
    const engineReads = readable === undefined ? undefined : await readable(path);
    const buf = await readFile(path);
    const kept: Uint8Array[] = [];
    const offsets: number[] = [];
    let rows = 0;
    for (let start = 0; start < buf.length;) {
      const end = buf.indexOf(0x0a, start) + 1 || buf.length;
      const line = buf.subarray(start, end);
      start = end;
      const recordAt = line.indexOf(RECORD_KEY);
      const json = valid(line);
      let meta = recordAt === -1 ? undefined : lineMeta(line, recordAt);
      if (json && meta !== undefined && (engineReads === undefined || engineReads.has(meta.o))) meta = undefined;
      if (meta === undefined) {
        kept.push(line);
        rows++;
        continue;
      }
      const at = { partition: meta.p, offset: meta.o };
      // The record as the line holds it (a version-2 record without its head, whose fields the line carries).
      const record = Buffer.from(line.subarray(recordAt + RECORD_KEY.length, line.length - 2)); // drops `}\n`
      const receivedMs = typeof meta.ra === 'string' ? Date.parse(meta.ra) : Number.NaN;
      const messageId = typeof meta.m === 'string' ? meta.m : null;
      const row = mapUndecodable(
        record,
        Number.isNaN(receivedMs) ? Date.now() : receivedMs,
        at,
        json ? 'event is not readable as UTF-8 JSON (an unpaired UTF-16 surrogate escape?)' : 'event is not valid JSON',
        messageId,
      );
      if (row.table === 'quarantine') this.add('quarantine', Buffer.from(`${row.line}\n`), 1);
      offsets.push(at.offset);
    }
    if (offsets.length > 0) {
      await writeFile(path, Buffer.concat(kept));
      events.rows = rows;
    }
    return { moved: offsets.length, offsets };
  }

  /** Closes and deletes the batch's files (after its commit, or when it is dropped). Idempotent. */
  dispose(): void {
    for (const table of ['events', 'quarantine'] as const) {
      this.finish(table);
      rmSync(this.#tables[table].path, { force: true });
    }
  }
}
