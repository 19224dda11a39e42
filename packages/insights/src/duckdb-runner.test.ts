// DuckDBRunner.columns: numeric result columns as typed arrays, NULL as NaN, across many chunks — the block copy
// of DOUBLE/INTEGER vectors and the getItem path of other types (BIGINT, DECIMAL) agree value for value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDuckDB } from '@lens/lake';
import { DuckDBRunner } from './duckdb-runner.js';

test('columns() returns every value in order with NULLs as NaN, for block-copied and per-item vector types', async () => {
  const db = await createDuckDB();
  try {
    const runner = new DuckDBRunner(db, 60_000);
    const n = 10_000; // several 2,048-row chunks
    const got = await runner.columns(`SELECT
        CASE WHEN i % 7 = 3 THEN NULL ELSE i * 0.5 END::DOUBLE AS d,
        CASE WHEN i % 5 = 1 THEN NULL ELSE i - 17 END::INTEGER AS int,
        CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1000 END::BIGINT AS big,
        (i / 4)::DECIMAL(10, 2) AS dec,
        i::SMALLINT AS small
      FROM range(${n}) t(i) ORDER BY i`);
    assert.equal(got.rows, n);
    assert.deepEqual(got.names, ['d', 'int', 'big', 'dec', 'small']);
    const [d, int, big, dec, small] = got.cols;
    for (let i = 0; i < n; i++) {
      const expect = [
        i % 7 === 3 ? NaN : i * 0.5,
        i % 5 === 1 ? NaN : i - 17,
        i % 11 === 0 ? NaN : i * 1000,
        Math.round((i / 4) * 100) / 100,
        i,
      ];
      const actual = [d![i]!, int![i]!, big![i]!, dec![i]!, small![i]!];
      assert.deepEqual(actual, expect, `row ${i}`);
    }
  } finally {
    db.close();
  }
});

test('busyForMs() says how long the work holding the session has run, undefined while idle', async () => {
  const db = await createDuckDB();
  try {
    const runner = new DuckDBRunner(db, 60_000);
    assert.equal(runner.busyForMs(), undefined);
    let release!: () => void;
    const held = runner.exclusive(() => new Promise<void>((r) => (release = r)));
    const queued = runner.exclusive(() => runner.all('SELECT 1 AS one'));
    await new Promise((r) => setTimeout(r, 120));
    assert.ok((runner.busyForMs() ?? 0) >= 100, `busy for ${runner.busyForMs()} ms`);
    release();
    await held;
    assert.deepEqual(await queued, [{ one: 1 }]);
    assert.equal(runner.busyForMs(), undefined);
  } finally {
    db.close();
  }
});
