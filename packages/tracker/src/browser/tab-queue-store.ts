// Persists this tab's queue under its own keys, so two tabs never send each other's events, and adopts the
// queues of tabs that are gone (reload, close, crash): a tab holds a Web Lock for its life, so a queue whose
// lock is free is an orphan, and taking it under that lock means only one tab adopts it.
//
// The queue is stored in chunks of about CHUNK_BYTES, one key each (`<prefix>.q.<tabId>.<n>`), written as the
// queue changes: a new event rewrites the newest chunk only, a delivered batch deletes (or rewrites) the chunks it
// came from. So what a change costs the main thread is bounded by the change, never by the queue's size (the
// whole queue, up to 2 MB, used to be serialised and written on every change).
import { uuid } from '../core/message-id.js';
import type { QueueChange, QueueEntry } from '../core/delivery-queue.js';
import type { KeyValueStore } from './browser-storage.js';

/** A stored entry: event, size, attempts used. */
export type StoredEntry = Pick<QueueEntry, 'e' | 'n' | 'a'>;

interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
  request(name: string, callback: (lock: unknown) => unknown): Promise<unknown>;
}

/** Without Web Locks (browsers before 2022), a queue untouched this long is taken as orphaned. */
const STALE_MS = 5 * 60_000;

/** A chunk is closed for new entries once it holds this many bytes of events (one larger event fills one). */
const CHUNK_BYTES = 8000;

interface Chunk {
  key: string;
  entries: QueueEntry[];
  bytes: number;
}

/** See the file header. */
export class TabQueueStore {
  readonly tabId = uuid();
  readonly #locks: LockManagerLike | undefined;
  #held = false;
  /** The chunks in queue order, which entry is in which, and the chunks to write at the next save. */
  #chunks: Chunk[] = [];
  readonly #chunkOf = new Map<QueueEntry, Chunk>();
  readonly #dirty = new Set<Chunk>();
  #next = 0;
  #failing = false;

