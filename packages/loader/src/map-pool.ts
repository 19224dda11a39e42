// Main-thread side of the map workers: ships a read's records (one transferred buffer) to a worker and gets
// back, per record, its target table, quality code, bot flag and dedup key, with every record's NDJSON line
// already UTF-8 encoded in one transferred buffer. Round-robin over a few threads.
import { Worker } from 'node:worker_threads';
import type { PackedRecords } from '@lens/log';
import type { LoaderQualityConfig } from '@lens/protocol';
import type { DedupKeys } from './dedup-service.js';

/** A chunk of records to map. */
export interface MapRequest {
  id: number;
  partition: number;
  buffer: ArrayBuffer;
  ends: Uint32Array;
  offsets: Float64Array;
  timestamps: Float64Array;
}
/**
 * Per record: table (1 events, 2 quarantine), code (quarantine reason or timestamp correction), bot flag, dedup key;
 * its NDJSON line (ending in a line break) is `lineBytes[lineEnds[i-1] .. lineEnds[i])` (from 0 for i = 0).
 */
export interface MapResult {
  id: number;
  table: Uint8Array;
  lineBytes: Uint8Array;
  lineEnds: Uint32Array;
  codes: (string | null)[];
  bots: Uint8Array;
  keys: DedupKeys;
}

/** A few worker threads mapping records. */
export class MapPool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, { resolve(r: MapResult): void; reject(e: unknown): void }>();
  /** Requests pending per worker: a worker is referenced only while it has some, so an idle pool never keeps the process alive. */
  readonly #inFlight: number[];
  #next = 0;
  #id = 0;

  constructor(size: number, quality: LoaderQualityConfig) {
    this.#inFlight = new Array<number>(size).fill(0);
    this.#workers = Array.from({ length: size }, (_, index) => {
      const worker = new Worker(new URL('./map-worker.js', import.meta.url), { workerData: { quality } });
      worker.on('message', (r: MapResult) => {
        this.#pending.get(r.id)?.resolve(r);
        this.#pending.delete(r.id);
        if (--this.#inFlight[index]! === 0) worker.unref();
      });
      worker.on('error', (error) => {
        for (const p of this.#pending.values()) p.reject(error);
        this.#pending.clear();
      });
      worker.unref();
      return worker;
    });
  }

  /** Maps packed records of one partition (in order). The packed buffer is transferred: unusable afterwards. */
  map(partition: number, packed: PackedRecords): Promise<MapResult> {
    const id = ++this.#id;
    const index = this.#next++ % this.#workers.length;
    const worker = this.#workers[index]!;
    if (this.#inFlight[index]!++ === 0) worker.ref();
    return new Promise<MapResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // offsets/timestamps are copied (the main thread keeps them); the record bytes move.
      const req: MapRequest = {
        id,
        partition,
        buffer: packed.buffer,
        ends: packed.ends,
        offsets: packed.offsets,
        timestamps: packed.timestamps,
      };
      worker.postMessage(req, [packed.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
