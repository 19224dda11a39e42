// The KeyValueStore contract: one suite, run against every adapter (memory, SQLite, both behind the LRU
// cache, DynamoDB on dynalite). An adapter passes only if it behaves exactly like the others.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InvalidKeyValueError } from '../errors.js';
import {
  DYNALITE_CREDENTIALS,
  dynaliteUnavailable,
  startDynalite,
  type DynaliteServer,
} from '../testing/dynalite-server.js';
import { createKeyValueStore } from './create-key-value-store.js';
import type { KeyValueStore } from './key-value-store.js';
import { withLruCache } from './lru-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-kv-'));
let dynamo: DynaliteServer | undefined;
const skipDynamo = await dynaliteUnavailable();
let tables = 0;

const ADAPTERS: { name: string; open: () => Promise<KeyValueStore>; skip?: string }[] = [
  { name: 'memory', open: () => createKeyValueStore({ backend: 'memory' }) },
  { name: 'sqlite', open: () => createKeyValueStore({ backend: 'sqlite', path: join(dir, `kv-${tables++}.sqlite`) }) },
  {
    name: 'memory + lru cache',
    open: async () => withLruCache(await createKeyValueStore({ backend: 'memory' }), { maxEntries: 3 }),
  },
  {
    name: 'sqlite + lru cache',
    open: async () =>
      withLruCache(await createKeyValueStore({ backend: 'sqlite', path: join(dir, `kv-${tables++}.sqlite`) }), {
        maxEntries: 1000,
      }),
  },
  {
    name: 'dynamodb (dynalite)',
    ...(skipDynamo ? { skip: skipDynamo } : {}),
    open: () =>
      createKeyValueStore({
        backend: 'dynamodb',
        endpoint: dynamo!.endpoint,
        region: 'local',
        table: `lens-kv-${tables++}`,
        createTable: true,
        credentials: DYNALITE_CREDENTIALS,
      }),
  },
];

before(async () => {
  if (!skipDynamo) dynamo = await startDynalite();
});
after(async () => {
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

for (const adapter of ADAPTERS) {
  describe(`KeyValueStore contract: ${adapter.name}`, { skip: adapter.skip }, () => {
    let store: KeyValueStore;
    before(async () => {
      store = await adapter.open();
    });
    after(async () => {
      await store.close();
    });

    test('a missing key reads as undefined, alone and in getMany', async () => {
      assert.equal(await store.get('nope'), undefined);
      assert.deepEqual(await store.getMany(['nope', 'nope2']), [undefined, undefined]);
    });

    test('putMany then get / getMany return the values in request order', async () => {
      await store.putMany([
        { key: 'a:1', value: 'one' },
        { key: 'a:2', value: '{"x":[1,2]}' },
        { key: 'b:1', value: 'ünïcødé ✓ 🦊' },
      ]);
      assert.equal(await store.get('a:1'), 'one');
      assert.deepEqual(await store.getMany(['b:1', 'missing', 'a:2', 'a:1', 'a:1']), [
        'ünïcødé ✓ 🦊',
        undefined,
        '{"x":[1,2]}',
        'one',
        'one',
      ]);
    });

    test('the last write of a key wins, across batches and within one', async () => {
      await store.putMany([{ key: 'w', value: 'v1' }]);
      await store.putMany([
        { key: 'w', value: 'v2' },
        { key: 'w', value: 'v3' },
      ]);
      assert.equal(await store.get('w'), 'v3');
      assert.equal(await store.get('w'), 'v3'); // twice: a cache must not serve the first value
    });

    test('deleteMany removes keys and ignores missing ones', async () => {
      await store.putMany([
        { key: 'd:1', value: '1' },
        { key: 'd:2', value: '2' },
      ]);
      await store.get('d:1');
      await store.deleteMany(['d:1', 'd:never']);
      assert.deepEqual(await store.getMany(['d:1', 'd:2']), [undefined, '2']);
    });

    test('keys(prefix) lists exactly the keys with that prefix, sorted', async () => {
      await store.putMany([
        { key: 'p:b', value: '' },
        { key: 'p:a', value: 'x' },
        { key: 'p;', value: 'x' },
        { key: 'pz', value: 'x' },
        { key: 'p:é', value: 'x' },
      ]);
      assert.deepEqual(await store.keys('p:'), ['p:a', 'p:b', 'p:é']);
      assert.equal(await store.get('p:b'), '', 'an empty string is a value, not a miss');
    });

    test('large batches round-trip (beyond DynamoDB 25-write and 100-read batch limits)', async () => {
      const entries = Array.from({ length: 260 }, (_, i) => ({
        key: `big:${String(i).padStart(4, '0')}`,
        value: `value-${i}-${'x'.repeat(i)}`,
      }));
      await store.putMany(entries);
      const got = await store.getMany(entries.map((e) => e.key));
      assert.deepEqual(
        got,
        entries.map((e) => e.value),
      );
      assert.equal((await store.keys('big:')).length, 260);
      await store.deleteMany(entries.map((e) => e.key));
      assert.deepEqual(await store.keys('big:'), []);
    });

    test('invalid keys and oversized values are refused with InvalidKeyValueError', async () => {
      await assert.rejects(store.get(''), InvalidKeyValueError);
      await assert.rejects(store.putMany([{ key: 'k'.repeat(2000), value: 'v' }]), InvalidKeyValueError);
      await assert.rejects(store.putMany([{ key: 'huge', value: 'v'.repeat(400 * 1024) }]), InvalidKeyValueError);
      assert.equal(await store.get('huge'), undefined);
    });
  });
}
