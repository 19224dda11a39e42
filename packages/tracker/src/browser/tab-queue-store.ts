// Persists this tab's queue under its own key, so two tabs never send each other's events, and adopts the
// queues of tabs that are gone (reload, close, crash): a tab holds a Web Lock for its life, so a queue whose
// lock is free is an orphan, and taking it under that lock means only one tab adopts it.
import { uuid } from '../core/message-id.js';
import type { QueueEntry } from '../core/delivery-queue.js';
import type { KeyValueStore } from './browser-storage.js';

/** A stored entry: event, size, attempts used. */
export type StoredEntry = Pick<QueueEntry, 'e' | 'n' | 'a'>;

interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
  request(name: string, callback: (lock: unknown) => unknown): Promise<unknown>;
}

/** Without Web Locks (browsers before 2022), a queue untouched this long is taken as orphaned. */
const STALE_MS = 5 * 60_000;

/** See the file header. */
export class TabQueueStore {
  readonly tabId = uuid();
  readonly #locks: LockManagerLike | undefined;
  #held = false;
  #unsaved: readonly StoredEntry[] | undefined;

  constructor(
    readonly store: KeyValueStore,
    readonly prefix: string,
  ) {
    this.#locks = (navigator as { locks?: LockManagerLike }).locks;
    if (!store.persistent) return;
    if (this.#locks) {
      // Held until the document goes away; the promise never resolves on purpose.
      void this.#locks
        .request(this.#lockName(this.tabId), () => {
          this.#held = true;
          if (this.#unsaved) this.save(this.#unsaved);
          return new Promise(() => {});
        })
        .catch(() => {
          /* locks unavailable in this context (opaque origin): stay on stale-time fallback */
        });
    } else {
      this.#held = true;
    }
  }

  /** Writes this tab's queue (removes the key when empty). Deferred until the tab's lock is held. */
  save(entries: readonly StoredEntry[]): void {
    if (!this.store.persistent) return;
    if (!this.#held) {
      this.#unsaved = entries;
      return;
    }
    this.#unsaved = undefined;
    const key = `${this.prefix}.q.${this.tabId}`;
    if (entries.length === 0) this.store.remove(key);
    else this.store.set(key, JSON.stringify({ t: Date.now(), q: entries.map(({ e, n, a }) => ({ e, n, a })) }));
  }

  /** Takes the entries of every orphaned queue (removing their keys); live tabs' queues are left alone. */
  async adoptOrphans(): Promise<StoredEntry[]> {
    if (!this.store.persistent || !this.#held) return [];
    const adopted: StoredEntry[] = [];
    const queuePrefix = `${this.prefix}.q.`;
    for (const key of this.store.keys()) {
      if (!key.startsWith(queuePrefix) || key === queuePrefix + this.tabId) continue;
      const take = (): void => {
        const stored = parse(this.store.get(key));
        this.store.remove(key);
        adopted.push(...stored.q);
      };
      if (this.#locks) {
        await this.#locks
          .request(this.#lockName(key.slice(queuePrefix.length)), { ifAvailable: true }, (lock) => {
            if (lock) take();
          })
          .catch(() => {});
      } else if (Date.now() - parse(this.store.get(key)).t > STALE_MS) {
        take();
      }
    }
    return adopted;
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
