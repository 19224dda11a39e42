// delta_scan('PATH'[, version => N]) inside arbitrary SQL runs against our own tables and golden ones.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { sharedDuckDB } from '../duckdb/sql.js';
import { InvalidInputError } from '../errors.js';
import { hasDeltaScan, rewriteDeltaScans } from './delta-scan-rewrite.js';

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

it('rewrites delta_scan calls, with and without version, including joins of two tables', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-scan-'));
  const t = await DeltaTable.open(dir);
  await t.create({ columns: [{ name: 'n', type: 'long' }] });
  await t.append({ rows: [{ n: 1 }] });
  await t.append({ rows: [{ n: 2 }] });
  const sql = await sharedDuckDB();
  const text = `SELECT (SELECT sum(n) FROM delta_scan('${dir}')) AS now, (SELECT sum(n) FROM delta_scan('${dir}', version => 1)) AS v1,
    (SELECT count(*) FROM delta_scan('${join(GOLDEN, 'snapshot-data0')}') g) AS golden`;
  assert.ok(hasDeltaScan(text));
  const [row] = await sql.all(await rewriteDeltaScans(text, sql));
  assert.deepEqual(row, { now: 3n, v1: 1n, golden: 10n });
  assert.equal(await rewriteDeltaScans('SELECT 1', sql), 'SELECT 1');
  // A call it cannot read is named, not passed on to DuckDB (which would try to download its delta extension).
  for (const call of [`delta_scan('${dir}', version => -1)`, `delta_scan("${dir}")`, `DELTA_SCAN('${dir}', 1)`])
    await assert.rejects(
      rewriteDeltaScans(`SELECT count(*) FROM delta_scan('${dir}') a, ${call} b`, sql),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        e.message.startsWith(`cannot read ${call}: delta_scan takes a path in single quotes`),
    );
});

it('time-range predicates skip files by their stats', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-skip-'));
  const t = await DeltaTable.open(dir);
  await t.create({
    columns: [
      { name: 'ts', type: 'timestamp' },
      { name: 'v', type: 'long' },
    ],
  });
  for (let h = 0; h < 6; h++) {
    await t.append({
      sql: `SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (${h}) HOUR + INTERVAL (range) MINUTE AS ts, range AS v FROM range(60)`,
    });
  }
  const plan = await t.scan({
    predicate: {
      and: [
        { column: 'ts', op: '>=', value: '2024-01-01T02:00:00Z' },
        { column: 'ts', op: '<', value: '2024-01-01T04:00:00Z' },
      ],
    },
  });
  assert.equal(plan.filesRead, 2);
  assert.equal(plan.filesTotal, 6);
  const rows = await t.sql.all(plan.sql);
  assert.equal(rows.length, 120);
  // The max stat is truncated to milliseconds: a row 0.5 ms after it must still be found.
  await t.append({ sql: `SELECT TIMESTAMPTZ '2024-02-01 00:00:00.000500+00' AS ts, 1 AS v` });
  assert.equal((await t.query({ predicate: { column: 'ts', op: '>', value: '2024-02-01T00:00:00.000Z' } })).length, 1);
});
