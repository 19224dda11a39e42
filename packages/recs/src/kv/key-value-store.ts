// The KeyValueStore port: the few operations serving needs from a fast store. Every method here pins the
// migration to another backend, so keep it small. Values are strings (the caller's JSON).
import { InvalidKeyValueError } from '../errors.js';

/** One entry to write. */
export interface KeyValueEntry {
  readonly key: string;
  readonly value: string;
}

/**
 * A string → string store. Adapters: memory (tests), SQLite (embedded default), DynamoDB (scale-out,
 * `@lens/recs/dynamodb`); `withLruCache` puts an in-process cache in front of any of them.
 * @example
 * const store = createMemoryKeyValueStore();
 * await store.putMany([{ key: 'a', value: '1' }]);
 * await store.get('a'); // '1'
 */
export interface KeyValueStore {
  /** The value of `key`, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** The values of `keys`, in the same order (undefined where missing). */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Writes entries (last write of a key wins); adapters batch as their backend allows. Not atomic as a whole. */
  putMany(entries: readonly KeyValueEntry[]): Promise<void>;
  /** Deletes keys (missing ones are ignored). */
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Every key starting with `prefix`, sorted (for housekeeping, not the serving path). */
  keys(prefix: string): Promise<string[]>;
  /** Releases connections and files; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Largest key in bytes (DynamoDB's partition-key limit is 2048). */
export const MAX_KEY_BYTES = 1024;
/** Largest value in bytes (DynamoDB's item limit is 400 KB including names). */
export const MAX_VALUE_BYTES = 350 * 1024;

/** Throws InvalidKeyValueError for an empty or oversized key. */
export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyValueError('a key must be a non-empty string');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES)
    throw new InvalidKeyValueError(`key longer than ${MAX_KEY_BYTES} bytes`, { context: { key: key.slice(0, 80) } });
}

/** Throws InvalidKeyValueError for a bad entry. */
export function checkEntry(entry: KeyValueEntry): void {
  checkKey(entry.key);
  if (typeof entry.value !== 'string')
    throw new InvalidKeyValueError('a value must be a string', { context: { key: entry.key } });
  if (Buffer.byteLength(entry.value) > MAX_VALUE_BYTES)
    throw new InvalidKeyValueError(`value longer than ${MAX_VALUE_BYTES} bytes`, { context: { key: entry.key } });
}
