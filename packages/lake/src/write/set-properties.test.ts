// Table properties after creation: merged into a new metaData action Spark reads as such, values Lens reads
// checked, and ensureProperties adding only what a table lacks.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { DeltaProtocolError, InvalidInputError } from '../errors.js';

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

it('ensureCreated creates a missing table once, under racing writers, and gives an older one the properties it lacks', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-ensure-'));
  try {
    const spec = {
      columns: [{ name: 'n', type: 'long' as const }],
      name: 'lens.things',
      properties: { 'delta.checkpointInterval': '100', 'delta.logRetentionDuration': 'interval 7 days' },
    };
    // Four writers (each its own instance, as separate roles are) find no table at the same moment.
    const tables = await Promise.all([1, 2, 3, 4].map(() => DeltaTable.open(join(dir, 'racing'))));
    const snapshots = await Promise.all(tables.map((t) => t.ensureCreated(spec)));
    assert.deepEqual(
      snapshots.map((s) => s.version),
      [0, 0, 0, 0],
      'one creation, no property commit on the new table',
    );
    assert.equal(snapshots[0]!.metadata.configuration['delta.checkpointInterval'], '100');
    assert.equal((await tables[0]!.ensureCreated(spec)).version, 0, 'an existing table is left as it is');

    const older = await DeltaTable.open(join(dir, 'older'));
    await older.create({ columns: spec.columns, properties: { 'delta.checkpointInterval': '7' } });
    const snapshot = await older.ensureCreated(spec);
    assert.equal(snapshot.version, 1, 'the missing property is set in one commit');
    assert.equal(snapshot.metadata.configuration['delta.checkpointInterval'], '7', 'a value the table had is kept');
    assert.equal(snapshot.metadata.configuration['delta.logRetentionDuration'], 'interval 7 days');

    // A log that cannot be read is not "no table": creating over it would hide the damage.
    const damaged = join(dir, 'damaged');
    await mkdir(join(damaged, '_delta_log'), { recursive: true });
    await writeFile(join(damaged, '_delta_log', '00000000000000000000.json'), '{"commitInfo":{}}\n');
    await assert.rejects((await DeltaTable.open(damaged)).ensureCreated(spec), DeltaProtocolError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
