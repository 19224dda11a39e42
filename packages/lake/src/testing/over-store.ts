// Tests' view of an ObjectStore with some methods replaced (to count calls, or hide files): every other method
// and property goes to the store itself.
import type { ObjectStore } from '../storage/object-store.js';

/** `store` with `overrides` in place of its own methods. */
export function overStore(store: ObjectStore, overrides: Partial<ObjectStore>): ObjectStore {
  return {
    description: store.description,
    listReadsAll: store.listReadsAll,
    get: (key) => store.get(key),
    head: (key) => store.head(key),
    put: (key, data) => store.put(key, data),
    putIfAbsent: (key, data) => store.putIfAbsent(key, data),
    putFile: (key, path) => store.putFile(key, path),
    list: (prefix, options) => store.list(prefix, options),
    listKeys: (prefix) => store.listKeys(prefix),
    delete: (key) => store.delete(key),
    readableLocation: (key) => store.readableLocation(key),
    ...overrides,
  };
}