  /** `onError` hears of a write that failed (storage full or blocked), once until writes succeed again. */
  constructor(
    readonly store: KeyValueStore,
    readonly prefix: string,
    readonly onError: (error: Error) => void = () => {},
  ) {
    this.#locks = (navigator as { locks?: LockManagerLike }).locks;
    if (!store.persistent) return;
    if (this.#locks) {
      // Held until the document goes away; the promise never resolves on purpose.
      void this.#locks
        .request(this.#lockName(this.tabId), () => {
          this.#held = true;
          this.#write();
          return new Promise(() => {});
        })
        .catch(() => {
          /* locks unavailable in this context (opaque origin): stay on stale-time fallback */
        });
    } else {
      this.#held = true;
    }
  }

  /** Applies one change of the queue to the stored chunks. Writing waits until the tab's lock is held. */
  save(change: QueueChange): void {
    if (!this.store.persistent) return;
    for (const entry of change.added) {
      let last = this.#chunks.at(-1);
      if (!last || (last.entries.length > 0 && last.bytes + entry.n > CHUNK_BYTES)) {
        last = { key: `${this.prefix}.q.${this.tabId}.${this.#next++}`, entries: [], bytes: 0 };
        this.#chunks.push(last);
      }
      last.entries.push(entry);
      last.bytes += entry.n;
      this.#chunkOf.set(entry, last);
      this.#dirty.add(last);
    }
    for (const entry of change.touched) {
      const chunk = this.#chunkOf.get(entry);
      if (chunk) this.#dirty.add(chunk);
    }
    for (const entry of change.removed) {
      const chunk = this.#chunkOf.get(entry);
      if (!chunk) continue;
      this.#chunkOf.delete(entry);
      chunk.bytes -= entry.n;
      this.#dirty.add(chunk);
    }
    this.#write();
  }

  /**
   * Writes the chunks that changed: a chunk left empty loses its key. A write that fails (quota) removes the key
   * too: its old value may hold events delivered since, which a tab adopting it would send again, and it is
   * retried at the next change. Those events are then in memory only until it succeeds.
   */
  #write(): void {
    if (!this.#held) return;
    const failed: Chunk[] = [];
    for (const chunk of this.#dirty) {
      chunk.entries = chunk.entries.filter((entry) => this.#chunkOf.get(entry) === chunk);
      if (chunk.entries.length === 0) {
        this.store.remove(chunk.key);
        this.#chunks = this.#chunks.filter((c) => c !== chunk);
      } else {
        const q = chunk.entries.map(({ e, n, a }) => ({ e, n, a }));
        if (!this.store.set(chunk.key, JSON.stringify({ t: Date.now(), q }))) {
          this.store.remove(chunk.key);
          failed.push(chunk);
        }
      }
    }
    this.#dirty.clear();
    for (const chunk of failed) this.#dirty.add(chunk);
    if (failed.length > 0 && !this.#failing)
      this.onError(
        new Error(`lens: the queue could not be stored (storage full?); ${failed.length} chunk(s) kept in memory`),
      );
    this.#failing = failed.length > 0;
    // Without Web Locks a live tab shows it is alive by touching this key at each change (each send's answer).
    const beat = `${this.prefix}.q.${this.tabId}.t`;
    if (this.#locks) return;
    if (this.#chunks.length > 0) this.store.set(beat, String(Date.now()));
    else this.store.remove(beat);
  }

  /** Takes the entries of every orphaned queue (removing their keys); live tabs' queues are left alone. */
  async adoptOrphans(): Promise<StoredEntry[]> {
    if (!this.store.persistent || !this.#held) return [];
    const adopted: StoredEntry[] = [];
    const queuePrefix = `${this.prefix}.q.`;
    // Each other tab's keys: `<tabId>` (the whole queue, as versions before chunks stored it), `<tabId>.<n>` (a
    // chunk), `<tabId>.t` (the time it last changed, without Web Locks).
    const tabs = new Map<string, string[]>();
    for (const key of this.store.keys()) {
      if (!key.startsWith(queuePrefix)) continue;
      const tabId = key.slice(queuePrefix.length).split('.')[0]!;
      if (tabId !== this.tabId) tabs.set(tabId, [...(tabs.get(tabId) ?? []), key]);
    }
    for (const [tabId, keys] of tabs) {
      // The whole-queue key first, then chunks in order (the heartbeat last: it holds no events).
      const chunkNo = (key: string): number =>
        key.endsWith('.t') ? Infinity : Number(key.slice(queuePrefix.length + tabId.length + 1) || -1);
      keys.sort((a, b) => chunkNo(a) - chunkNo(b));
      const take = (): void => {
        for (const key of keys) {
          if (!key.endsWith('.t')) adopted.push(...parse(this.store.get(key)).q);
          this.store.remove(key);
        }
      };
      if (this.#locks) {
        await this.#locks
          .request(this.#lockName(tabId), { ifAvailable: true }, (lock) => {
            if (lock) take();
          })
          .catch(() => {});
      } else if (Date.now() - Math.max(...keys.map((key) => this.#touched(key))) > STALE_MS) {
        take();
      }
    }
    return adopted;
  }

  /** When a stored key last changed: a heartbeat's value, a chunk's `t`. */
  #touched(key: string): number {
    const text = this.store.get(key);
    return key.endsWith('.t') ? Number(text) || 0 : parse(text).t;
  }

  #lockName(tabId: string): string {
    return `${this.prefix}:tab:${tabId}`;
  }
}

function parse(text: string | null): { t: number; q: StoredEntry[] } {
  try {
    const value = JSON.parse(text ?? '') as { t?: unknown; q?: unknown };
    return {
      t: typeof value.t === 'number' ? value.t : 0,
      q: Array.isArray(value.q) ? (value.q as StoredEntry[]) : [],
    };
  } catch {
    return { t: 0, q: [] };
  }
}
