// DeltaTable.changes / scanFiles / replace against real DuckDB and a real directory: the change range of
// appends, deletes and compaction; replace-where's single commit with several txns, and its exactly-once rerun.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { where } from '../scan/predicate.js';

const tempTable = async () => {
  const t = await DeltaTable.open(await mkdtemp(join(tmpdir(), 'lens-chg-')));
  await t.create({
    columns: [
      { name: 'id', type: 'long' },
      { name: 'v', type: 'string' },
      { name: 'day', type: 'date' },
    ],
    partitionColumns: ['day'],
  });
  return t;
};
const ids = async (t: DeltaTable, sql: string) =>
  (await t.sql.all(`SELECT id FROM (${sql}) ORDER BY id`)).map((r) => Number(r['id']));

describe('table changes', () => {
  it('lists the files each range added, ignores compaction, and reports data removals', async () => {
    const t = await tempTable();
    await t.append({ sql: `SELECT 1 AS id, 'a' AS v, DATE '2025-01-01' AS day` }); // v1
    await t.append({ sql: `SELECT 2 AS id, 'b' AS v, DATE '2025-01-02' AS day` }); // v2
    await t.append({ sql: `SELECT 3 AS id, 'c' AS v, DATE '2025-01-01' AS day` }); // v3
    const c = await t.changes(1, 3);
    assert.equal(c.added.length, 2);
    assert.equal(c.hasDataRemoval, false);
    assert.deepEqual(await ids(t, (await t.scanFiles(c.added, 3)).sql), [2, 3]);
    await t.optimize(); // v4: dataChange=false
    const o = await t.changes(3, 4);
    assert.deepEqual([o.added.length, o.removed.length, o.hasDataRemoval], [0, 0, false]);
    await t.delete(where.eq('id', 2)); // v5
    const d = await t.changes(4, 5);
    assert.equal(d.hasDataRemoval, true);
    assert.deepEqual(await ids(t, (await t.scanFiles(d.removed, 5)).sql), [2], 'removed files stay readable');
    // From the start: files added then removed within the range cancel out.
    const all = await t.changes(-1, 5);
    assert.deepEqual(await ids(t, (await t.scanFiles(all.added, 5)).sql), [1, 3]);
    await assert.rejects(t.changes(5, 9), { name: 'VersionNotFoundError' });
  });

  it('a range whose files a compaction replaced and VACUUM deleted is no longer readable: VersionNotFoundError', async () => {
    const t = await tempTable();
    await t.append({ sql: `SELECT 1 AS id, 'a' AS v, DATE '2025-01-01' AS day` }); // v1
    await t.append({ sql: `SELECT 2 AS id, 'b' AS v, DATE '2025-01-01' AS day` }); // v2
    await t.optimize(); // v3: one file replaces both
    assert.equal((await t.changes(0, 3)).added.length, 2, 'readable while the replaced files remain');
    await t.vacuum({ retentionHours: 0, force: true });
    // An incremental reader that last saw v0 would read files that are gone (Prism then recomputes in full).
    await assert.rejects(t.changes(0, 3), (e: Error) => {
      assert.equal(e.name, 'VersionNotFoundError');
      assert.match(e.message, /no longer readable: .*\.parquet was vacuumed/);
      return true;
    });
    await t.append({ sql: `SELECT 3 AS id, 'c' AS v, DATE '2025-01-02' AS day` }); // v4
    assert.deepEqual(await ids(t, (await t.scanFiles((await t.changes(3, 4)).added, 4)).sql), [3], 'later ranges read');
  });
});

