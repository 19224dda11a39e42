// Parsed lists of the served version, kept in process: versioned keys never change once loaded, so a parsed
// list can be reused until evicted — parsing the JSON of every list on every request was the API's main cost.
import type { KeyValueStore } from '../kv/key-value-store.js';
import { parseItems, type StoredItem } from './kv-layout.js';

/** Reads keys of immutable versions through a bounded map of parsed values (least recently used evicted). */
export class ParsedListCache {
  readonly #store: KeyValueStore;
  readonly #max: number;
  readonly #map = new Map<string, StoredItem[] | string | null>();

  constructor(store: KeyValueStore, maxEntries: number) {
    this.#store = store;
    this.#max = maxEntries;
  }

  /** Raw string values (identity links) and parsed lists of `keys`; `lists[i]` says whether key i holds a list. */
  async getMany(keys: readonly string[], lists: readonly boolean[]): Promise<(StoredItem[] | string | undefined)[]> {
    const out: (StoredItem[] | string | undefined)[] = new Array(keys.length);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      const hit = this.#map.get(k);
      if (hit === undefined) missing.push(i);
      else {
        this.#map.delete(k);
        this.#map.set(k, hit);
        out[i] = hit ?? undefined;
      }
    });
    if (missing.length > 0) {
      const values = await this.#store.getMany(missing.map((i) => keys[i]!));
      missing.forEach((i, j) => {
        const raw = values[j];
        const value = raw === undefined ? null : lists[i] ? parseItems(raw) : raw;
        out[i] = value ?? undefined;
        if (this.#max > 0) {
          this.#map.set(keys[i]!, value);
          if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
        }
      });
    }
    return out;
  }
}
