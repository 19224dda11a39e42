// Protocol handling on write: 1/2 by default, 3/7 with exactly the features a schema needs, refusal (naming the
// feature) for tables whose writer features we do not honour, and a checkpoint schema identical to Spark's.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { sharedDuckDB } from '../duckdb/sql.js';
import { UnsupportedFeatureError } from '../errors.js';

const GOLDEN = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
  'delta-golden',
);

it('a timestamp_ntz column makes the table 3/7 with the timestampNtz feature; adding one upgrades 1/2 correctly', async () => {
  const a = await DeltaTable.open(await mkdtemp(join(tmpdir(), 'lens-p-')));
  await a.create({ columns: [{ name: 't', type: 'timestamp_ntz' }] });
  assert.deepEqual((await a.snapshot()).protocol, {
    minReaderVersion: 3,
    minWriterVersion: 7,
    readerFeatures: ['timestampNtz'],
    writerFeatures: ['timestampNtz'],
  });
  await a.append({ sql: `SELECT TIMESTAMP '2024-01-01 10:00:00.123456' AS t` });
  assert.equal(
    (await a.sql.all(`SELECT t::VARCHAR AS t FROM (${(await a.scan()).sql})`))[0]?.['t'],
    '2024-01-01 10:00:00.123456',
  );
  const b = await DeltaTable.open(await mkdtemp(join(tmpdir(), 'lens-p-')));
  await b.create({ columns: [{ name: 'n', type: 'long' }] });
  await b.addColumns([{ name: 't', type: 'timestamp_ntz' }]);
  assert.deepEqual((await b.snapshot()).protocol.writerFeatures, ['appendOnly', 'invariants', 'timestampNtz']);
});

it('refuses to write a table whose writer features it does not honour, naming the feature', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-p-'));
  await mkdir(join(dir, '_delta_log'));
  const schema = JSON.stringify({
    type: 'struct',
    fields: [{ name: 'n', type: 'long', nullable: true, metadata: {} }],
  });
  await writeFile(
    join(dir, '_delta_log', '00000000000000000000.json'),
    [
      {
        protocol: {
          minReaderVersion: 3,
          minWriterVersion: 7,
          readerFeatures: ['deletionVectors'],
          writerFeatures: ['deletionVectors'],
        },
      },
      {
        metaData: {
          id: 'x',
          format: { provider: 'parquet', options: {} },
          schemaString: schema,
          partitionColumns: [],
          configuration: {},
        },
      },
    ]
      .map((a) => JSON.stringify(a))
      .join('\n'),
  );
  const t = await DeltaTable.open(dir);
  assert.equal((await t.query()).length, 0, 'still readable');
  await assert.rejects(
    t.append({ rows: [{ n: 1 }] }),
    (e: unknown) => e instanceof UnsupportedFeatureError && /deletionVectors/.test(e.message),
  );
  assert.equal((await readFile(join(dir, '_delta_log', '00000000000000000000.json'), 'utf8')).includes('add'), false);
  // VACUUM deletes files: a write too (it would not protect the deletion-vector files older versions read).
  for (const attempt of [() => t.vacuum({ dryRun: true }), () => t.optimize()])
    await assert.rejects(
      attempt(),
      (e: unknown) => e instanceof UnsupportedFeatureError && /deletionVectors/.test(e.message),
    );
});

it('writes checkpoints with exactly the column types of a Spark-written checkpoint', async () => {
  const sql = await sharedDuckDB();
  const t = await DeltaTable.open(await mkdtemp(join(tmpdir(), 'lens-p-')));
  await t.create({ columns: [{ name: 'n', type: 'long' }] });
  await t.checkpoint();
  const ours = await sql.describe(
    `SELECT * FROM read_parquet('${join(t.store.description, '_delta_log', '00000000000000000000.checkpoint.parquet')}')`,
  );
  const spark = await sql.describe(
    `SELECT * FROM read_parquet('${join(GOLDEN, 'checkpoint', '_delta_log', '00000000000000000010.checkpoint.parquet')}')`,
  );
  assert.deepEqual(ours, spark);
});
