// A DeltaTable keeps the parsed actions of the last checkpoint it read: every snapshot it loads — latest, older
// versions across several checkpoints, after commits from another instance — must equal a load without the cache.
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
