// The one contract suite of the ObjectStore port, run against every adapter (no mocks): exclusive creation
// under concurrency, atomic replace, sorted recursive prefix listing, not-found behaviour.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ObjectNotFoundError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Registers the contract tests for one adapter; `make` returns a fresh empty store. */
export function objectStoreContract(name: string, make: () => Promise<ObjectStore>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    it('get of a missing key throws ObjectNotFoundError; head is undefined', async () => {
      const store = await make();
      await assert.rejects(store.get('nope/x.json'), ObjectNotFoundError);
      assert.equal(await store.head('nope/x.json'), undefined);
    });

    it('put then get round-trips bytes and head reports the size', async () => {
      const store = await make();
      await store.put('a/b/c.txt', bytes('hello'));
      assert.equal(text(await store.get('a/b/c.txt')), 'hello');
      assert.equal((await store.head('a/b/c.txt'))?.size, 5);
      await store.put('a/b/c.txt', bytes('bye'));
      assert.equal(text(await store.get('a/b/c.txt')), 'bye');
    });

    it('putIfAbsent is exclusive: of 20 concurrent creators exactly one wins and its bytes stay', async () => {
      const store = await make();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.putIfAbsent('_delta_log/0001.json', bytes(`writer-${i}`))),
      );
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true);
      assert.equal(text(await store.get('_delta_log/0001.json')), `writer-${winner}`);
      assert.equal(await store.putIfAbsent('_delta_log/0001.json', bytes('late')), false);
    });

    it('list returns keys under a prefix, recursively and sorted, and nothing else', async () => {
      const store = await make();
      for (const key of [
        '_delta_log/002.json',
        '_delta_log/001.json',
        'p=1/f.parquet',
        'x.parquet',
        '_delta_log/_sidecars/s.parquet',
      ]) {
        await store.put(key, bytes(key));
      }
      assert.deepEqual(
        (await store.list('_delta_log/')).map((m) => m.key),
        ['_delta_log/001.json', '_delta_log/002.json', '_delta_log/_sidecars/s.parquet'],
      );
      assert.deepEqual(
        (await store.list('_delta_log/00')).map((m) => m.key),
        ['_delta_log/001.json', '_delta_log/002.json'],
      );
      assert.equal((await store.list('')).length, 5);
      assert.deepEqual(await store.list('missing/'), []);
      assert.deepEqual(
        (await store.list('_delta_log/', { startAfter: '_delta_log/001.json' })).map((m) => m.key),
        ['_delta_log/002.json', '_delta_log/_sidecars/s.parquet'],
      );
      assert.deepEqual(await store.listKeys('_delta_log/00'), ['_delta_log/001.json', '_delta_log/002.json']);
      assert.deepEqual(
        await store.listKeys(''),
        (await store.list('')).map((m) => m.key),
      );
    });

    it('delete removes an object and tolerates a missing one', async () => {
      const store = await make();
      await store.put('k', bytes('v'));
      await store.delete('k');
      await store.delete('k');
      assert.equal(await store.head('k'), undefined);
    });

    it('putFile moves a local file in under the key', async () => {
      const store = await make();
      const dir = await mkdtemp(join(tmpdir(), 'lens-store-'));
      const local = join(dir, 'data.parquet');
      await writeFile(local, 'PAR1');
      await store.putFile('p=1/data.parquet', local);
      assert.equal(text(await store.get('p=1/data.parquet')), 'PAR1');
    });
  });
}
