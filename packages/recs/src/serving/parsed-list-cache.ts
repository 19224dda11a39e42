// Parsed lists of the served version, kept in process: versioned keys never change once loaded, so a parsed
// list can be reused until evicted — parsing the JSON of every list on every request was the API's main cost.
//
// Two bounded caches, each in two generations (a hit in the old generation moves the entry to the new one;
// when the new one is full, the old one is dropped whole). That is an approximate LRU with O(1) work per hit
// and no Map delete/re-insert churn (which, measured under load, cost more than the recommendation itself).
// Parsed lists (large) are bounded by `maxLists`; identity links and misses (a key and a short string or
// nothing) by `maxSmall`, so the many ids that resolve to nothing do not push the lists out.
import type { KeyValueStore } from '../kv/key-value-store.js';
import { parseItems, type StoredItem } from './kv-layout.js';

type Value = StoredItem[] | string | null;

/** A two-generation map of at most `max` entries (an approximate LRU: O(1) per hit, no re-insert churn). */
export class Generations<V> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  readonly #half: number;

  constructor(max: number) {
    this.#half = Math.max(1, Math.floor(max / 2));
  }

  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, value: V): void {
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }
}

/** Reads keys of immutable versions through bounded maps of parsed values (the least recently used go first). */
export class ParsedListCache {
  readonly #store: KeyValueStore;
  readonly #lists: Generations<StoredItem[]> | undefined;
  readonly #small: Generations<string | null> | undefined;

  /** `maxLists` parsed lists; `maxSmall` links and misses (default 10 × maxLists). 0 keeps nothing. */
  constructor(store: KeyValueStore, maxLists: number, maxSmall = 10 * maxLists) {
    this.#store = store;
    this.#lists = maxLists > 0 ? new Generations(maxLists) : undefined;
    this.#small = maxSmall > 0 ? new Generations(maxSmall) : undefined;
  }

  /** Entries held (lists, links and misses). */
  get size(): number {
    return (this.#lists?.size ?? 0) + (this.#small?.size ?? 0);
  }

  #lookup(key: string): Value | undefined {
    const list = this.#lists?.get(key);
    return list !== undefined ? list : this.#small?.get(key);
  }

  #remember(key: string, value: Value): void {
    if (Array.isArray(value)) this.#lists?.set(key, value);
    else this.#small?.set(key, value);
  }

  /** Raw string values (identity links) and parsed lists of `keys`; `lists[i]` says whether key i holds a list. */
  async getMany(keys: readonly string[], lists: readonly boolean[]): Promise<(StoredItem[] | string | undefined)[]> {
    const out: (StoredItem[] | string | undefined)[] = new Array(keys.length);
    let missing: number[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      const hit = this.#lookup(keys[i]!);
      if (hit === undefined) (missing ??= []).push(i);
      else out[i] = hit ?? undefined;
    }
    if (missing !== undefined) {
      const values = await this.#store.getMany(missing.map((i) => keys[i]!));
      for (let j = 0; j < missing.length; j++) {
        const i = missing[j]!;
        const raw = values[j];
        const value: Value = raw === undefined ? null : lists[i] ? parseItems(raw) : raw;
        out[i] = value ?? undefined;
        this.#remember(keys[i]!, value);
      }
    }
    return out;
  }
}
