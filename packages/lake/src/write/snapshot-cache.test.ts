// A process keeps a table's states between loads (SnapshotCache): every snapshot it loads — latest, older versions
// across several checkpoints, after commits from another instance, after compactions — must equal a load from the
// log alone. Later loads read only the commits written since: no listing of `_delta_log`, no checkpoint again.
// The cache is shared by the instances opened on one location, never across a table written again there.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { createDuckDB } from '../duckdb/sql.js';
import { loadSnapshot, loadTombstones, stateOf, type Snapshot } from '../snapshot.js';
import { TombstonesNotLoadedError } from '../log/log-replay.js';
import { createFsObjectStore } from '../storage/fs/fs-object-store.js';
import { overStore } from '../testing/over-store.js';
import { writeCheckpoint } from './checkpoint-writer.js';

/** What a snapshot holds; its tombstones read first when they are a checkpoint's (loadTombstones). */
const view = async (s: Snapshot) => ({
  version: s.version,
  files: s.files.map((f) => f.path).sort(),
  tombstones: (await loadTombstones(s)).map((t) => t.path).sort(),
  txns: [...s.txns.entries()].map(([k, t]) => [k, t.version]).sort(),
});

/** An fs store that counts what is asked of it. */
function countingStore(dir: string) {
  const store = createFsObjectStore(dir);
  const counts = { list: 0, get: 0, checkpointGets: 0 };
  const counted = overStore(store, {
    list: (prefix, options) => {
      counts.list++;
      return store.list(prefix, options);
    },
    get: (key) => {
      counts.get++;
      if (key.includes('checkpoint')) counts.checkpointGets++;
      return store.get(key);
    },
  });
  return { store: counted, counts };
}

