// One micro-batch of a partition: the log range [from, to) it covers and the NDJSON lines it produced for each
// bronze table. Lines are joined per log read, so a 50 000-row batch is a few large strings, not 50 000.
import { open } from 'node:fs/promises';
import type { BronzeTableKey } from './bronze-schema.js';

/** Rows of one table in a batch. */
interface TableLines { chunks: string[]; pending: string[]; rows: number }

/** A batch being filled; `to` moves forward with every record consumed, loaded or not. */
export class MicroBatch {
  readonly startedAt = Date.now();
  to: number;
  records = 0;
  bytes = 0;
  /** Append time (ms) of the first record consumed: the oldest not yet loaded. */
  firstRecordAt: number | undefined;
  readonly #tables: Record<BronzeTableKey, TableLines> = {
    events: { chunks: [], pending: [], rows: 0 },
    quarantine: { chunks: [], pending: [], rows: 0 },
  };

  constructor(readonly from: number) {
    this.to = from;
  }

  /** Adds a row (already serialised as one JSON line). */
  add(table: BronzeTableKey, line: string): void {
    const t = this.#tables[table];
    t.pending.push(line);
    t.rows++;
  }

  /** Closes the current read's lines into one chunk. */
  seal(): void {
    for (const t of Object.values(this.#tables)) {
      if (t.pending.length > 0) t.chunks.push(t.pending.join('\n') + '\n');
      t.pending = [];
    }
  }

  rows(table: BronzeTableKey): number { return this.#tables[table].rows; }

  /** Writes a table's rows as an NDJSON file; false (nothing written) when it has none. */
  async writeNdjson(table: BronzeTableKey, path: string): Promise<boolean> {
    this.seal();
    const t = this.#tables[table];
    if (t.rows === 0) return false;
    const file = await open(path, 'w');
    try {
      for (const chunk of t.chunks) await file.write(chunk);
    } finally {
      await file.close();
    }
    return true;
  }
}
