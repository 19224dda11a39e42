// One micro-batch of a partition: the log range [from, to) it covers and the NDJSON lines it produced for each
// bronze table, as slices of the map workers' UTF-8 output (a run of consecutive rows is one slice).
import { open } from 'node:fs/promises';
import type { BronzeTableKey } from './bronze-schema.js';
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

/** Rows of one table in a batch. */
interface TableLines {
  pieces: Uint8Array[];
  rows: number;
}

/** A batch being filled; `to` moves forward with every record consumed, loaded or not. */
export class MicroBatch {
  readonly startedAt = Date.now();
  to: number;
  records = 0;
  bytes = 0;
  /** Append time (ms) of the first record consumed: the oldest not yet loaded. */
  firstRecordAt: number | undefined;
  readonly #tables: Record<BronzeTableKey, TableLines> = {
    events: { pieces: [], rows: 0 },
    quarantine: { pieces: [], rows: 0 },
  };

  constructor(readonly from: number) {
    this.to = from;
  }

  /** Adds `rows` rows: whole NDJSON lines, UTF-8, each ending in a line break. */
  add(table: BronzeTableKey, lines: Uint8Array, rows: number): void {
    const t = this.#tables[table];
    t.pieces.push(lines);
    t.rows += rows;
  }

  rows(table: BronzeTableKey): number {
    return this.#tables[table].rows;
  }

  /**
   * Moves the events lines that are not valid JSON (a record mapped from its head whose event text is broken:
   * only a log writer other than the collector can produce one) to the quarantine, kept whole with the reason.
   * Returns how many moved. Called after the lake engine refused the batch's events.
   */
  quarantineMalformedEvents(): { moved: number; offsets: number[] } {
    const events = this.#tables.events;
    const kept: Uint8Array[] = [];
    const offsets: number[] = [];
    let rows = 0;
    for (const piece of events.pieces) {
      const buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      for (let start = 0; start < buf.length;) {
        const end = buf.indexOf(0x0a, start) + 1 || buf.length;
        const line = buf.subarray(start, end);
        start = end;
        const recordAt = line.indexOf(RECORD_KEY);
        const meta = valid(line) || recordAt === -1 ? undefined : lineMeta(line, recordAt);
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
          'event is not valid JSON',
          messageId,
        );
        if (row.table === 'quarantine') this.add('quarantine', Buffer.from(`${row.line}\n`), 1);
        offsets.push(at.offset);
      }
    }
    events.pieces = kept;
    events.rows = rows;
    return { moved: offsets.length, offsets };
  }

  /** Writes a table's rows as an NDJSON file; false (nothing written) when it has none. */
  async writeNdjson(table: BronzeTableKey, path: string): Promise<boolean> {
    const t = this.#tables[table];
    if (t.rows === 0) return false;
    const file = await open(path, 'w');
    try {
      for (const piece of t.pieces) {
        for (let done = 0; done < piece.length;)
          done += (await file.write(piece, done, piece.length - done)).bytesWritten;
      }
    } finally {
      await file.close();
    }
    return true;
  }
}
