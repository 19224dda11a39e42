// Every golden table is accounted for: a row count (counted by DuckDB over our scan SQL), a log-level
// expectation for log-only tables, or its specific error. A fixture missing from this list fails the test.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DeltaTable } from './delta-table.js';
import { DeltaProtocolError, TableNotFoundError, UnsupportedFeatureError } from './errors.js';

const GOLDEN = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
  'delta-golden',
);

/** Rows Spark left in each readable table (cross-checked against GoldenTables.scala where it states them). */
const ROWS: Record<string, number> = {
  '124-decimal-decode-bug': 1,
  '125-iterator-bug': 5,
  'basic-decimal-table': 4,
  'basic-decimal-table-legacy': 4,
  'basic-with-inserts-deletes-checkpoint': 41,
  'basic-with-inserts-merge': 140,
  'basic-with-inserts-overwrite-restore': 200,
  'basic-with-inserts-updates': 100,
  'basic-with-vacuum-protocol-check-feature': 100,
  'collations-preview-table': 0,
  'collations-table': 0,
  'commit-info-containing-arbitrary-operationParams-types': 2,
  'corrupted-last-checkpoint-kernel': 100,
  'data-reader-array-complex-objects': 10,
  'data-reader-array-primitives': 10,
  'data-reader-date-types-America/Los_Angeles': 1,
  'data-reader-date-types-Asia/Beirut': 1,
  'data-reader-date-types-Etc/GMT+9': 1,
  'data-reader-date-types-Iceland': 1,
  'data-reader-date-types-JST': 1,
  'data-reader-date-types-PST': 1,
  'data-reader-date-types-UTC': 1,
  'data-reader-escaped-chars': 3,
  'data-reader-map': 10,
  'data-reader-nested-struct': 10,
  'data-reader-nullable-field-invalid-schema-key': 1,
  'data-reader-partition-values': 3,
  'data-reader-primitives': 11,
  'data-reader-timestamp_ntz': 9,
  'data-reader-timestamp_ntz-id-mode': 9,
  'data-reader-timestamp_ntz-name-mode': 9,
  'data-skipping-basic-stats-all-types': 1,
  'data-skipping-basic-stats-all-types-checkpoint': 1,
  'data-skipping-basic-stats-all-types-columnmapping-id': 1,
  'data-skipping-basic-stats-all-types-columnmapping-name': 1,
  'data-skipping-change-stats-collected-across-versions': 3,
  'data-skipping-partition-and-data-column': 4,
  'decimal-various-scale-precision': 3,
  'deltalog-getChanges': 0,
  'dv-partitioned-with-checkpoint': 35,
  'dv-with-columnmapping': 35,
  'hive/deltatbl-column-names-case-insensitive': 10,
  'hive/deltatbl-deleted-path': 10,
  'hive/deltatbl-incorrect-format-config': 10,
  'hive/deltatbl-map-types-correctly': 1,
  'hive/deltatbl-non-partitioned': 10,
  'hive/deltatbl-not-allow-write': 10,
  'hive/deltatbl-partition-prune': 5,
  'hive/deltatbl-partitioned': 10,
  'hive/deltatbl-schema-match': 10,
  'hive/deltatbl-special-chars-in-partition-column': 10,
  'hive/deltatbl-touch-files-needed-for-partitioned': 10,
  'kernel-timestamp-INT96': 5,
  'kernel-timestamp-PST': 5,
  'kernel-timestamp-TIMESTAMP_MICROS': 5,
  'kernel-timestamp-TIMESTAMP_MILLIS': 5,
  'kernel-timestamp-partition-col-ISO8601': 2,
  'log-replay-dv-key-cases': 47,
  'log-replay-latest-metadata-protocol': 40,
  'log-replay-special-characters': 0,
  'log-replay-special-characters-a': 0,
  'multi-part-checkpoint': 31,
  'only-checkpoint-files': 25,
  'parquet-all-types': 200,
  'parquet-all-types-legacy-format': 200,
  'parquet-decimal-dictionaries': 1000000,
  'parquet-decimal-dictionaries-v2': 1000000,
  'snapshot-data0': 10,
  'snapshot-data1': 20,
  'snapshot-data2': 10,
  'snapshot-data2-deleted': 20,
  'snapshot-data3': 30,
  'snapshot-repartitioned': 20,
  'snapshot-vacuumed': 20,
  'table-with-columnmapping-mode-id': 6,
  'table-with-columnmapping-mode-name': 6,
  'table-with-icebegCompatV2Enabled': 6,
  'time-travel-partition-changes-a': 10,
  'time-travel-partition-changes-b': 10,
  'time-travel-schema-changes-a': 10,
  'time-travel-schema-changes-b': 20,
  'time-travel-start': 10,
  'time-travel-start-start20': 20,
  'time-travel-start-start20-start40': 30,
  'type-widening': 2,
  'type-widening-nested': 2,
  'v2-checkpoint-json': 10,
  'v2-checkpoint-parquet': 10,
};

