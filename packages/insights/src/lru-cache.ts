// A small LRU map for insight results, keyed by the query and the versions of the tables it read, so a new
// commit to any of them misses (and old entries age out).

/** Least-recently-used cache of at most `capacity` entries. */
export class LruCache<V> {
  readonly #map = new Map<string, V>();
  #hits = 0;
  #misses = 0;

  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  /** The value of the first of `keys` held (counted as one hit or one miss). */
  find(keys: readonly string[]): V | undefined {
    const key = keys.find((k) => this.#map.has(k));
    return key === undefined ? this.get(keys[0] ?? '') : this.get(key);
  }

  set(key: string, value: V): void {
    if (this.capacity <= 0) return;
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value as string);
  }

  stats(): { size: number; hits: number; misses: number } {
    return { size: this.#map.size, hits: this.#hits, misses: this.#misses };
  }
}

/** JSON with object keys sorted, so equal queries make equal cache keys. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
