// Turns `recs` of the Lens configuration into the serving store: the configured adapter (SQLite under the data
// directory by default) with the LRU cache in front, the pointer key read through.
import type { RecsConfig } from '@lens/protocol';
import { join } from 'node:path';
import { createKeyValueStore, type KvOptions } from '../kv/create-key-value-store.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { withLruCache } from '../kv/lru-cache.js';
import { POINTER_KEY } from './kv-layout.js';

/** Adapter options from the configuration (`recs.kv`). */
export function kvOptionsFromConfig(config: RecsConfig, dataDir: string): KvOptions {
  const kv = config.kv;
  return kv.backend === 'sqlite'
    ? { backend: 'sqlite', path: kv.path ?? join(dataDir, 'recs', 'kv.sqlite') }
    : {
        backend: 'dynamodb',
        table: kv.table,
        region: kv.region,
        createTable: kv.createTable,
        consistentRead: kv.consistentRead,
        requestTimeoutMs: kv.requestTimeoutMs,
        ...(kv.endpoint ? { endpoint: kv.endpoint } : {}),
        ...(kv.credentials ? { credentials: kv.credentials } : {}),
      };
}

/**
 * The configured store, cached unless `recs.cacheEntries` is 0.
 * @example const store = await openRecsStore(config.recs, config.dataDir);
 */
export async function openRecsStore(config: RecsConfig, dataDir: string): Promise<KeyValueStore> {
  const store = await createKeyValueStore(kvOptionsFromConfig(config, dataDir));
  return config.cacheEntries > 0
    ? withLruCache(store, { maxEntries: config.cacheEntries, uncachedPrefixes: [POINTER_KEY] })
    : store;
}
