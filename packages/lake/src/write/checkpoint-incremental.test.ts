// A checkpoint written on the previous one this process wrote (its unchanged rows copied by DuckDB, the changed
// files and tombstones from the state) must hold exactly what a checkpoint written whole holds, checkpoint after
// checkpoint: appends with transactions, compactions, deletes, and tombstones expiring between two checkpoints.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { createDuckDB, type DuckDBSession } from '../duckdb/sql.js';
import type { Action } from '../log/actions.js';
import { readCheckpointActions } from '../log/checkpoint-reader.js';
import { ObjectNotFoundError } from '../errors.js';
import { loadSnapshot, type Snapshot } from '../snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import { overStore } from '../testing/over-store.js';

/** The Sql port, counting the checkpoints written on a previous one (their COPY unions the previous file's rows). */
function countingIncremental(sql: DuckDBSession): DuckDBSession & { incremental: number } {
  const counting = {
    ...sql,
    incremental: 0,
    all: (text: string) => {
      if (text.startsWith('COPY') && text.includes('UNION ALL')) counting.incremental++;
      return sql.all(text);
    },
  };
  return counting;
}

/** What a checkpoint says, order aside. */
function contentOf(actions: readonly Action[]): string[] {
  return actions
    .map((a) => {
      if (a.add) return `add ${a.add.path} ${a.add.size} ${a.add.dataChange} ${a.add.stats ?? ''}`;
      if (a.remove) return `remove ${a.remove.path} ${a.remove.deletionTimestamp} ${a.remove.dataChange}`;
      if (a.txn) return `txn ${a.txn.appId} ${a.txn.version}`;
      if (a.metaData) return `metaData ${a.metaData.id} ${a.metaData.schemaString}`;
      if (a.protocol) return `protocol ${a.protocol.minReaderVersion} ${a.protocol.minWriterVersion}`;
      return JSON.stringify(a);
    })
    .sort();
}

/** The table as its commits alone say: checkpoints and `_last_checkpoint` hidden (a reference made without them). */
function commitsOnly(store: ObjectStore): ObjectStore {
  const hidden = (key: string) => key.includes('checkpoint');
  return overStore(store, {
    description: `${store.description} (commits only)`,
    listReadsAll: undefined,
    get: async (key) => {
      if (hidden(key)) throw new ObjectNotFoundError(key);
      return store.get(key);
    },
    head: async (key) => (hidden(key) ? undefined : store.head(key)),
    list: async (prefix, options) => (await store.list(prefix, options)).filter((m) => !hidden(m.key)),
    listKeys: async (prefix) => (await store.listKeys(prefix)).filter((k) => !hidden(k)),
    put: () => Promise.reject(new Error('read only')),
    putIfAbsent: () => Promise.reject(new Error('read only')),
    putFile: () => Promise.reject(new Error('read only')),
    delete: () => Promise.reject(new Error('read only')),
  });
}

/** What a checkpoint of the snapshot written whole holds (the writer's own rules: dataChange false, expiry). */
function expectedOf(s: Snapshot, cutoff: number): string[] {
  return contentOf([
    { protocol: s.protocol },
    { metaData: s.metadata },
    ...[...s.txns.values()].map((txn) => ({ txn })),
    ...s.files.map((add) => ({ add: { ...add, dataChange: false } })),
    ...s.tombstones
      .filter((r) => (r.deletionTimestamp ?? Infinity) > cutoff)
      .map((remove) => ({ remove: { ...remove, dataChange: false } })),
  ]);
}

