// Main-thread side of the map workers: ships a read's records (one transferred buffer) to a worker and gets
// back its NDJSON lines (one per record, or one per event of a request record), already UTF-8 encoded in one
// transferred buffer, and per line its target table, quality code, bot flag and dedup key. Round-robin over a
// few threads.
//
// Those buffers are recycled: a worker hands each read's buffer back with its result (the next read packs into
// it), and a read's line buffer goes back to the workers with a later request once its lines are written to the
// batch files. Fewer multi-megabyte allocations, and fewer buffers for the garbage collector to find.
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
  /** A line buffer to write into when it is large enough (handed back by the main thread), moved to the worker. */
  spare: ArrayBuffer | undefined;
}
/**
 * Record i of the chunk gave lines `firstLine[i] .. firstLine[i+1]` (a request record one per accepted event,
 * any other record one). Per line: table (1 events, 2 quarantine), code (quarantine reason or timestamp
 * correction), bot flag, dedup key, its record's log offset; line l (ending in a line break) is
 * `lineBytes[lineEnds[l-1] .. lineEnds[l])` (from 0 for l = 0).
 */
export interface MapResult {
  id: number;
  firstLine: Uint32Array;
  lineOffsets: Float64Array;
  table: Uint8Array;
  lineBytes: Uint8Array;
  lineEnds: Uint32Array;
  codes: (string | null)[];
  bots: Uint8Array;
  keys: DedupKeys;
  /** The request's record buffer, handed back for the next read to pack into. */
  input: ArrayBuffer;
}

/** Most recycled buffers kept per kind: a few reads in flight per partition need no more. */
const MAX_SPARE_BUFFERS = 8;

/** A few worker threads mapping records. */
export class MapPool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, { resolve(r: MapResult): void; reject(e: unknown): void }>();
  /** Requests pending per worker: a worker is referenced only while it has some, so an idle pool never keeps the process alive. */
  readonly #inFlight: number[];
  #next = 0;
  #id = 0;
  readonly #spareReads: ArrayBuffer[] = [];
  readonly #spareLines: ArrayBuffer[] = [];

  constructor(size: number, quality: LoaderQualityConfig) {
    this.#inFlight = new Array<number>(size).fill(0);
    this.#workers = Array.from({ length: size }, (_, index) => {
      const worker = new Worker(new URL('./map-worker.js', import.meta.url), { workerData: { quality } });
      worker.on('message', (r: MapResult) => {
        if (this.#spareReads.length < MAX_SPARE_BUFFERS) this.#spareReads.push(r.input);
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

  /** A buffer for the next read to pack records into (PackedReadOptions.into), when one has come back. */
  readBuffer(): ArrayBuffer | undefined {
    return this.#spareReads.pop();
  }

  /**
   * Hands a result's line buffer back once nothing on this thread uses its lines any more: it goes to a worker
   * with the next request, which detaches every view of it here (MicroBatch refuses lines that come out empty).
   */
  recycleLines(buffer: ArrayBuffer): void {
    if (this.#spareLines.length < MAX_SPARE_BUFFERS && buffer.byteLength > 0) this.#spareLines.push(buffer);
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
      const spare = this.#spareLines.pop();
      const req: MapRequest = {
        id,
        partition,
        buffer: packed.buffer,
        ends: packed.ends,
        offsets: packed.offsets,
        timestamps: packed.timestamps,
        spare,
      };
      worker.postMessage(req, spare === undefined ? [packed.buffer] : [packed.buffer, spare]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
