// The one factory choosing a KeyValueStore adapter from configuration. The DynamoDB adapter is imported
// dynamically, so the AWS SDK is loaded only when that backend is configured.
import { z } from 'zod';
import { RecsConfigError } from '../errors.js';
import { DynamoDbKvOptions } from './adapters/dynamodb/dynamodb-options.js';
import { createMemoryKeyValueStore, MemoryKvOptions } from './adapters/memory/index.js';
import { createSqliteKeyValueStore, SqliteKvOptions } from './adapters/sqlite/index.js';
import type { KeyValueStore } from './key-value-store.js';
import { withLruCache, type CachedKeyValueStore } from './lru-cache.js';

/** Which backend and its options. */
export const KvOptions = z.discriminatedUnion('backend', [MemoryKvOptions, SqliteKvOptions, DynamoDbKvOptions]);
export type KvOptions = z.input<typeof KvOptions>;

/**
 * Opens the configured KeyValueStore.
 * @example const store = await createKeyValueStore({ backend: 'sqlite', path: './lens-data/recs/kv.sqlite' });
 */
export async function createKeyValueStore(options: KvOptions): Promise<KeyValueStore> {
  const parsed = KvOptions.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RecsConfigError(`recs.kv${issue.path.length ? '.' + issue.path.join('.') : ''}: ${issue.message}`);
  }
  const o = parsed.data;
  switch (o.backend) {
    case 'memory':
      return createMemoryKeyValueStore();
    case 'sqlite':
      return createSqliteKeyValueStore(o);
    case 'dynamodb': {
      const { createDynamoDbKeyValueStore } = await import('./adapters/dynamodb/index.js');
      return createDynamoDbKeyValueStore(o);
    }
  }
}

/**
 * The configured store with the LRU cache in front, as serving uses it. `uncachedPrefixes` are read through
 * every time (the current-version pointer).
 */
export async function createCachedKeyValueStore(
  options: KvOptions,
  cache: { maxEntries: number; ttlMs?: number; uncachedPrefixes?: readonly string[] },
): Promise<CachedKeyValueStore> {
  return withLruCache(await createKeyValueStore(options), cache);
}