describe('replace-where', () => {
  it('deletes and appends in one commit with several txns; a rerun of the same txns writes nothing', async () => {
    const t = await tempTable();
    await t.append({
      sql: `SELECT * FROM (VALUES (1, 'a', DATE '2025-01-01'), (2, 'b', DATE '2025-01-01'), (3, 'c', DATE '2025-01-02')) AS x(id, v, day)`,
    });
    await t.sql.run(
      `CREATE OR REPLACE TEMP TABLE staged AS SELECT * FROM (VALUES (2, 'B', DATE '2025-01-01'), (4, 'd', DATE '2025-01-02')) AS x(id, v, day)`,
    );
    const txns = [
      { appId: 'job:in1', version: 5 },
      { appId: 'job:in2', version: 9 },
    ];
    const r = await t.replace({ sql: 'SELECT * FROM staged' }, { where: 'id IN (SELECT id FROM staged)', txns });
    assert.deepEqual([r.status, r.version, r.deletedRows], ['committed', 2, 1]);
    const rows = await t.sql.all(`SELECT id, v FROM (${(await t.scan()).sql}) ORDER BY id`);
    assert.deepEqual(
      rows.map((x) => `${x['id']}${x['v']}`),
      ['1a', '2B', '3c', '4d'],
    );
    const snap = await t.snapshot();
    assert.equal(snap.txns.get('job:in1')?.version, 5);
    assert.equal(snap.txns.get('job:in2')?.version, 9);
    const again = await t.replace({ sql: 'SELECT * FROM staged' }, { where: 'id IN (SELECT id FROM staged)', txns });
    assert.equal(again.status, 'already-committed');
    assert.equal((await t.snapshot()).version, 2);
    // One new marker among seen ones still commits.
    const partly = await t.replace(
      { rows: [] },
      {
        txns: [
          { appId: 'job:in1', version: 5 },
          { appId: 'job:in2', version: 10 },
        ],
      },
    );
    assert.equal(partly.status, 'committed');
  });

  it('replaces whole partitions with data skipping, and `all` overwrites', async () => {
    const t = await tempTable();
    await t.append({
      sql: `SELECT * FROM (VALUES (1, 'a', DATE '2025-01-01'), (2, 'b', DATE '2025-01-02')) AS x(id, v, day)`,
    });
    const r = await t.replace(
      { sql: `SELECT 5 AS id, 'e' AS v, DATE '2025-01-02' AS day` },
      { where: where.eq('day', '2025-01-02') },
    );
    assert.equal(r.deletedRows, 1);
    assert.deepEqual(await ids(t, (await t.scan()).sql), [1, 5]);
    const changes = await t.changes(1, 2);
    assert.deepEqual(await ids(t, (await t.scanFiles(changes.removed, 2)).sql), [2]);
    await t.replace({ sql: `SELECT 9 AS id, 'z' AS v, DATE '2025-01-03' AS day` }, { where: 'all' });
    assert.deepEqual(await ids(t, (await t.scan()).sql), [9]);
  });
});

describe('replace with a schema overwrite', () => {
  it('swaps schema, partitioning and rows in one commit; older versions keep their schema', async () => {
    const t = await tempTable();
    await t.append({ sql: `SELECT 1 AS id, 'a' AS v, DATE '2025-01-01' AS day` }); // v1
    const r = await t.replace(
      { sql: `SELECT 'x' AS name, 2.5::DOUBLE AS score, 'eu' AS region` },
      {
        where: 'all',
        schema: {
          columns: [
            { name: 'name', type: 'string' },
            { name: 'score', type: 'double' },
            { name: 'region', type: 'string' },
          ],
          partitionColumns: ['region'],
        },
        txns: [{ appId: 'rebuild', version: 1 }],
      },
    );
    assert.equal(r.version, 2);
    const now = await t.snapshot();
    assert.deepEqual(
      now.schema.fields.map((f) => f.name),
      ['name', 'score', 'region'],
    );
    assert.deepEqual(now.partitionColumns, ['region']);
    assert.equal(now.metadata.id, (await t.snapshot({ version: 1 })).metadata.id, 'same table');
    assert.deepEqual(await t.sql.all(`SELECT * FROM (${(await t.scan()).sql})`), [
      { name: 'x', score: 2.5, region: 'eu' },
    ]);
    assert.ok(now.files.every((f) => f.partitionValues['region'] === 'eu'));
    assert.deepEqual(await ids(t, (await t.scan({ version: 1 })).sql), [1], 'time travel reads the old schema');
    const [latest] = await t.history(1);
    assert.equal(latest!.operationParameters['overwriteSchema'], 'true'); // Delta stores parameters as strings
    // Rerun of the same batch: nothing written; a schema overwrite that is not a whole-table replace is refused.
    assert.equal(
      (
        await t.replace(
          { sql: `SELECT 'y' AS name, 1.0::DOUBLE AS score, 'us' AS region` },
          {
            where: 'all',
            schema: { columns: now.schema.fields.map((f) => ({ name: f.name, type: f.type })) },
            txns: [{ appId: 'rebuild', version: 1 }],
          },
        )
      ).status,
      'already-committed',
    );
    await assert.rejects(
      t.replace(
        { sql: `SELECT 'y' AS name` },
        { where: "name = 'x'", schema: { columns: [{ name: 'name', type: 'string' }] } },
      ),
      /use where 'all'/,
    );
    await assert.rejects(
      t.replace(
        { sql: `SELECT 'y' AS name` },
        { where: 'all', schema: { columns: [{ name: 'name', type: 'string' }], partitionColumns: ['nope'] } },
      ),
      /partition column nope is not a column/,
    );
  });
});
