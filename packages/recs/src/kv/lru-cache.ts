// An in-process LRU cache in front of any KeyValueStore (the role DAX plays in front of DynamoDB): reads hit
// memory; this process's writes update it. Other processes' writes are seen after `ttlMs`, or at once for keys
// under `uncachedPrefixes` — serving relies on immutable versioned keys plus one uncached pointer key.
import type { KeyValueEntry, KeyValueStore } from './key-value-store.js';

/** Options of `withLruCache`. */
export interface LruCacheOptions {
  /** Entries kept (values and misses); the least recently used goes first. */
  maxEntries: number;
  /** An entry older than this is read again from the store; 0 = never expires. */
  ttlMs?: number;
  /** Keys starting with one of these bypass the cache. */
  uncachedPrefixes?: readonly string[];
  /** Clock (tests). */
  now?: () => number;
}

/** Counters of a cached store. */
export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

/** A KeyValueStore with an LRU cache; `stats()` reports hits and misses. */
export interface CachedKeyValueStore extends KeyValueStore {
  stats(): CacheStats;
}

const MISSING = Symbol('missing');
type Slot = { value: string | typeof MISSING; at: number };

/**
 * Wraps `store` with an LRU cache of `maxEntries`.
 * @example const store = withLruCache(createSqliteKeyValueStore({ backend: 'sqlite', path }), { maxEntries: 50_000 });
 */
export function withLruCache(store: KeyValueStore, options: LruCacheOptions): CachedKeyValueStore {
  const map = new Map<string, Slot>();
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? 0;
  const bypass = options.uncachedPrefixes ?? [];
  let hits = 0;
  let misses = 0;
  const cacheable = (key: string): boolean => !bypass.some((p) => key.startsWith(p));
  const lookup = (key: string): Slot | undefined => {
    const slot = map.get(key);
    if (!slot) return undefined;
    if (ttl > 0 && now() - slot.at > ttl) {
      map.delete(key);
      return undefined;
    }
    map.delete(key); // re-insert: a Map iterates in insertion order, so the first key is the least recent
    map.set(key, slot);
    return slot;
  };
  const remember = (key: string, value: string | undefined): void => {
    if (!cacheable(key) || options.maxEntries <= 0) return;
    map.delete(key);
    map.set(key, { value: value ?? MISSING, at: now() });
    while (map.size > options.maxEntries) map.delete(map.keys().next().value as string);
  };
  const unwrap = (slot: Slot): string | undefined => (slot.value === MISSING ? undefined : slot.value);
  return {
    async get(key) {
      const slot = cacheable(key) ? lookup(key) : undefined;
      if (slot) {
        hits++;
        return unwrap(slot);
      }
      misses++;
      const value = await store.get(key);
      remember(key, value);
      return value;
    },
    async getMany(keys) {
      const out: (string | undefined)[] = new Array(keys.length);
      const missing: number[] = [];
      keys.forEach((k, i) => {
        const slot = cacheable(k) ? lookup(k) : undefined;
        if (slot) out[i] = unwrap(slot);
        else missing.push(i);
      });
      hits += keys.length - missing.length;
      misses += missing.length;
      if (missing.length > 0) {
        const values = await store.getMany(missing.map((i) => keys[i]!));
        missing.forEach((i, j) => {
          out[i] = values[j];
          remember(keys[i]!, values[j]);
        });
      }
      return out;
    },
    async putMany(entries: readonly KeyValueEntry[]) {
      for (const e of entries) map.delete(e.key); // a failed write must not leave a stale cached value
      await store.putMany(entries);
      for (const e of entries) remember(e.key, e.value);
    },
    async deleteMany(keys) {
      for (const k of keys) map.delete(k);
      await store.deleteMany(keys);
    },
    keys: (prefix) => store.keys(prefix),
    async close() {
      map.clear();
      await store.close();
    },
    stats: () => ({ hits, misses, size: map.size }),
  };
}
