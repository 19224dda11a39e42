// Conformance against the Spark-written golden tables (shared/fixtures/delta-golden): each table is read to
// exactly the rows Spark wrote, checked at log level (log-only tables), or raises its specific error.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DeltaTable } from './delta-table.js';
import { DeltaProtocolError, TableNotFoundError, UnsupportedFeatureError, VersionNotFoundError } from './errors.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const GOLDEN = join(repoRoot, '..', 'shared', 'fixtures', 'delta-golden');
const open = (name: string) => DeltaTable.open(join(GOLDEN, name));
const num = (v: unknown) => Number(v);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const ids = async (name: string, col = 'id', version?: number) =>
  sorted((await (await open(name)).query(version === undefined ? {} : { version })).map((r) => num(r[col])));

describe('golden tables: data', () => {
  it('snapshot-data0..3: appends and overwrite', async () => {
    assert.deepEqual(sorted((await (await open('snapshot-data0')).query()).map((r) => num(r['col1']))), range(0, 10));
    const d1 = await (await open('snapshot-data1')).query();
    assert.equal(d1.length, 20);
    assert.ok(d1.every((r) => /^data-[01]-\d$/.test(String(r['col2']))));
    const d2 = await (await open('snapshot-data2')).query();
    assert.deepEqual(
      d2.map((r) => String(r['col2'])).sort(),
      range(0, 10)
        .map((i) => `data-2-${i}`)
        .sort(),
    );
    assert.equal((await (await open('snapshot-data3')).query()).length, 30);
  });

  it('dv-partitioned-with-checkpoint and dv-with-columnmapping drop deleted rows (on-disk DVs)', async () => {
    const expected = range(0, 50)
      .filter((x) => !(x % 2 === 0 && x < 30))
      .map((x) => `${x % 10}|${x}|foo${x % 5}`)
      .sort();
    for (const name of ['dv-partitioned-with-checkpoint', 'dv-with-columnmapping']) {
      const rows = await (await open(name)).query();
      assert.deepEqual(rows.map((r) => `${r['part']}|${r['col1']}|${r['col2']}`).sort(), expected, name);
    }
  });

  it('multi-part, v2 (json and parquet) and checkpoint-only tables reconstruct the same ids', async () => {
    // Spark wrote range(1) and then range(i, i+1) for i in 0..29, checkpointing in parts.
    assert.deepEqual(await ids('multi-part-checkpoint'), [0, ...range(0, 30)]);
    assert.deepEqual(await ids('v2-checkpoint-json'), range(0, 10));
    assert.deepEqual(await ids('v2-checkpoint-parquet'), range(0, 10));
    assert.deepEqual(await ids('only-checkpoint-files'), sorted([...range(0, 20), ...range(5, 10)]));
    // range(0, 70) in 7 appends of 10, then deletes of ids x%10>=5 below 50 and of ids >= 66.
    assert.deepEqual(
      await ids('basic-with-inserts-deletes-checkpoint'),
      range(0, 66).filter((x) => x >= 50 || x % 10 < 5),
    );
  });

  it('time travel by version over schema and partition changes', async () => {
    assert.deepEqual(await ids('time-travel-start-start20-start40', 'id', 0), range(0, 10));
    assert.deepEqual(await ids('time-travel-start-start20-start40', 'id', 1), range(0, 20));
    assert.deepEqual(await ids('time-travel-start-start20-start40'), range(0, 30));
    const schemaB = await (await open('time-travel-schema-changes-b')).query();
    assert.equal(schemaB.length, 20);
    assert.ok(schemaB.some((r) => r['part'] === null) && schemaB.some((r) => r['part'] !== null));
  });

  it('partition values of every type, including null and the string "null"', async () => {
    const rows = await (await open('data-reader-partition-values')).query();
    assert.equal(rows.length, 3);
    const nullRow = rows.find((r) => r['as_int'] === null);
    assert.ok(nullRow, 'a row with null partition values');
    assert.equal(nullRow['as_string_lit_null'], null);
    assert.equal(rows.filter((r) => r['as_string_lit_null'] === 'null').length, 2);
    const row0 = rows.find((r) => r['as_int'] === 0)!;
    assert.equal(row0['as_long'], 0n);
    assert.equal(row0['as_boolean'], true);
    assert.equal(row0['as_string'], '0');
  });

  it('primitives, decimals, nested structs, arrays and maps read', async () => {
    const prim = await (await open('data-reader-primitives')).query();
    assert.equal(prim.length, 11);
    assert.equal(prim.filter((r) => r['as_int'] === null).length, 1);
    assert.deepEqual(sorted(prim.filter((r) => r['as_int'] !== null).map((r) => num(r['as_long']))), range(0, 10));
    const nested = await (await open('data-reader-nested-struct')).query();
    assert.deepEqual(
      nested.map((r) => (r['a'] as Record<string, unknown>)['aa']).sort(),
      range(0, 10).map(String).sort(),
    );
    assert.equal((await (await open('data-reader-map')).query()).length, 10);
    assert.equal((await (await open('data-reader-array-complex-objects')).query()).length, 10);
    assert.equal((await (await open('parquet-decimal-dictionaries-v2')).scan()).filesRead > 0, true);
  });

  it('column mapping by name and by id renames nested fields back', async () => {
    for (const name of ['table-with-columnmapping-mode-name', 'table-with-columnmapping-mode-id']) {
      const rows = await (await open(name)).query();
      assert.equal(rows.length, 6, name);
      assert.ok(
        rows.some((r) => (r['nested_struct'] as Record<string, unknown> | null)?.['aa'] === '0'),
        name,
      );
    }
  });

  it('timestamps: INT96, micros, millis and PST-written tables agree in UTC', async () => {
    const key = (rows: Record<string, unknown>[]) =>
      rows.map((r) => `${r['id']}|${(r['part'] as Date | null)?.valueOf() ?? null}`).sort();
    const int96 = key(await (await open('kernel-timestamp-INT96')).query());
    assert.deepEqual(key(await (await open('kernel-timestamp-TIMESTAMP_MICROS')).query()), int96);
    assert.deepEqual(key(await (await open('kernel-timestamp-TIMESTAMP_MILLIS')).query()), int96);
  });
});

