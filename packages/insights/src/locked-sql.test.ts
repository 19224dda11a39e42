// The SQL lockdown, tested against real DuckDB: SELECTs over lake tables work with a row cap and a timeout;
// every way out (files, network, COPY, ATTACH, extensions, settings, writes, several statements) is refused —
// both by the gate and, underneath, by the locked session itself.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QueryTimeoutError, SqlFailedError, SqlRefusedError } from './errors.js';
import { InsightEngine } from './insight-engine.js';
import { createLockedDuckDB } from './locked-sql.js';
import { appendSilverEvents, tempDataDir } from './testing/silver-fixture.js';

describe('locked-down SQL', () => {
  let engine: InsightEngine;
  let dataDir: string;
  before(async () => {
    dataDir = await tempDataDir();
    await appendSilverEvents(
      dataDir,
      ['a', 'b', 'c'].map((actor, i) => ({ actor, event: 'Article Viewed', at: `2025-01-0${i + 1}T10:00:00Z` })),
    );
    engine = await InsightEngine.create({ dataDir, timeoutMs: 300 });
  });
  after(async () => engine.close());

  it('answers a SELECT over lake tables by name, capped', async () => {
    const r = await engine.sql('SELECT actor_id, event_date FROM silver.events ORDER BY actor_id;', 2);
    assert.deepEqual(
      r.rows.map((x) => x['actor_id']),
      ['a', 'b'],
    );
    assert.equal(r.truncated, true);
    assert.deepEqual(
      r.columns.map((c) => c.name),
      ['actor_id', 'event_date'],
    );
    assert.deepEqual(r.tables, [{ table: 'silver.events', version: 1 }]);
    const all = await engine.sql('WITH x AS (SELECT count(*) AS n FROM silver.events) SELECT n FROM x', 10);
    assert.deepEqual([all.rows, all.truncated], [[{ n: 3 }], false]);
  });

  it('explains a SELECT (EXPLAIN and EXPLAIN ANALYZE); what follows EXPLAIN is gated like any SQL', async () => {
    for (const sql of [
      'EXPLAIN SELECT count(*) FROM silver.events',
      'explain analyze SELECT count(*) FROM silver.events',
    ]) {
      const r = await engine.sql(sql, 100);
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['explain_key', 'explain_value'],
        sql,
      );
      assert.match(
        String(r.rows[0]!['explain_value']),
        /silver_events|SEQ_SCAN|READ_PARQUET|PARQUET_SCAN|TABLE_SCAN/i,
        sql,
      );
      assert.deepEqual(r.tables, [{ table: 'silver.events', version: 1 }]);
    }
    await assert.rejects(
      engine.sql(`EXPLAIN SELECT * FROM read_text('/etc/hostname')`, 10),
      (e: unknown) => e instanceof SqlRefusedError && /table function read_text/.test(e.message),
    );
    await assert.rejects(
      engine.sql(`EXPLAIN COPY (SELECT 1) TO '/tmp/x.csv'`, 10),
      (e: unknown) => e instanceof SqlRefusedError && /only a single SELECT/.test(e.message),
    );
  });

  it("a statement that fails as it runs is SqlFailedError with DuckDB's message; odd values come back as JSON", async () => {
    for (const sql of [
      "SELECT 'abc'::INT",
      "SELECT error('boom')",
      "SELECT count(*) FROM silver.events WHERE timestamp > 'notadate'",
    ])
      await assert.rejects(
        engine.sql(sql, 10),
        (e: unknown) => e instanceof SqlFailedError && e.message.length > 0 && !/SELECT \* FROM \(/.test(e.message),
        sql,
      );
    const r = await engine.sql("SELECT INTERVAL 3 DAY AS i, 1e400::DOUBLE AS inf, 'a' || chr(0) || 'b' AS nul", 10);
    assert.doesNotThrow(() => JSON.stringify(r.rows), 'every value serialisable');
    assert.equal(r.rows.length, 1);
    assert.equal(r.rows[0]!['nul'], 'a\u0000b');
  });

  it('writes each type in a JSON form that keeps what it is (times, dates, blobs, infinities, big integers)', async () => {
    const r = await engine.sql(
      `SELECT TIME '12:34:56.789' AS t, DATE '2026-01-02' AS d, 'ab'::BLOB AS b, 'infinity'::DOUBLE AS inf,
        '-infinity'::DOUBLE AS ninf, 'nan'::DOUBLE AS nan, TIMESTAMP '2026-01-02 03:04:05.678' AS ts,
        TIMESTAMPTZ '2026-01-02 05:04:05+02' AS tz, TIMESTAMP '1969-12-31 23:59:59.9995' AS before_epoch,
        'infinity'::DATE AS dinf, '-infinity'::TIMESTAMP AS tsninf, 'infinity'::TIMESTAMPTZ AS tzinf,
        12345678901234567890::HUGEINT AS huge, 42::BIGINT AS n, 1.25::DECIMAL(10,2) AS dec, INTERVAL 90 MINUTE AS i,
        [DATE '2026-03-04'] AS dates, {'at': TIMESTAMP '2026-01-02 03:04:05'} AS s, NULL AS nothing`,
      10,
    );
    assert.deepEqual(r.rows[0], {
      t: '12:34:56.789',
      d: '2026-01-02',
      b: 'ab',
      inf: 'Infinity',
      ninf: '-Infinity',
      nan: 'NaN',
      ts: '2026-01-02T03:04:05.678Z',
      tz: '2026-01-02T03:04:05.000Z',
      before_epoch: '1969-12-31T23:59:59.999Z',
      dinf: 'infinity',
      tsninf: '-infinity',
      tzinf: 'infinity',
      huge: '12345678901234567890',
      n: 42,
      dec: 1.25,
      i: { months: 0, days: 0, micros: 5_400_000_000 },
      dates: ['2026-03-04'],
      s: { at: '2026-01-02T03:04:05.000Z' },
      nothing: null,
    });
  });

  it('quotes the SQL as written in an error, not the statement Lens wraps it in', async () => {
    await assert.rejects(engine.sql('SELECT nosuchcol FROM silver.events', 10), (e: unknown) => {
      const message = (e as Error).message;
      assert.match(message, /LINE 1: SELECT nosuchcol FROM silver\.events/, message);
      assert.doesNotMatch(message, /DESCRIBE|SELECT \* FROM \(/, message);
      // The caret still points at the column it names.
      const [line, caret] = message.split('\n').slice(-2);
      assert.equal(line!.slice(caret!.indexOf('^'), caret!.indexOf('^') + 9), 'nosuchcol', message);
      return true;
    });
  });

  for (const [what, sql, message] of [
    ['read_csv of a system file', `SELECT * FROM read_csv('/etc/passwd')`, /table function read_csv/],
    ['read_parquet of a lake file', `SELECT * FROM read_parquet('${'x'}')`, /table function read_parquet/],
    ['glob', `SELECT * FROM glob('/*')`, /table function glob/],
    [
      'a table function in a subquery',
      `SELECT (SELECT count(*) FROM read_text('/etc/hostname'))`,
      /table function read_text/,
    ],
    ['COPY … TO', `COPY (SELECT 1) TO '/tmp/x.csv'`, /only a single SELECT/],
    ['ATTACH', `ATTACH '/tmp/x.db'`, /only a single SELECT/],
    ['INSTALL', `INSTALL httpfs`, /only a single SELECT/],
    ['LOAD', `LOAD httpfs`, /only a single SELECT/],
    ['SET', `SET enable_external_access = true`, /only a single SELECT/],
    ['PRAGMA', `PRAGMA threads = 1`, /only a single SELECT/],
    ['CREATE', `CREATE TABLE t AS SELECT 1`, /only a single SELECT/],
    ['two statements', `SELECT 1; SELECT 2`, /exactly one SELECT/],
    ['an unknown table', `SELECT * FROM gold.nope`, /^table gold\.nope does not exist in the lake \(tables: /],
    ["DuckDB's catalog (view definitions name the lake's files)", `SELECT sql FROM duckdb_views`, /DuckDB's catalog/],
    ['information_schema', `SELECT * FROM information_schema.tables`, /DuckDB's catalog/],
    ['a catalog view in a subquery', `SELECT (SELECT count(*) FROM duckdb_tables)`, /DuckDB's catalog/],
  ] as const) {
    it(`refuses ${what}`, async () => {
      await assert.rejects(
        engine.sql(sql, 10),
        (e: unknown) => e instanceof SqlRefusedError && message.test(e.message),
      );
    });
  }

  it('interrupts a query over its time budget', async () => {
    const slow =
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 1000000000) SELECT count(*) FROM t';
    await assert.rejects(engine.sql(slow, 10), QueryTimeoutError);
    assert.equal((await engine.sql('SELECT 1 AS one', 10)).rows[0]!['one'], 1);
  });

  it('a statement needing more memory than a session may use fails with DuckDB’s reason; the session still answers', async () => {
    const small = await InsightEngine.create({ dataDir, timeoutMs: 10_000, sqlMemoryLimitBytes: 64 * 2 ** 20 });
    try {
      await assert.rejects(
        small.sql(
          // ~200 MB of text from a short series: fails in well under a second (a 20M-element series took 11-14 s to
          // build on a loaded machine, past the time budget, before memory ran out).
          "SELECT length(string_agg(repeat('x', 1000), '')) AS n FROM (SELECT unnest(generate_series(1, 200000)) AS x)",
          10,
        ),
        (e: unknown) => e instanceof SqlFailedError && /out of memory/i.test(e.message),
      );
      assert.equal((await small.sql('SELECT count(*) AS n FROM silver.events', 10)).rows[0]!['n'], 3);
    } finally {
      await small.close();
    }
  });

  it('a statement running into its time budget does not hold the others (they answer before it ends)', async () => {
    const slow =
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 1000000000) SELECT count(*) FROM t';
    // Its own engine with a 5-s budget: the quick statement has seconds to answer first, even on a busy machine.
    const patient = await InsightEngine.create({ dataDir, timeoutMs: 5_000 });
    try {
      const order: string[] = [];
      const running = patient.sql(slow, 10).then(
        () => order.push('slow'),
        () => order.push('slow'),
      );
      const quick = await patient.sql('SELECT count(*) AS n FROM silver.events', 10);
      order.push('quick');
      await running;
      assert.deepEqual(order, ['quick', 'slow']);
      assert.equal(quick.rows[0]!['n'], 3);
    } finally {
      await patient.close();
    }
  });

  it('the session underneath refuses files outside the lake, COPY, ATTACH, extensions and settings by itself', async () => {
    const db = await createLockedDuckDB(join(dataDir, 'lake'));
    try {
      for (const sql of [
        `SELECT * FROM read_csv('/etc/passwd')`,
        `COPY (SELECT 1) TO '/tmp/lens-x.csv'`,
        `ATTACH '/tmp/lens-x.db'`,
        `INSTALL httpfs`,
        `LOAD httpfs`,
        `SET enable_external_access = true`,
        `PRAGMA threads = 1`,
        `SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')`,
      ]) {
        await assert.rejects(db.run(sql), /disabled|locked|Permission/, sql);
      }
    } finally {
      db.close();
    }
  });
});
