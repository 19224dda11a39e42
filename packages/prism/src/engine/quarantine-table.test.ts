// A dataset's quarantine table: created with the streaming properties (it is appended to at every run that
// quarantines rows), and a table created before Lens chose them gets the ones it lacks without losing rows.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createDuckDB, DeltaTable, STREAMING_TABLE_PROPERTIES } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { quarantineTableName, writeQuarantine } from './quarantine-table.js';

it('a quarantine table created before the streaming properties gets them at the next write, rows kept', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-quarantine-'));
  const db = await createDuckDB();
  try {
    const path = lakeTablePath(dataDir, quarantineTableName('silver.checked'));
    const old = await DeltaTable.open(path, { sql: db });
    await old.create({
      columns: [
        { name: 'expectation', type: 'string', nullable: false },
        { name: 'batch', type: 'long' },
        { name: 'quarantined_at', type: 'timestamp' },
        { name: 'row', type: 'string' },
      ],
      name: quarantineTableName('silver.checked'),
    });
    await db.run(`CREATE TEMP TABLE __prism_quarantine AS SELECT 'no_group' AS expectation, '{"a":1}' AS "row"`);
    await old.append(
      { sql: `SELECT expectation, 0::BIGINT AS batch, now() AS quarantined_at, "row" FROM __prism_quarantine` },
      { mode: 'append' },
    );
    assert.equal((await old.snapshot()).metadata.configuration['delta.checkpointInterval'], undefined);

    await writeQuarantine(dataDir, db, 'silver.checked', 1, false);

    const table = await DeltaTable.open(path, { sql: db });
    const conf = (await table.snapshot()).metadata.configuration;
    for (const [k, v] of Object.entries(STREAMING_TABLE_PROPERTIES)) assert.equal(conf[k], v, k);
    const rows = await table.query();
    assert.deepEqual(rows.map((r) => Number(r['batch'])).sort(), [0, 1]);
  } finally {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

it('a new quarantine table is created with the streaming properties', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lens-quarantine-'));
  const db = await createDuckDB();
  try {
    await db.run(`CREATE TEMP TABLE __prism_quarantine AS SELECT 'no_group' AS expectation, '{"a":1}' AS "row"`);
    await writeQuarantine(dataDir, db, 'silver.checked', 3, false);
    const table = await DeltaTable.open(lakeTablePath(dataDir, quarantineTableName('silver.checked')), { sql: db });
    const conf = (await table.snapshot()).metadata.configuration;
    for (const [k, v] of Object.entries(STREAMING_TABLE_PROPERTIES)) assert.equal(conf[k], v, k);
  } finally {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