describe('golden tables: log level', () => {
  it('canonicalized paths: add and remove of differently encoded paths cancel out', async () => {
    for (const n of ['normal-a', 'normal-b', 'special-a', 'special-b']) {
      assert.equal((await (await open(`canonicalized-paths-${n}`)).snapshot()).files.length, 0, n);
    }
  });

  it('re-added files and special characters replay in order', async () => {
    const s = await (await open('delete-re-add-same-file-different-transactions')).snapshot();
    assert.deepEqual(s.files.map((f) => f.path).sort(), ['bar', 'foo']);
    assert.equal(s.files.find((f) => f.path === 'foo')?.modificationTime, 1700000000000);
    assert.equal((await (await open('log-replay-special-characters-a')).snapshot()).files.length, 0);
    assert.equal((await (await open('log-replay-special-characters-b')).snapshot()).files[0]?.path, 'special%20p@%23h');
  });

  it('checkpoint and corrupted _last_checkpoint: state is rebuilt from the log', async () => {
    const corrupted = await (await open('corrupted-last-checkpoint')).snapshot();
    assert.equal(corrupted.version, 10);
    assert.equal((await (await open('checkpoint')).snapshot()).version, 14);
  });

  it('deltalog-getChanges keeps the latest txn per appId', async () => {
    const s = await (await open('deltalog-getChanges')).snapshot();
    assert.equal(s.txns.get('fakeAppId')?.version, 3);
  });
});

describe('golden tables: errors', () => {
  const cases: [string, new (...a: never[]) => Error, RegExp][] = [
    ['deltalog-invalid-protocol-version', UnsupportedFeatureError, /readerVersion 99/],
    ['spark-variant-checkpoint', UnsupportedFeatureError, /variantType-preview/],
    ['versions-not-contiguous', DeltaProtocolError, /not contiguous/],
    ['deltalog-state-reconstruction-without-protocol', DeltaProtocolError, /no protocol/],
    ['deltalog-state-reconstruction-without-metadata', DeltaProtocolError, /no metaData/],
    ['deltalog-state-reconstruction-from-checkpoint-missing-protocol', DeltaProtocolError, /no protocol/],
    ['deltalog-state-reconstruction-from-checkpoint-missing-metadata', DeltaProtocolError, /no metaData/],
    ['no-delta-log-folder', TableNotFoundError, /no Delta table/],
  ];
  for (const [name, cls, message] of cases) {
    it(`${name} raises ${cls.name}`, async () => {
      await assert.rejects(
        (await open(name)).query(),
        (e: unknown) => e instanceof cls && message.test((e as Error).message),
      );
    });
  }

  it('a version past the end is VersionNotFoundError', async () => {
    await assert.rejects((await open('snapshot-data0')).snapshot({ version: 99 }), VersionNotFoundError);
  });
});
