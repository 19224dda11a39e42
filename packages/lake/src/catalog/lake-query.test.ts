// Lake tables by name in SQL: views over snapshots, data skipping from the query's own conditions, time
// travel, the read-only gate, and clear errors for unknown tables.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { createDuckDB, type DuckDBSession } from '../duckdb/sql.js';
import { LakeCatalog } from './lake-catalog.js';
import { prepareLakeQuery } from './lake-query.js';
import { compareCodePoints } from '../scan/data-skipping.js';
import { analyzeQuery, referencePredicate } from './sql-analysis.js';

let db: DuckDBSession;
let catalog: LakeCatalog;

before(async () => {
  db = await createDuckDB();
  catalog = new LakeCatalog(join(mkdtempSync(join(tmpdir(), 'lens-catalog-')), 'lake'));
  const events = await DeltaTable.open(catalog.tablePath('bronze.events'), { sql: db });
  await events.create({
    columns: [
      { name: 'id', type: 'long' },
      { name: 'type', type: 'string' },
      { name: 'ts', type: 'timestamp' },
      { name: 'event_date', type: 'date' },
    ],
    partitionColumns: ['event_date'],
  });
  for (const day of ['2026-01-01', '2026-01-02', '2026-01-03']) {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      id: i,
      type: i % 2 ? 'track' : 'page',
      ts: `${day}T0${i % 10}:00:00Z`,
      event_date: day,
    }));
    await events.append({ rows });
  }
  const users = await DeltaTable.open(catalog.tablePath('silver.users'), { sql: db });
  await users.create({
    columns: [
      { name: 'id', type: 'long' },
      { name: 'name', type: 'string' },
    ],
  });
  await users.append({
    rows: [
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ],
  });
});
after(() => db.close());

describe('LakeCatalog', () => {
  it('lists existing tables and maps names to directories', async () => {
    assert.deepEqual(await catalog.tables(), ['bronze.events', 'silver.users']);
    assert.equal(catalog.tablePath('gold.kpi_daily'), join(catalog.root, 'gold', 'kpi_daily'));
    assert.throws(() => catalog.tablePath('platinum.x'), /unknown layer "platinum"/);
    assert.throws(() => catalog.tablePath('events'), /expected layer\.name/);
  });
});

