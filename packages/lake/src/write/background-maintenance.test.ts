// Background maintenance (DeltaTable.open with maintenance: 'background'): a checkpoint that falls due is written
// after the write returns — never inside it — for the newest version, what falls due meanwhile is folded into one
// job, and a failed job surfaces nowhere but its counter and is redone at the next due commit.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeltaTable } from '../delta-table.js';
import { createDuckDB } from '../duckdb/sql.js';
import { loadSnapshot } from '../snapshot.js';
import { createFsObjectStore } from '../storage/fs/fs-object-store.js';
import { overStore } from '../testing/over-store.js';
import { maintenanceFailures, maintenanceIdle } from './background-maintenance.js';

const checkpointsIn = async (dir: string): Promise<string[]> =>
  (await readdir(join(dir, '_delta_log'))).filter((n) => n.includes('.checkpoint.')).sort();

/** Rejects when `work` takes longer than `ms`: what is asserted is that it does not wait for a blocked put. */
const within = <T>(work: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    work,
    sleep(ms, undefined, { ref: false }).then(() => {
      throw new Error(what);
    }),
  ]);

it('a due checkpoint is written after the write returns, for the newest version, folding what fell due meanwhile', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-maint-'));
  const sql = await createDuckDB();
  const fs = createFsObjectStore(dir);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let asked = 0;
  const store = overStore(fs, {
    putFile: async (key, path) => {
      if (key.includes('.checkpoint.')) {
        asked++;
        await gate;
      }
      return fs.putFile(key, path);
    },
  });
  try {
    const table = await DeltaTable.open(store, { sql, maintenance: 'background' });
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '3' } });
    const appends = (async () => {
      for (let n = 1; n <= 7; n++) await table.append({ sql: `SELECT ${n}::BIGINT AS n` });
    })();
    await within(appends, 20_000, 'the appends waited for a checkpoint put');
    for (let i = 0; i < 200 && asked === 0; i++) await sleep(10);
    assert.equal(asked, 1, 'one checkpoint is being put (version 3 fell due), and waits');
    assert.deepEqual(await checkpointsIn(dir), [], 'nothing written yet');

    release();
    await maintenanceIdle();
    const hint = JSON.parse(await readFile(join(dir, '_delta_log', '_last_checkpoint'), 'utf8')) as { version: number };
    assert.equal(hint.version, 7, 'the last job checkpointed the newest version (6 fell due, 7 was the newest)');
    assert.ok(asked <= 2, `version 6's checkpoint was folded into one job (${asked} puts)`);
    const fresh = await loadSnapshot(createFsObjectStore(dir), sql, undefined, null);
    assert.equal(fresh.version, 7);
    assert.deepEqual(
      (await table.query()).map((r) => Number(r['n'])).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7],
    );
  } finally {
    release();
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});

it('a failed background checkpoint is counted, never thrown, and written at the next due commit', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-maint-'));
  const sql = await createDuckDB();
  const fs = createFsObjectStore(dir);
  let failing = true;
  const store = overStore(fs, {
    putFile: async (key, path) => {
      if (failing && key.includes('.checkpoint.')) throw new Error('disk full');
      return fs.putFile(key, path);
    },
  });
  try {
    const table = await DeltaTable.open(store, { sql, maintenance: 'background' });
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '2' } });
    const before = maintenanceFailures();
    for (let n = 1; n <= 2; n++) await table.append({ sql: `SELECT ${n}::BIGINT AS n` });
    await maintenanceIdle();
    assert.equal(maintenanceFailures(), before + 1);
    assert.deepEqual(await checkpointsIn(dir), []);
    failing = false;
    for (let n = 3; n <= 4; n++) await table.append({ sql: `SELECT ${n}::BIGINT AS n` });
    await maintenanceIdle();
    assert.deepEqual(await checkpointsIn(dir), ['00000000000000000004.checkpoint.parquet']);
  } finally {
    sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});
