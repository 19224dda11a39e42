// One micro-batch of a partition: the log range [from, to) it covers and the NDJSON lines it produced for each
// bronze table, as slices of the map workers' UTF-8 output (a run of consecutive rows is one slice).
import { open } from 'node:fs/promises';
import type { BronzeTableKey } from './bronze-schema.js';

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
