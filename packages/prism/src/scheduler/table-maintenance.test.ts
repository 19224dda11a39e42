// The scheduler's upkeep of its tables: due by period (never at start-up), small files packed, replaced files
// vacuumed at each table's own retention, tables not written yet skipped.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { noopLogger } from '../logger.js';
import { TableMaintenance } from './table-maintenance.js';

it('packs small files and vacuums at the table retention, when due; skips tables not written yet', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-maintenance-'));
  try {
    const tables: Record<string, DeltaTable> = {};
    for (const [name, retention] of [
      ['silver.keeps', 'interval 7 days'],
      ['silver.drops', 'interval 0 hours'],
    ] as const) {
      const table = await DeltaTable.open(lakeTablePath(dataDir, name));
      await table.create({
        columns: [{ name: 'id', type: 'string' }],
        properties: { 'delta.deletedFileRetentionDuration': retention },
      });
      for (const id of ['a', 'b', 'c']) await table.append({ rows: [{ id }] });
      tables[name] = table;
    }
    const parquet = async (name: string): Promise<number> =>
      (await readdir(lakeTablePath(dataDir, name))).filter((f) => f.endsWith('.parquet')).length;
    const t0 = Date.now();
    const upkeep = new TableMaintenance(dataDir, { optimizeEveryMs: 60_000, vacuumEveryMs: 60_000 }, noopLogger, t0);
    const names = ['silver.keeps', 'silver.drops', 'gold.not_yet'];
    assert.equal(await upkeep.runDue(names, t0 + 1_000), false); // not at start-up
    assert.equal(await parquet('silver.drops'), 3);
    assert.equal(await upkeep.runDue(names, t0 + 60_000), true);
    for (const name of ['silver.keeps', 'silver.drops']) {
      assert.equal((await tables[name]!.snapshot()).files.length, 1, name);
      assert.deepEqual((await tables[name]!.query()).map((r) => r['id']).sort(), ['a', 'b', 'c']);
    }
    assert.equal(await parquet('silver.keeps'), 4); // the replaced files stay for time travel (7 days)
    assert.equal(await parquet('silver.drops'), 1);
    assert.equal(await upkeep.runDue(names, t0 + 90_000), false); // next period only
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

it('packs the small files of a table that took packAfterCommits commits, before the period; only that table', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-maintenance-'));
  try {
    const tables: Record<string, DeltaTable> = {};
    for (const name of ['silver.busy', 'silver.quiet']) {
      const table = await DeltaTable.open(lakeTablePath(dataDir, name));
      await table.create({ columns: [{ name: 'id', type: 'string' }] });
      for (const id of ['a', 'b', 'c']) await table.append({ rows: [{ id }] });
      tables[name] = table;
    }
    const files = async (name: string): Promise<number> => (await tables[name]!.snapshot()).files.length;
    const t0 = Date.now();
    const upkeep = new TableMaintenance(
      dataDir,
      { optimizeEveryMs: 600_000, vacuumEveryMs: 0, packAfterCommits: 3 },
      noopLogger,
      t0,
    );
    const names = ['silver.busy', 'silver.quiet'];
    upkeep.noteCommits(['silver.busy', 'silver.quiet']);
    upkeep.noteCommits(['silver.busy']);
    assert.equal(await upkeep.runDue(names, t0 + 1_000), false); // two commits: not yet
    upkeep.noteCommits(['silver.busy']);
    assert.equal(await upkeep.runDue(names, t0 + 2_000), true);
    assert.equal(await files('silver.busy'), 1);
    assert.deepEqual((await tables['silver.busy']!.query()).map((r) => r['id']).sort(), ['a', 'b', 'c']);
    assert.equal(await files('silver.quiet'), 3); // one commit noted: left alone
    assert.equal(await upkeep.runDue(names, t0 + 3_000), false); // the count starts again after packing
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
