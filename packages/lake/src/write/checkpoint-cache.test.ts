// A DeltaTable keeps the parsed actions of the last checkpoint it read: every snapshot it loads — latest, older
// versions across several checkpoints, after commits from another instance — must equal a load without the cache.
// The cache is shared by the instances opened on one location, never across a table written again there.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { createDuckDB } from '../duckdb/sql.js';
import { loadSnapshot, type Snapshot } from '../snapshot.js';

const view = (s: Snapshot) => ({
  version: s.version,
  files: s.files.map((f) => f.path).sort(),
  txns: [...s.txns.entries()].map(([k, t]) => [k, t.version]).sort(),
});

it('snapshots loaded through the checkpoint cache equal uncached loads, across checkpoints and writers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-ckpt-cache-'));
  const sql = await createDuckDB();
  try {
    const table = await DeltaTable.open(dir, { sql });
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '3' } });
    const other = await DeltaTable.open(dir, { sql });
    for (let i = 1; i <= 10; i++) {
      const writer = i % 2 === 0 ? table : other;
      await writer.append({ sql: `SELECT ${i}::BIGINT AS n` }, { txn: { appId: `w${i % 2}`, version: i } });
      assert.deepEqual(view(await table.snapshot()), view(await loadSnapshot(table.store, sql)), `latest after ${i}`);
    }
    for (const version of [10, 2, 7, 3, 9, 6, 0, 10])
      assert.deepEqual(
        view(await table.snapshot({ version })),
        view(await loadSnapshot(table.store, sql, version)),
        `version ${version}`,
      );
    assert.equal((await table.snapshot()).files.length, 10);
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('the cache is shared by every instance opened on a table, and not by a table written again at the same place', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-ckpt-shared-'));
  const sql = await createDuckDB();
  let checkpointReads = 0;
  const counting = {
    ...sql,
    all: (text: string) => {
      if (text.includes('read_parquet') && text.includes('checkpoint')) checkpointReads++;
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
    assert.equal(checkpointReads, 1, 'the writer read its checkpoint once');
    for (let i = 0; i < 3; i++) await (await DeltaTable.open(dir, { sql: counting })).snapshot();
    assert.equal(checkpointReads, 1, 'three more instances: not read again');
    await rm(dir, { recursive: true, force: true });
    await fill(100); // the same version numbers and checkpoint names, other files
    assert.equal(checkpointReads, 2, 'the new checkpoint file (same name) is read');
    const reopened = await DeltaTable.open(dir, { sql: counting });
    const again = await reopened.snapshot();
    assert.deepEqual(view(again), view(await loadSnapshot(reopened.store, sql)));
    const rows = (await (await DeltaTable.open(dir, { sql })).query()).map((r) => Number(r['n'])).sort((a, b) => a - b);
    assert.deepEqual(rows, [100, 101, 102, 103]);
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});