it('snapshots loaded through the cache equal loads from the log alone, across checkpoints, writers and compactions', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-snap-cache-'));
  const sql = await createDuckDB();
  try {
    const table = await DeltaTable.open(dir, { sql });
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '3' } });
    const other = await DeltaTable.open(dir, { sql });
    for (let i = 1; i <= 10; i++) {
      const writer = i % 2 === 0 ? table : other;
      await writer.append({ sql: `SELECT ${i}::BIGINT AS n` }, { txn: { appId: `w${i % 2}`, version: i } });
      if (i % 4 === 0) await writer.optimize(); // removes: tombstones on top of the cached state's
      assert.deepEqual(
        await view(await table.snapshot()),
        await view(await loadSnapshot(table.store, sql, undefined, null)),
        `latest after ${i}`,
      );
    }
    const latest = (await table.snapshot()).version;
    assert.ok((await loadTombstones(await table.snapshot())).length > 0, 'the compactions left tombstones');
    for (const version of [latest, 2, 7, 3, 9, 6, 0, latest])
      assert.deepEqual(
        await view(await table.snapshot({ version })),
        await view(await loadSnapshot(table.store, sql, version, null)),
        `version ${version}`,
      );
    assert.equal((await table.snapshot()).files.length, 3); // the file compacted after 8, then 9 and 10
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('a later load reads only the commits written since: no listing, no checkpoint, even past a new checkpoint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-snap-forward-'));
  const sql = await createDuckDB();
  try {
    const writer = await DeltaTable.open(dir, { sql });
    await writer.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '3' } });
    for (let i = 1; i <= 4; i++) await writer.append({ sql: `SELECT ${i}::BIGINT AS n` });
    const { store, counts } = countingStore(dir);
    const cache = {};
    assert.equal((await loadSnapshot(store, sql, undefined, cache)).version, 4);
    assert.equal(counts.checkpointGets + counts.list > 0, true, 'the first load starts from the log');
    for (let i = 5; i <= 7; i++) await writer.append({ sql: `SELECT ${i}::BIGINT AS n` }); // a checkpoint at 6
    Object.assign(counts, { list: 0, get: 0, checkpointGets: 0 });
    const later = await loadSnapshot(store, sql, undefined, cache);
    assert.equal(later.version, 7);
    assert.deepEqual(await view(later), await view(await loadSnapshot(createFsObjectStore(dir), sql, undefined, null)));
    assert.deepEqual(
      { list: counts.list, checkpointGets: counts.checkpointGets },
      { list: 0, checkpointGets: 0 },
      'neither a listing nor the new checkpoint',
    );
    // Commit 4 (is it still the same table?), then 5, 6–7 and 8–11 (probes of 1, 2 and 4: 8 to 11 are not there).
    assert.equal(counts.get, 8);
    Object.assign(counts, { list: 0, get: 0, checkpointGets: 0 });
    assert.equal((await loadSnapshot(store, sql, undefined, cache)).version, 7);
    assert.equal(counts.get, 2, 'nothing new: commit 7 and commit 8 asked for');
    await assert.rejects(loadSnapshot(store, sql, 12, cache), /version 12 does not exist/);
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('a first load on a file system asks for the hinted checkpoint and the commits after it by name, listing nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-snap-probe-'));
  const sql = await createDuckDB();
  try {
    const writer = await DeltaTable.open(dir, { sql });
    await writer.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '4' } });
    for (let i = 1; i <= 10; i++) await writer.append({ sql: `SELECT ${i}::BIGINT AS n` });
    const { store, counts } = countingStore(dir);
    const expected = await view(await loadSnapshot(createFsObjectStore(dir), sql, undefined, null));
    counts.list = 0;
    assert.deepEqual(await view(await loadSnapshot(store, sql, undefined, null)), expected);
    assert.equal((await loadSnapshot(store, sql, 9, null)).version, 9);
    assert.equal(counts.list, 0, 'no listing from the checkpoint at 8 to versions 9 and 10');
    await assert.rejects(loadSnapshot(store, sql, 11, null), /version 11 does not exist/);
    // A stale hint (checkpoint 4) still gives version 10; one naming a checkpoint that is gone falls back to listing.
    const hint = join(dir, '_delta_log', '_last_checkpoint');
    await writeFile(hint, JSON.stringify({ version: 4, size: 6 }));
    counts.list = 0;
    assert.deepEqual(await view(await loadSnapshot(store, sql, undefined, null)), expected);
    assert.equal(counts.list, 0, 'a stale hint: checkpoint 4 and commits 5 to 10');
    await writeFile(hint, JSON.stringify({ version: 6, size: 8 }));
    assert.deepEqual(await view(await loadSnapshot(store, sql, undefined, null)), expected);
    assert.ok(counts.list > 0, 'no checkpoint 6: listed');
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('the cache is shared by every instance opened on a table, and not by a table written again at the same place', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-snap-shared-'));
  const sql = await createDuckDB();
  let checkpointReads = 0;
  const counting = {
    ...sql,
    all: (text: string) => {
      // A read of a checkpoint is one query for its rows other than tombstones (and one for the tombstones).
      if (text.includes('read_parquet') && text.includes('checkpoint') && text.includes('remove IS NULL'))
        checkpointReads++;
      return sql.all(text);
    },
  };
  const fill = async (first: number): Promise<void> => {
    const table = await DeltaTable.open(dir, { sql: counting });
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '3' } });
    for (let i = first; i < first + 4; i++) await table.append({ sql: `SELECT ${i}::BIGINT AS n` });
    await table.snapshot();
  };
  try {
    await fill(1);
    assert.equal(checkpointReads, 0, 'the writer follows its own commits: it never reads its checkpoint');
    for (let i = 0; i < 3; i++) await (await DeltaTable.open(dir, { sql: counting })).snapshot();
    assert.equal(checkpointReads, 0, 'nor do three more instances in the same process');
    await loadSnapshot(createFsObjectStore(dir), counting, undefined, {});
    assert.equal(checkpointReads, 1, 'another process (its own cache) reads it once');
    await rm(dir, { recursive: true, force: true });
    await fill(100); // the same version numbers and checkpoint names, other files
    const reopened = await DeltaTable.open(dir, { sql: counting });
    const again = await reopened.snapshot();
    assert.deepEqual(await view(again), await view(await loadSnapshot(reopened.store, sql, undefined, null)));
    const rows = (await (await DeltaTable.open(dir, { sql })).query()).map((r) => Number(r['n'])).sort((a, b) => a - b);
    assert.deepEqual(rows, [100, 101, 102, 103]);
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('a checkpoint of 150,000 tombstones (about two days of a table committed every second) is read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-snap-big-'));
  const sql = await createDuckDB();
  try {
    const table = await DeltaTable.open(dir, { sql });
    await table.create({ columns: [{ name: 'n', type: 'long' }] });
    await table.append({ sql: 'SELECT 1::BIGINT AS n' });
    const snapshot = await table.snapshot();
    const now = Date.now();
    const tombstones = Array.from({ length: 150_000 }, (_, i) => ({
      path: `part-${String(i).padStart(6, '0')}-0b1e2c3d-4e5f-6071-8293-a4b5c6d7e8f9.c000.snappy.parquet`,
      deletionTimestamp: now,
      dataChange: false,
      size: 1234,
    }));
    // The checkpoint of version 1 as a table with that many files compacted away would have it.
    await writeCheckpoint(table.store, sql, { ...snapshot, tombstones } as Snapshot);
    const read = await loadSnapshot(createFsObjectStore(dir), sql, undefined, {});
    assert.throws(() => read.tombstones, TombstonesNotLoadedError, 'a first load leaves the tombstones in the file');
    assert.equal((await loadTombstones(read, sql)).length, 150_000);
    // Read in chunks of JSON arrays: every tombstone once, whole.
    assert.deepEqual(
      read.tombstones.map((t) => `${t.path} ${t.size} ${t.deletionTimestamp} ${t.dataChange}`).sort(),
      tombstones.map((t) => `${t.path} ${t.size} ${t.deletionTimestamp} ${t.dataChange}`),
    );
    assert.deepEqual(
      read.files.map((f) => f.path),
      snapshot.files.map((f) => f.path),
    );
    assert.deepEqual(
      (await table.query()).map((r) => Number(r['n'])),
      [1],
    );
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it("a checkpoint's tombstones read on first need equal a replay of the commits alone, a file added back included", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-snap-lazy-'));
  const only = await mkdtemp(join(tmpdir(), 'lens-snap-commits-'));
  const sql = await createDuckDB();
  try {
    const table = await DeltaTable.open(dir, { sql });
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '100' } });
    for (let i = 1; i <= 8; i++) {
      await table.append({ sql: `SELECT ${i}::BIGINT AS n` });
      if (i % 4 === 0) await table.optimize();
    }
    const version = await table.checkpoint();
    const log = join(dir, '_delta_log');
    // A file the checkpoint holds as a tombstone, added back by a later commit (as RESTORE does).
    const tombstone = (await loadTombstones(await table.snapshot()))[0]!;
    const commits = (await readdir(log)).filter((n) => /^\d{20}\.json$/.test(n)).sort();
    const added = (await Promise.all(commits.map((n) => readFile(join(log, n), 'utf8'))))
      .flatMap((text) => text.split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as { add?: { path: string } })
      .find((a) => a.add?.path === tombstone.path)!;
    await writeFile(join(log, `${String(version + 1).padStart(20, '0')}.json`), `${JSON.stringify(added)}\n`);
    await table.append({ sql: 'SELECT 9::BIGINT AS n' });

    await mkdir(join(only, '_delta_log'));
    for (const n of await readdir(log))
      if (/^\d{20}\.json$/.test(n)) await copyFile(join(log, n), join(only, '_delta_log', n));
    const truth = await loadSnapshot(createFsObjectStore(only), sql, undefined, null);
    const lazy = await loadSnapshot(createFsObjectStore(dir), sql, undefined, {});
    assert.throws(() => lazy.tombstones, TombstonesNotLoadedError, 'a first load from the checkpoint reads none');
    assert.deepEqual(await view(lazy), await view(truth));
    assert.ok(
      lazy.files.some((f) => f.path === tombstone.path),
      'added back: live',
    );
    assert.ok(!lazy.tombstones.some((t) => t.path === tombstone.path), 'added back: no tombstone');

    // The checkpoint removed (thinned) before its tombstones were read: the read fails, the next load starts afresh.
    const cache = {};
    const early = await loadSnapshot(createFsObjectStore(dir), sql, undefined, cache);
    await table.append({ sql: 'SELECT 10::BIGINT AS n' });
    await table.checkpoint();
    await rm(join(log, `${String(version).padStart(20, '0')}.checkpoint.parquet`));
    await assert.rejects(loadTombstones(early, sql));
    const fresh = await loadSnapshot(createFsObjectStore(dir), sql, undefined, cache);
    assert.deepEqual(await view(fresh), await view(await loadSnapshot(createFsObjectStore(dir), sql, undefined, null)));
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
    await rm(only, { recursive: true, force: true });
  }
});

