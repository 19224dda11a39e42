// In-memory adapter of the ObjectStore port, for unit tests of log logic without touching disk.
// Single-threaded JS makes every method atomic; `putIfAbsent` is exclusive by a plain Map check.
import { readFile, unlink } from 'node:fs/promises';
import { ObjectNotFoundError } from '../../errors.js';
import type { ObjectMeta, ObjectStore } from '../object-store.js';

/** The description of a store created without one: caches keyed by location leave such stores alone. */
export const DEFAULT_MEMORY_DESCRIPTION = 'memory://';

/** Creates an empty in-memory ObjectStore. */
export function createMemoryObjectStore(description = DEFAULT_MEMORY_DESCRIPTION): ObjectStore {
  return new MemoryObjectStore(description);
}

class MemoryObjectStore implements ObjectStore {
  readonly #objects = new Map<string, { data: Uint8Array; lastModified: number }>();
  constructor(readonly description: string) {}

  async get(key: string): Promise<Uint8Array> {
    const entry = this.#objects.get(key);
    if (!entry) throw new ObjectNotFoundError(key);
    return entry.data.slice();
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    const entry = this.#objects.get(key);
    return entry && { key, size: entry.data.byteLength, lastModified: entry.lastModified };
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    this.#objects.set(key, { data: data.slice(), lastModified: Date.now() });
  }

  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    if (this.#objects.has(key)) return false;
    this.#objects.set(key, { data: data.slice(), lastModified: Date.now() });
    return true;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const data = await readFile(localPath);
    this.#objects.set(key, { data, lastModified: Date.now() });
    await unlink(localPath);
  }

  async list(prefix: string, options: { startAfter?: string } = {}): Promise<ObjectMeta[]> {
    const after = options.startAfter ?? '';
    return [...this.#objects.entries()]
      .filter(([key]) => key.startsWith(prefix) && key > after)
      .map(([key, e]) => ({ key, size: e.data.byteLength, lastModified: e.lastModified }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async listKeys(prefix: string): Promise<string[]> {
    return (await this.list(prefix)).map((m) => m.key);
  }

  async delete(key: string): Promise<void> {
    this.#objects.delete(key);
  }

  readableLocation(): undefined {
    return undefined;
  }
}
