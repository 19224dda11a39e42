// Table properties after creation: merged into a new metaData action Spark reads as such, values Lens reads
// checked, and ensureProperties adding only what a table lacks.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { InvalidInputError } from '../errors.js';

it('setProperties merges the configuration; ensureProperties sets only missing keys; bad values are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-props-'));
  try {
    const table = await DeltaTable.open(dir);
    await table.create({ columns: [{ name: 'n', type: 'long' }], properties: { 'delta.checkpointInterval': '7' } });
    await table.append({ rows: [{ n: 1 }] });
    const v = await table.ensureProperties({
      'delta.checkpointInterval': '100',
      'delta.logRetentionDuration': 'interval 7 days',
    });
    assert.equal(v, 2);
    const conf = (await table.snapshot()).metadata.configuration;
    assert.equal(conf['delta.checkpointInterval'], '7', 'a value the table had is kept');
    assert.equal(conf['delta.logRetentionDuration'], 'interval 7 days');
    assert.equal(await table.ensureProperties({ 'delta.logRetentionDuration': 'interval 1 day' }), undefined);
    const commit = (await readFile(join(dir, '_delta_log', '00000000000000000002.json'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, { operation?: string; configuration?: unknown }>);
    assert.equal(commit.find((a) => a['commitInfo'])?.['commitInfo']?.operation, 'SET TBLPROPERTIES');
    assert.ok(commit.some((a) => a['metaData']));
    await table.setProperties({ 'delta.checkpointInterval': '50' });
    assert.equal((await table.snapshot()).metadata.configuration['delta.checkpointInterval'], '50');
    await assert.rejects(table.setProperties({ 'delta.checkpointInterval': '0' }), InvalidInputError);
    await assert.rejects(table.setProperties({ 'delta.logRetentionDuration': 'a week' }), InvalidInputError);
    assert.deepEqual(
      (await table.query()).map((r) => Number(r['n'])),
      [1],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
