// Main-thread side of the map workers: ships a read's records (one transferred buffer) to a worker and gets
// back, per record, its NDJSON line, target table and dedup key. Round-robin over a few threads.
import { Worker } from 'node:worker_threads';
import type { LogRecord } from '@lens/log';
import type { LoaderQualityConfig } from '@lens/protocol';

/** A chunk of records to map. */
export interface MapRequest { id: number; partition: number; buffer: ArrayBuffer; ends: Uint32Array; offsets: Float64Array; timestamps: Float64Array }
/** Per record: table (1 events, 2 quarantine), line, code (quarantine reason or timestamp correction), bot flag, dedup key. */
export interface MapResult { id: number; table: Uint8Array; lines: string[]; codes: (string | null)[]; bots: Uint8Array; sourceIds: (string | null)[]; messageIds: (string | null)[]; receivedMs: Float64Array }

/** A few worker threads mapping records. */
export class MapPool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, { resolve(r: MapResult): void; reject(e: unknown): void }>();
  #next = 0;
  #id = 0;

  constructor(size: number, quality: LoaderQualityConfig) {
    this.#workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./map-worker.js', import.meta.url), { workerData: { quality } });
      worker.on('message', (r: MapResult) => { this.#pending.get(r.id)?.resolve(r); this.#pending.delete(r.id); });
      worker.on('error', (error) => { for (const p of this.#pending.values()) p.reject(error); this.#pending.clear(); });
      worker.unref();
      return worker;
    });
  }

  /** Maps records of one partition (in order). */
  map(partition: number, records: readonly LogRecord[]): Promise<MapResult> {
    let total = 0;
    for (const r of records) total += r.value.length;
    const bytes = new Uint8Array(total);
    const ends = new Uint32Array(records.length);
    const offsets = new Float64Array(records.length);
    const timestamps = new Float64Array(records.length);
    let at = 0;
    records.forEach((r, i) => { bytes.set(r.value, at); at += r.value.length; ends[i] = at; offsets[i] = r.offset; timestamps[i] = r.timestamp; });
    const id = ++this.#id;
    const worker = this.#workers[this.#next++ % this.#workers.length]!;
    return new Promise<MapResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const req: MapRequest = { id, partition, buffer: bytes.buffer, ends, offsets, timestamps };
      worker.postMessage(req, [bytes.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
