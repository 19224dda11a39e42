// The LRU cache's own behaviour beyond the contract: hits, eviction order, TTL, bypassed prefixes, and that a
// write by another process is seen only after the TTL (the documented staleness bound).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryKeyValueStore } from './adapters/memory/index.js';
import { withLruCache } from './lru-cache.js';

test('repeated reads hit the cache; the least recently used entry is evicted first', async () => {
  const backend = createMemoryKeyValueStore();
  await backend.putMany(['a', 'b', 'c', 'd'].map((k) => ({ key: k, value: k.toUpperCase() })));
  const cached = withLruCache(backend, { maxEntries: 2 });
  await cached.get('a');
  await cached.get('b');
  await cached.get('a'); // a is now more recent than b
  await cached.get('c'); // evicts b
  assert.deepEqual(cached.stats(), { hits: 1, misses: 3, size: 2 });
  await backend.putMany([
    { key: 'a', value: 'a2' },
    { key: 'b', value: 'b2' },
  ]); // written behind the cache's back
  assert.equal(await cached.get('a'), 'A', 'a is still cached');
  assert.equal(await cached.get('b'), 'b2', 'b was evicted, so it is read again');
});

test('misses are cached too, and getMany mixes cached and fetched values in order', async () => {
  const backend = createMemoryKeyValueStore();
  const cached = withLruCache(backend, { maxEntries: 10 });
  assert.equal(await cached.get('x'), undefined);
  await backend.putMany([
    { key: 'x', value: '1' },
    { key: 'y', value: '2' },
  ]);
  assert.deepEqual(await cached.getMany(['y', 'x']), ['2', undefined]);
  assert.deepEqual(cached.stats(), { hits: 1, misses: 2, size: 2 });
});

test('entries expire after ttlMs; uncached prefixes are always read through', async () => {
  let now = 0;
  const backend = createMemoryKeyValueStore();
  await backend.putMany([
    { key: 'k', value: 'v1' },
    { key: 'ptr', value: '1' },
  ]);
  const cached = withLruCache(backend, { maxEntries: 10, ttlMs: 1000, uncachedPrefixes: ['ptr'], now: () => now });
  await cached.get('k');
  await cached.get('ptr');
  await backend.putMany([
    { key: 'k', value: 'v2' },
    { key: 'ptr', value: '2' },
  ]);
  now = 999;
  assert.equal(await cached.get('k'), 'v1');
  assert.equal(await cached.get('ptr'), '2');
  now = 1001;
  assert.equal(await cached.get('k'), 'v2');
});

test('a failed write leaves no cached value behind', async () => {
  const backend = createMemoryKeyValueStore();
  await backend.putMany([{ key: 'k', value: 'old' }]);
  const cached = withLruCache(
    {
      ...backend,
      putMany: async () => {
        throw new Error('disk full');
      },
    },
    { maxEntries: 10 },
  );
  await cached.get('k');
  await assert.rejects(cached.putMany([{ key: 'k', value: 'new' }]), /disk full/);
  assert.equal(await cached.get('k'), 'old');
});
