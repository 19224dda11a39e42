// Log reconstruction on the in-memory store: reconciliation keyed by path + DV id, checkpoints and the
// `_last_checkpoint` hint, contiguity, time travel bounds.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sharedDuckDB } from '../duckdb/sql.js';
import { DeltaProtocolError, TableNotFoundError, VersionNotFoundError } from '../errors.js';
import { loadSnapshot } from '../snapshot.js';
import { LazyTombstones, TombstonesNotLoadedError, TombstoneSet } from './log-replay.js';
import { createMemoryObjectStore } from '../storage/memory/memory-object-store.js';
import { serializeCommit, type Action } from './actions.js';
import { commitKey } from './log-files.js';
import { writeCheckpoint } from '../write/checkpoint-writer.js';

const meta: Action = {
  metaData: {
    id: 'x',
    format: { provider: 'parquet' },
    schemaString: '{"type":"struct","fields":[]}',
    partitionColumns: [],
    configuration: {},
  },
};
const proto: Action = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
const add = (path: string, dv?: string): Action => ({
  add: {
    path,
    partitionValues: {},
    size: 1,
    modificationTime: 0,
    dataChange: true,
    ...(dv ? { deletionVector: { storageType: 'i', pathOrInlineDv: dv, sizeInBytes: 1, cardinality: 1 } } : {}),
  },
});
const remove = (path: string, dv?: string): Action => ({
  remove: {
    path,
    dataChange: true,
    deletionTimestamp: 1,
    ...(dv ? { deletionVector: { storageType: 'i', pathOrInlineDv: dv, sizeInBytes: 1, cardinality: 1 } } : {}),
  },
});
const enc = (actions: Action[]) => new TextEncoder().encode(serializeCommit(actions));

it('replays adds and removes keyed by canonical path and deletion-vector id', async () => {
  const store = createMemoryObjectStore();
  const sql = await sharedDuckDB();
  await assert.rejects(loadSnapshot(store, sql), TableNotFoundError);
  await store.put(commitKey(0), enc([proto, meta, add('a%20b'), add('c')]));
  await store.put(
    commitKey(1),
    enc([remove('a b'), add('c', 'dv1'), remove('c'), { txn: { appId: 'app', version: 4 } }]),
  );
  await store.put(commitKey(2), enc([remove('c', 'dv1'), add('c', 'dv2'), { txn: { appId: 'app', version: 5 } }]));
  const s = await loadSnapshot(store, sql);
  assert.equal(s.version, 2);
  assert.deepEqual(
    s.files.map((f) => `${f.path}:${f.deletionVector?.pathOrInlineDv}`),
    ['c:dv2'],
  );
  assert.equal(s.tombstones.length, 3);
  assert.equal(s.txns.get('app')?.version, 5);
  assert.deepEqual((await loadSnapshot(store, sql, 0)).files.map((f) => f.path).sort(), ['a%20b', 'c']);
  await assert.rejects(loadSnapshot(store, sql, 3), VersionNotFoundError);
});

it('starts from a checkpoint found through _last_checkpoint, even when older commits are gone', async () => {
  const store = createMemoryObjectStore();
  const sql = await sharedDuckDB();
  await store.put(commitKey(0), enc([proto, meta, add('a')]));
  await store.put(commitKey(1), enc([add('b')]));
  await writeCheckpoint(store, sql, await loadSnapshot(store, sql));
  await store.put(commitKey(2), enc([remove('a')]));
  await store.delete(commitKey(0));
  await store.delete(commitKey(1));
  const s = await loadSnapshot(store, sql);
  assert.deepEqual(
    s.files.map((f) => f.path),
    ['b'],
  );
  await assert.rejects(loadSnapshot(store, sql, 0), VersionNotFoundError);
  await store.put(commitKey(4), enc([add('z')]));
  await assert.rejects(loadSnapshot(store, sql), DeltaProtocolError);
});

it('TombstoneSet: forks share their base; differingKeys finds the same keys whether or not the bases are shared', () => {
  const r = (path: string, at: number) => ({ path, deletionTimestamp: at, dataChange: true });
  const base = new TombstoneSet();
  for (const k of ['a', 'b', 'c']) base.set(k, r(k, 1));
  const settled = base.compacted();
  const fork = settled.fork();
  fork.delete('a'); // added back as a live file
  fork.set('b', r('b', 2)); // removed again
  fork.set('d', r('d', 2));
  assert.deepEqual(
    settled
      .values()
      .map((t) => t.path)
      .sort(),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    fork
      .values()
      .map((t) => `${t.path}${t.deletionTimestamp}`)
      .sort(),
    ['b2', 'c1', 'd2'],
  );
  const shared = [...fork.differingKeys(settled)].sort();
  const unshared = [...fork.compacted().differingKeys(settled)].sort();
  assert.deepEqual(shared, ['a', 'b', 'd']);
  assert.deepEqual(unshared, shared);
  assert.deepEqual([...settled.fork().differingKeys(settled)], []);
  assert.deepEqual(
    fork
      .compacted(1)
      .values()
      .map((t) => t.path)
      .sort(),
    ['b', 'd'],
    'deleted at 1: expired',
  );
});

it("TombstoneSet on a checkpoint's tombstones not read yet: changed without reading them, the same once read", async () => {
  const r = (path: string, at: number) => ({ path, deletionTimestamp: at, dataChange: true });
  let reads = 0;
  const lazy = new LazyTombstones(async () => {
    reads++;
    return new Map(['a', 'b', 'c'].map((k) => [k, r(k, 1)]));
  });
  const base = new TombstoneSet(lazy);
  const set = base.fork();
  set.delete('a'); // added back as a live file: recorded without knowing whether it was a tombstone
  set.delete('z'); // a new file's add: not a tombstone either way
  set.set('b', r('b', 2)); // removed again
  set.set('d', r('d', 2));
  assert.equal(reads, 0);
  assert.equal(set.loaded, false);
  assert.throws(() => set.values(), TombstonesNotLoadedError);
  assert.throws(() => set.get('c'), TombstonesNotLoadedError);
  assert.equal(set.get('a'), undefined, 'known without reading: added back');
  await set.load(await sharedDuckDB());
  await base.load(await sharedDuckDB());
  assert.equal(reads, 1, 'read once for every set sharing it');
  assert.equal(set.loaded && base.loaded, true);
  assert.deepEqual(
    set
      .values()
      .map((t) => `${t.path}${t.deletionTimestamp}`)
      .sort(),
    ['b2', 'c1', 'd2'],
  );
  assert.equal(set.get('z'), undefined);
  assert.deepEqual([...set.differingKeys(base)].sort(), ['a', 'b', 'd']);
  assert.deepEqual([...set.compacted().differingKeys(base)].sort(), ['a', 'b', 'd']);
  const failing = new TombstoneSet(
    new LazyTombstones(async () => {
      throw new Error('checkpoint gone');
    }),
  );
  await assert.rejects(failing.load(await sharedDuckDB()), /checkpoint gone/);
  assert.equal(failing.loaded, false, 'a failed read can be tried again');
});
