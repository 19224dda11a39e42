// The parsed-list cache: hits do not read the store, lists and small values (links, misses) are bounded apart,
// and what is used keeps surviving while what is not goes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryKeyValueStore } from '../kv/adapters/memory/index.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { ParsedListCache } from './parsed-list-cache.js';

function counting(store: KeyValueStore): KeyValueStore & { reads: number } {
  const s = Object.assign(Object.create(store) as KeyValueStore, { reads: 0 });
  s.getMany = async (keys) => {
    s.reads += keys.length;
    return store.getMany(keys);
  };
  return s;
}

test('lists and misses are read once; misses do not push lists out; the bounds hold', async () => {
  const base = createMemoryKeyValueStore();
  await base.putMany([
    { key: 'list', value: JSON.stringify([{ a: 'x', s: 1, r: 'r' }]) },
    { key: 'link', value: 'u1' },
  ]);
  const store = counting(base);
  const cache = new ParsedListCache(store, 4, 8);
  assert.deepEqual(await cache.getMany(['list', 'link', 'none'], [true, false, true]), [
    [{ a: 'x', s: 1, r: 'r' }],
    'u1',
    undefined,
  ]);
  assert.equal(store.reads, 3);
  const again = await cache.getMany(['list', 'link', 'none'], [true, false, true]);
  assert.equal(store.reads, 3, 'all three were cached, the miss too');
  assert.equal((again[0] as unknown[]).length, 1);
  for (let i = 0; i < 100; i++) await cache.getMany([`missing-${i}`, 'list'], [true, true]);
  assert.equal(store.reads, 103, 'the list stayed cached while 100 misses went through');
  assert.ok(cache.size <= 4 + 8, `size ${cache.size}`);
  await cache.getMany(['link'], [false]);
  assert.equal(store.reads, 104, 'the unused link was evicted by the misses');
});