describe('prepareLakeQuery', () => {
  it('registers views so plain SQL reads tables by name, skipping files by partition', async () => {
    const text = "SELECT count(*) AS n FROM bronze.events WHERE event_date = DATE '2026-01-02' AND type = 'track'";
    const [registered] = await prepareLakeQuery(catalog, db, text);
    assert.deepEqual(registered, { table: 'bronze.events', version: 3, filesRead: 1, filesTotal: 3 });
    assert.deepEqual(await db.all(text), [{ n: 5n }]);
  });

  it('skips by column stats on a time range, with BETWEEN and a table alias in a join', async () => {
    const text =
      "SELECT e.id, u.name FROM bronze.events e JOIN silver.users u ON u.id = e.id WHERE e.ts BETWEEN TIMESTAMPTZ '2026-01-03 00:00:00+00' AND TIMESTAMPTZ '2026-01-03 23:00:00+00' ORDER BY 1";
    const registered = await prepareLakeQuery(catalog, db, text);
    assert.deepEqual(
      registered.map((r) => [r.table, r.filesRead]),
      [
        ['bronze.events', 1],
        ['silver.users', 1],
      ],
    );
    assert.deepEqual(await db.all(text), [
      { id: 1n, name: 'one' },
      { id: 2n, name: 'two' },
    ]);
  });

  it('compares decimal literals by their value and leaves value-changing casts to DuckDB', async () => {
    // Each day's file holds ids 0..9: every file matches, and each answer is DuckDB's own.
    for (const [where, n] of [
      ['id >= 8.5', 3n],
      ['id BETWEEN 0.5 AND 2.5', 6n],
      ['id = 5.7::INT', 3n], // 6
      ['id < -0.5', 0n],
    ] as const) {
      const text = `SELECT count(*) AS n FROM bronze.events WHERE ${where}`;
      await prepareLakeQuery(catalog, db, text);
      assert.deepEqual(await db.all(text), [{ n }], where);
    }
  });

  it('a date column against a time of day gets the rows DuckDB gives, typed timestamp or string', async () => {
    // DuckDB compares a date with a TIMESTAMP as its midnight, with a string as the string's date.
    for (const [where, n] of [
      ["event_date < TIMESTAMP '2026-01-02 12:00:00'", 20n],
      ["event_date <= TIMESTAMP '2026-01-02 12:00:00'", 20n],
      ["event_date > TIMESTAMP '2026-01-01 12:00:00'", 20n],
      ["event_date = TIMESTAMP '2026-01-02 12:00:00'", 0n],
      ["event_date != TIMESTAMP '2026-01-02 12:00:00'", 30n],
      ["event_date < TIMESTAMPTZ '2026-01-03 01:00:00+02'", 20n],
      ["event_date < '2026-01-02 12:00:00'", 10n],
      ["event_date = '2026-01-02 12:00:00'", 10n],
      ["event_date >= '2026-01-02 12:00:00'", 20n],
    ] as const) {
      const text = `SELECT count(*) AS n FROM bronze.events WHERE ${where}`;
      await prepareLakeQuery(catalog, db, text);
      assert.deepEqual(await db.all(text), [{ n }], where);
    }
  });

  it('resolves table names case-insensitively, as DuckDB does', async () => {
    const text = "SELECT count(*) AS n FROM BRONZE.Events E WHERE E.event_date = DATE '2026-01-02'";
    const [registered] = await prepareLakeQuery(catalog, db, text);
    assert.deepEqual([registered?.table, registered?.filesRead], ['bronze.events', 1]);
    assert.deepEqual(await db.all(text), [{ n: 10n }]);
  });

  it('orders strings by code point, as the engines do, for skipping', () => {
    assert.ok('zz\u{1F600}' < 'zz\uFF01'); // JavaScript: by UTF-16 unit
    assert.ok(compareCodePoints('zz\u{1F600}', 'zz\uFF01') > 0); // UTF-8 bytes / code points
    assert.equal(compareCodePoints('abc', 'abc'), 0);
    assert.ok(compareCodePoints('ab', 'abc') < 0);
  });

  it('reads every file when a read of the table has no usable condition', async () => {
    const text =
      "SELECT count(*) AS n FROM (SELECT * FROM bronze.events WHERE event_date = '2026-01-01' UNION ALL SELECT * FROM bronze.events)";
    const [registered] = await prepareLakeQuery(catalog, db, text);
    assert.equal(registered?.filesRead, 3);
    assert.deepEqual(await db.all(text), [{ n: 40n }]);
  });

  it('travels in time with a version or a timestamp', async () => {
    const text = 'SELECT count(*) AS n FROM bronze.events';
    await prepareLakeQuery(catalog, db, text, { version: 1 });
    assert.deepEqual(await db.all(text), [{ n: 10n }]);
    await prepareLakeQuery(catalog, db, text, { timestamp: new Date(Date.now() + 60_000) });
    assert.deepEqual(await db.all(text), [{ n: 30n }]);
    // One version for every table of the query: the error names the table it does not fit.
    await assert.rejects(
      prepareLakeQuery(catalog, db, 'SELECT * FROM bronze.events, silver.users', { version: 3 }),
      /^InvalidInputError: silver\.users: /,
    );
  });

  it('refuses anything but SELECT, and names unknown tables with the ones that exist', async () => {
    await assert.rejects(prepareLakeQuery(catalog, db, 'DELETE FROM bronze.events'), /read-only: only SELECT queries/);
    await assert.rejects(prepareLakeQuery(catalog, db, "COPY (SELECT 1) TO '/tmp/x.csv'"), /read-only/);
    await assert.rejects(
      prepareLakeQuery(catalog, db, 'SELECT * FROM gold.nope'),
      /table gold\.nope does not exist .*\(tables: bronze\.events, silver\.users\)/,
    );
    await assert.rejects(prepareLakeQuery(catalog, db, 'SELEC 1'), /syntax error/i);
  });
});

describe('analyzeQuery', () => {
  it('finds conditions on unqualified columns only when one lake table is in the FROM', async () => {
    const [single] = await analyzeQuery(db, "SELECT 1 FROM bronze.events WHERE '2026-01-02' <= event_date AND id > 3");
    assert.deepEqual(referencePredicate(single!), {
      and: [
        { column: 'event_date', op: '>=', value: '2026-01-02' },
        { column: 'id', op: '>', value: 3 },
      ],
    });
    const joined = await analyzeQuery(db, 'SELECT 1 FROM bronze.events JOIN silver.users USING (id) WHERE id = 1');
    assert.ok(joined.every((r) => referencePredicate(r) === undefined));
  });
});
