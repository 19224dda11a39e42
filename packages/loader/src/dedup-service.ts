// Main-thread side of the dedup worker (dedup-worker.ts): the duplicate index, asynchronous. One worker — and so
// one SQLite connection — per index file per process, shared by every partition loader and loader instance in it
// (a second connection would wait synchronously for the first one's open write transaction).
import { resolve as resolvePath } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * One chunk's dedup keys, in log order, packed in one string: record i's source id is `keys[keyEnds[2i-1] ..
 * keyEnds[2i])` (from 0 for i = 0), its message id `keys[keyEnds[2i] .. keyEnds[2i+1])`; `hasKey[i]` is 0 for a
 * record without one (not an event); `receivedMs[i]` is the time the window is measured with.
 */
export interface DedupKeys {
  keys: string;
  keyEnds: Uint32Array;
  hasKey: Uint8Array;
  receivedMs: Float64Array;
}

/** Verdict codes: 0 not checked (no key, or below `skipBelow`), then new, replay, duplicate. */
export const VERDICT_NEW = 1;
export const VERDICT_REPLAY = 2;
export const VERDICT_DUPLICATE = 3;

export type DedupRequest =
  | ({ op: 'check'; id: number; partition: number; offsets: Float64Array; skipBelow: number } & DedupKeys)
  | { op: 'sync'; id: number }
  | { op: 'expire'; id: number; beforeMs: number; limit: number }
  | { op: 'close'; id: number };
export interface DedupReply {
  id: number;
  error?: string;
  verdicts?: Uint8Array;
  n?: number;
}

/** The duplicate index as the loader uses it (requests are handled in the order they are made). */
export interface DedupService {
  /** Classifies a chunk's records (first sightings are remembered); records at offsets below `skipBelow` are not checked. */
  check(partition: number, offsets: Float64Array, keys: DedupKeys, skipBelow: number): Promise<Uint8Array>;
  /** Commits the open transaction and fsyncs the WAL: every check made before is durable when it resolves. */
  sync(): Promise<void>;
  /** Deletes at most `limit` entries seen before `beforeMs`; returns how many. */
  expire(beforeMs: number, limit?: number): Promise<number>;
  close(): Promise<void>;
}

interface Shared {
  client: WorkerClient;
  refs: number;
}
const shared = new Map<string, Shared>();

/** Opens the index at `path` (created if missing); `windowMs` is the duplicate window. */
export function openDedupService(path: string, windowMs: number): DedupService {
  const key = resolvePath(path);
  let entry = shared.get(key);
  if (entry === undefined) {
    entry = { client: new WorkerClient(key, windowMs), refs: 0 };
    shared.set(key, entry);
  }
  entry.refs++;
  const { client } = entry;
  const owner = entry;
  let closed = false;
  return {
    // The keys move to the worker (the caller does not need them afterwards); offsets are copied.
    check: (partition, offsets, keys, skipBelow) =>
      client
        .request({ op: 'check', id: 0, partition, offsets, skipBelow, ...keys }, [
          keys.keyEnds.buffer as ArrayBuffer,
          keys.hasKey.buffer as ArrayBuffer,
          keys.receivedMs.buffer as ArrayBuffer,
        ])
        .then((r) => r.verdicts!),
    sync: () => client.request({ op: 'sync', id: 0 }).then(() => undefined),
    expire: (beforeMs, limit = 10_000) => client.request({ op: 'expire', id: 0, beforeMs, limit }).then((r) => r.n!),
    async close() {
      if (closed) return;
      closed = true;
      if (--owner.refs === 0) {
        shared.delete(key);
        await client.close();
      }
    },
  };
}

/** The worker and its pending requests; a worker that died is replaced at the next request (its open transaction is lost, which is safe: nothing was committed relying on it). */
class WorkerClient {
  #worker: Worker | undefined;
  #closed = false;
  readonly #pending = new Map<number, { resolve(r: DedupReply): void; reject(e: unknown): void }>();
  #id = 0;

  constructor(
    readonly path: string,
    readonly windowMs: number,
  ) {}

  #spawn(): Worker {
    const worker = new Worker(new URL('./dedup-worker.js', import.meta.url), {
      workerData: { path: this.path, windowMs: this.windowMs },
    });
    const fail = (error: unknown): void => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    worker.on('message', (r: DedupReply) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) worker.unref();
      if (r.error !== undefined) p?.reject(new Error(`dedup index: ${r.error}`));
      else p?.resolve(r);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`dedup index worker exited (${code})`)));
    worker.unref();
    return worker;
  }

  request(req: DedupRequest, transfer: ArrayBuffer[] = []): Promise<DedupReply> {
    if (this.#closed) return Promise.reject(new Error('dedup index: closed'));
    const worker = (this.#worker ??= this.#spawn());
    const id = ++this.#id;
    return new Promise<DedupReply>((resolve, reject) => {
      // Referenced only while a request is pending: an idle index never keeps the process alive.
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id }, transfer);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) {
      this.#closed = true;
      return;
    }
    try {
      await this.request({ op: 'close', id: 0 });
    } finally {
      this.#closed = true;
      this.#worker = undefined;
      await worker.terminate();
    }
  }
}
