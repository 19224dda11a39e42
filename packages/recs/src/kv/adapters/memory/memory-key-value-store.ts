// The in-memory KeyValueStore: a Map. For tests of callers and as the reference the contract suite checks
// the real adapters against.
import { checkEntry, checkKey, type KeyValueEntry, type KeyValueStore } from '../../key-value-store.js';
import { KeyValueStoreError } from '../../../errors.js';

/**
 * A KeyValueStore held in a Map (lost on exit).
 * @example const store = createMemoryKeyValueStore();
 */
export function createMemoryKeyValueStore(): KeyValueStore {
  const map = new Map<string, string>();
  let closed = false;
  const open = (): void => {
    if (closed) throw new KeyValueStoreError('memory store is closed');
  };
  return {
    async get(key) {
      open();
      checkKey(key);
      return map.get(key);
    },
    async getMany(keys) {
      open();
      keys.forEach(checkKey);
      return keys.map((k) => map.get(k));
    },
    async putMany(entries: readonly KeyValueEntry[]) {
      open();
      entries.forEach(checkEntry);
      for (const e of entries) map.set(e.key, e.value);
    },
    async deleteMany(keys) {
      open();
      keys.forEach(checkKey);
      for (const k of keys) map.delete(k);
    },
    async keys(prefix) {
      open();
      return [...map.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    async close() {
      closed = true;
      map.clear();
    },
  };
}