it("a process following a table reads its checkpoint's tombstones in the background once changes pile up, then folds them", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-snap-settle-'));
  const sql = await createDuckDB();
  try {
    const table = await DeltaTable.open(dir, { sql });
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '100' } });
    for (let i = 1; i <= 4; i++) await table.append({ sql: `SELECT ${i}::BIGINT AS n` });
    await table.optimize(); // four tombstones
    await table.checkpoint();
    const cache = {};
    const first = await loadSnapshot(createFsObjectStore(dir), sql, undefined, cache);
    assert.equal(stateOf(first)!.tombstones.loaded, false);
    // 10,001 files added in one commit: each add is a possible revival while the checkpoint's tombstones are unread.
    const now = Date.now();
    const adds = Array.from({ length: 10_001 }, (_, i) =>
      JSON.stringify({
        add: { path: `extra-${i}.parquet`, partitionValues: {}, size: 1, modificationTime: now, dataChange: true },
      }),
    );
    await writeFile(
      join(dir, '_delta_log', `${String(first.version + 1).padStart(20, '0')}.json`),
      `${adds.join('\n')}\n`,
    );
    const piled = await loadSnapshot(createFsObjectStore(dir), sql, undefined, cache);
    const tombstones = stateOf(piled)!.tombstones;
    for (let i = 0; i < 500 && !tombstones.loaded; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(tombstones.loaded, true, 'read in the background');
    await table.append({ sql: 'SELECT 5::BIGINT AS n' });
    const folded = await loadSnapshot(createFsObjectStore(dir), sql, undefined, cache);
    assert.equal(stateOf(folded)!.tombstones.changes, 0, 'folded at the next load');
    assert.equal((await loadTombstones(folded)).length, 4);
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});