/** Log-only tables (their add paths point at no file, or their metaData has no schema): live file counts. */
const LOG_ONLY: Record<string, number> = {
  'canonicalized-paths-normal-a': 0,
  'canonicalized-paths-normal-b': 0,
  'canonicalized-paths-special-a': 0,
  'canonicalized-paths-special-b': 0,
  checkpoint: 1,
  'corrupted-last-checkpoint': 11,
  'delete-re-add-same-file-different-transactions': 2,
  'deltalog-commit-info': 1,
  'log-replay-special-characters-b': 1,
  'update-deleted-directory': 10,
};

/** Tables that must fail, with the error class and message they raise. */
const ERRORS: Record<string, [new (...a: never[]) => Error, RegExp]> = {
  'data-reader-absolute-paths-escaped-chars': [DeltaProtocolError, /no metaData action/],
  'deltalog-invalid-protocol-version': [UnsupportedFeatureError, /readerVersion 99/],
  'deltalog-state-reconstruction-from-checkpoint-missing-metadata': [DeltaProtocolError, /no metaData/],
  'deltalog-state-reconstruction-from-checkpoint-missing-protocol': [DeltaProtocolError, /no protocol/],
  'deltalog-state-reconstruction-without-metadata': [DeltaProtocolError, /no metaData/],
  'deltalog-state-reconstruction-without-protocol': [DeltaProtocolError, /no protocol/],
  'log-store-listFrom': [TableNotFoundError, /no Delta table/],
  'log-store-read': [TableNotFoundError, /no Delta table/],
  'no-delta-log-folder': [TableNotFoundError, /no Delta table/],
  'spark-variant-checkpoint': [UnsupportedFeatureError, /variantType-preview/],
  'versions-not-contiguous': [DeltaProtocolError, /not contiguous/],
};

function fixtures(): string[] {
  const out: string[] = [];
  for (const d of readdirSync(GOLDEN, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const nested = readdirSync(join(GOLDEN, d.name), { withFileTypes: true }).filter(
      (e) => e.isDirectory() && existsSync(join(GOLDEN, d.name, e.name, '_delta_log')),
    );
    if (!existsSync(join(GOLDEN, d.name, '_delta_log')) && nested.length > 0)
      out.push(...nested.map((e) => `${d.name}/${e.name}`));
    else out.push(d.name);
  }
  return out.sort();
}

describe('golden tables: every fixture', () => {
  it('has an expectation for every table in the fixtures', () => {
    const known = new Set([...Object.keys(ROWS), ...Object.keys(LOG_ONLY), ...Object.keys(ERRORS)]);
    assert.deepEqual(
      fixtures().filter((f) => !known.has(f)),
      [],
    );
  });
  for (const [name, rows] of Object.entries(ROWS)) {
    it(`${name}: ${rows} rows`, async () => {
      const t = await DeltaTable.open(join(GOLDEN, name));
      const [r] = await t.sql.all(`SELECT count(*) AS n FROM (${(await t.scan()).sql})`);
      assert.equal(Number(r?.['n']), rows);
    });
  }
  for (const [name, files] of Object.entries(LOG_ONLY)) {
    it(`${name}: ${files} live files (log only)`, async () => {
      assert.equal((await (await DeltaTable.open(join(GOLDEN, name))).snapshot()).files.length, files);
    });
  }
  for (const [name, [cls, message]] of Object.entries(ERRORS)) {
    it(`${name}: raises ${cls.name}`, async () => {
      await assert.rejects(
        (await DeltaTable.open(join(GOLDEN, name))).query(),
        (e: unknown) => e instanceof cls && message.test((e as Error).message),
      );
    });
  }

  it('timestamps written in various session zones read back as the same UTC instants', async () => {
    const expect: Record<string, string> = {
      'data-reader-date-types-UTC': '2020-01-01T08:09:10.000Z',
      'data-reader-date-types-PST': '2020-01-01T16:09:10.000Z',
      'data-reader-date-types-JST': '2019-12-31T23:09:10.000Z',
      'data-reader-date-types-America/Los_Angeles': '2020-01-01T16:09:10.000Z',
      'data-reader-date-types-Etc/GMT+9': '2020-01-01T17:09:10.000Z',
      'data-reader-date-types-Iceland': '2020-01-01T08:09:10.000Z',
    };
    for (const [name, iso] of Object.entries(expect)) {
      const t = await DeltaTable.open(join(GOLDEN, name));
      const [row] = await t.sql.all(
        `SELECT strftime("timestamp", '%Y-%m-%dT%H:%M:%S.%g') || 'Z' AS ts, "date"::VARCHAR AS d FROM (${(await t.scan()).sql})`,
      );
      assert.deepEqual(row, { ts: iso, d: '2020-01-01' }, name);
    }
  });

  it('ISO-8601 and escaped partition values decode exactly', async () => {
    const iso = await DeltaTable.open(join(GOLDEN, 'kernel-timestamp-partition-col-ISO8601'));
    for (const r of await iso.query())
      assert.equal((r['ts'] as Date).toISOString().slice(0, 19).replace('T', ' '), String(r['str']));
    const esc = await (await DeltaTable.open(join(GOLDEN, 'data-reader-escaped-chars'))).query();
    assert.deepEqual(esc.map((r) => `${r['_1']}:${r['_2']}`).sort(), ['foo1:bar+%21', 'foo2:bar+%22', 'foo3:bar+%23']);
  });
});