it('checkpoints written on the previous one hold what whole ones would, through compactions, deletes and expiry', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-ckpt-incr-'));
  const sql = await createDuckDB();
  const counting = countingIncremental(sql);
  try {
    const table = await DeltaTable.open(dir, { sql: counting });
    await table.create({
      columns: [
        { name: 'n', type: 'long' },
        { name: 'p', type: 'string' },
      ],
      partitionColumns: ['p'],
      properties: { 'delta.checkpointInterval': '2', 'delta.deletedFileRetentionDuration': 'interval 2 seconds' },
    });
    const steps: (() => Promise<unknown>)[] = [];
    for (let i = 1; i <= 6; i++)
      steps.push(() =>
        table.append({ sql: `SELECT ${i}::BIGINT AS n, 'p${i % 2}' AS p` }, { txn: { appId: 'w', version: i } }),
      );
    steps.push(() => table.optimize()); // version 7: tombstones for the small files
    steps.push(() => table.delete('n = 3')); // 8: a rewrite, a tombstone and a new file
    steps.push(() => table.append({ sql: `SELECT 7::BIGINT AS n, 'p1' AS p` }, { txn: { appId: 'v', version: 1 } }));
    steps.push(() => table.append({ sql: `SELECT 8::BIGINT AS n, 'p1' AS p` })); // 10: checkpoint
    steps.push(() => table.delete('n = 6')); // 11: a tombstone the next checkpoint writes from the state…
    steps.push(() => new Promise((r) => setTimeout(r, 2100))); // …expired by then, as are those copied from 10
    for (let i = 9; i <= 11; i++) steps.push(() => table.append({ sql: `SELECT ${i}::BIGINT AS n, 'p0' AS p` }));
    let checked = 0;
    let expiredSeen = false;
    for (const step of steps) {
      await step();
      const snapshot = await loadSnapshot(commitsOnly(table.store), sql, undefined, null);
      if (snapshot.version % 2 !== 0) continue;
      const key = `_delta_log/${String(snapshot.version).padStart(20, '0')}.checkpoint.parquet`;
      const head = await table.store.head(key);
      assert.ok(head, `checkpoint ${snapshot.version} written`);
      // The writer's expiry cutoff lies between the commit's time and now: compare with a cutoff at either end
      // would be flaky only for a tombstone within milliseconds of expiring, which this test does not make.
      const actual = contentOf(await readCheckpointActions(table.store, sql, [key]));
      const tombstones = snapshot.tombstones.length;
      if (tombstones > 0 && !actual.some((a) => a.startsWith('remove'))) expiredSeen = true;
      assert.deepEqual(actual, expectedOf(snapshot, Date.now() - 2000), `checkpoint ${snapshot.version}`);
      checked++;
    }
    assert.ok(checked >= 6, `${checked} checkpoints compared`);
    assert.ok(counting.incremental >= checked - 1, `${counting.incremental} written on the previous one`);
    // The tombstones of the compaction and the delete were in the checkpoints before they expired, not after.
    assert.ok(expiredSeen, 'a checkpoint dropped expired tombstones');
    assert.deepEqual(
      (await table.query()).map((r) => Number(r['n'])).sort((a, b) => a - b),
      [1, 2, 4, 5, 7, 8, 9, 10, 11],
    );
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('a process that loaded a table from a checkpoint writes its first checkpoint on that one', async () => {
  const first = await mkdtemp(join(tmpdir(), 'lens-ckpt-read-'));
  const copy = `${first}-copy`; // another location: another process's cache, as after a restart
  const sql = await createDuckDB();
  const counting = countingIncremental(sql);
  try {
    const table = await DeltaTable.open(first, { sql });
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '4' } });
    for (let i = 1; i <= 5; i++) await table.append({ sql: `SELECT ${i}::BIGINT AS n` });
    await table.optimize(); // 6: tombstones
    await cp(first, copy, { recursive: true });
    const restarted = await DeltaTable.open(copy, { sql: counting });
    await restarted.snapshot(); // from checkpoint 4 and commits 5, 6
    await restarted.append({ sql: 'SELECT 7::BIGINT AS n' });
    await restarted.append({ sql: 'SELECT 8::BIGINT AS n' }); // 8: a checkpoint
    assert.equal(counting.incremental, 1, 'written on checkpoint 4');
    const key = `_delta_log/${String(8).padStart(20, '0')}.checkpoint.parquet`;
    const reference = await loadSnapshot(commitsOnly(restarted.store), sql, undefined, null);
    assert.equal(reference.version, 8);
    assert.deepEqual(
      contentOf(await readCheckpointActions(restarted.store, sql, [key])),
      expectedOf(reference, -Infinity),
    );
  } finally {
    sql.close();
    await rm(first, { recursive: true, force: true });
    await rm(copy, { recursive: true, force: true });
  }
});
