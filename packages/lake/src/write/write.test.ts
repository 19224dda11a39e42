// Write path against real DuckDB and a real directory: round trip of every type, partition encoding,
// exactly-once txn, overwrite/delete/optimize/add-columns/vacuum/history, checkpoints, the log's JSON.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile, mkdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { readParquetActions } from '../log/checkpoint-reader.js';
import { writeCheckpoint } from './checkpoint-writer.js';
import { where } from '../scan/predicate.js';
import { sharedDuckDB, type Sql } from '../duckdb/sql.js';
import { createFsObjectStore } from '../storage/fs/fs-object-store.js';
import { VersionNotFoundError } from '../errors.js';

const tempTable = async () => DeltaTable.open(await mkdtemp(join(tmpdir(), 'lens-tbl-')));
const logLines = async (dir: string, v: number) =>
  (await readFile(join(dir, '_delta_log', `${String(v).padStart(20, '0')}.json`), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);

describe('writing tables', () => {
  it('round-trips every supported type, nested ones included', async () => {
    const t = await tempTable();
    await t.create({
      columns: [
        { name: 's', type: 'string' },
        { name: 'l', type: 'long' },
        { name: 'i', type: 'integer' },
        { name: 'sh', type: 'short' },
        { name: 'b', type: 'byte' },
        { name: 'f', type: 'float' },
        { name: 'd', type: 'double' },
        { name: 'dec', type: 'decimal(12,3)' },
        { name: 'bool', type: 'boolean' },
        { name: 'bin', type: 'binary' },
        { name: 'dt', type: 'date' },
        { name: 'ts', type: 'timestamp' },
        {
          name: 'st',
          type: { type: 'struct', fields: [{ name: 'x', type: 'integer', nullable: true, metadata: {} }] },
        },
        { name: 'arr', type: { type: 'array', elementType: 'string', containsNull: true } },
        { name: 'm', type: { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true } },
      ],
    });
    const v = await t.append({
      sql: `SELECT 'héllo' AS s, 9007199254740993::BIGINT AS l, -5 AS i, 7 AS sh, -1 AS b, 1.5 AS f, 2.25 AS d,
      123456789.125 AS dec, true AS bool, '\\x00\\xFF'::BLOB AS bin, DATE '2024-02-29' AS dt, TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS ts,
      {'x': 4} AS st, ['a', NULL] AS arr, MAP {'k': 1} AS m UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`,
    });
    assert.deepEqual(v, { status: 'committed', version: 1 });
    await assert.rejects(t.create({ columns: [{ name: 's', type: 'string' }] }), /already exists/);
    const rows = await t.sql
      .all(`SELECT s, l::VARCHAR AS l, i, sh, b, f, d, dec::VARCHAR AS dec, bool, hex(bin) AS bin, dt::VARCHAR AS dt, ts::VARCHAR AS ts,
      st.x AS sx, arr, m['k'] AS mk FROM (${(await t.scan()).sql}) ORDER BY s NULLS LAST`);
    assert.deepEqual(rows[0], {
      s: 'héllo',
      l: '9007199254740993',
      i: -5,
      sh: 7,
      b: -1,
      f: 1.5,
      d: 2.25,
      dec: '123456789.125',
      bool: true,
      bin: '00FF',
      dt: '2024-02-29',
      ts: '2024-01-02 03:04:05.123456+00',
      sx: 4,
      arr: ['a', null],
      mk: 1n,
    });
    assert.ok(Object.values(rows[1]!).every((x) => x === null));
    const stats = JSON.parse((await t.snapshot()).files[0]!.stats!);
    assert.equal(stats.numRecords, 2);
    assert.equal(stats.minValues.l, 9007199254740992); // 2^53 + 1 as JSON.parse reads it; the exact digits are in the text
    assert.match((await t.snapshot()).files[0]!.stats!, /"l":9007199254740993/);
    assert.equal(stats.minValues.ts, '2024-01-02T03:04:05.123Z');
    assert.equal(stats.minValues.dt, '2024-02-29');
    assert.deepEqual(stats.nullCount.st, { x: 1 });
    assert.equal(stats.minValues.bool, undefined);
  });

  it('partitions by date with null and special-character values, Spark-style paths', async () => {
    const t = await tempTable();
    await t.create({
      columns: [
        { name: 'day', type: 'date' },
        { name: 'k', type: 'string' },
        { name: 'n', type: 'long' },
      ],
      partitionColumns: ['day', 'k'],
    });
    await t.append({
      rows: [
        { day: '2024-01-01', k: 'a b/c%', n: 1 },
        { day: '2024-01-01', k: null, n: 2 },
        { day: null, k: 'x', n: 3 },
        { day: '2024-01-02', k: 'a b/c%', n: 4 },
      ],
    });
    const s = await t.snapshot();
    assert.equal(s.files.length, 4);
    const f = s.files.find((x) => x.partitionValues['k'] === 'a b/c%' && x.partitionValues['day'] === '2024-01-01')!;
    assert.match(f.path, /^day=2024-01-01\/k=a%20b%252Fc%2525\/part-00000-[0-9a-f-]{36}\.c000\.zstd\.parquet$/);
    assert.ok(s.files.some((x) => x.partitionValues['k'] === null && x.path.includes('k=__HIVE_DEFAULT_PARTITION__')));
    const rows = await t.query();
    assert.deepEqual(
      rows.map((r) => `${r['day'] === null ? null : (r['day'] as any).toString?.()}|${r['k']}|${r['n']}`).length,
      4,
    );
    const one = await t.query({ predicate: where.eq('k', 'a b/c%') });
    assert.deepEqual(one.map((r) => Number(r['n'])).sort(), [1, 4]);
    assert.equal((await t.scan({ predicate: where.eq('k', 'a b/c%') })).filesRead, 2);
  });

  it('an empty string partition value is written as null, as the protocol reads it (Spark and delta-kernel too)', async () => {
    const t = await tempTable();
    await t.create({
      columns: [
        { name: 'k', type: 'string' },
        { name: 'n', type: 'long' },
      ],
      partitionColumns: ['k'],
    });
    await t.append({
      rows: [
        { k: '', n: 1 },
        { k: null, n: 2 },
        { k: 'x', n: 3 },
      ],
    });
    const s = await t.snapshot();
    const empty = s.files.filter((x) => x.partitionValues['k'] !== 'x');
    assert.ok(empty.length >= 1);
    for (const f of empty) {
      assert.equal(f.partitionValues['k'], null);
      assert.match(f.path, /^k=__HIVE_DEFAULT_PARTITION__\//);
    }
    const rows = await t.query();
    assert.deepEqual(rows.map((r) => `${r['k']}|${r['n']}`).sort(), ['null|1', 'null|2', 'x|3']);
  });

  it('timestamp partition values keep their microseconds (the rows read them from the log)', async () => {
    const t = await tempTable();
    await t.create({
      columns: [
        { name: 'n', type: 'long' },
        { name: 'ts', type: 'timestamp' },
        { name: 'ntz', type: 'timestamp_ntz' },
      ],
      partitionColumns: ['ts', 'ntz'],
    });
    await t.append({
      sql: `SELECT 1::BIGINT AS n, TIMESTAMPTZ '2024-01-01 10:00:00.123456+00' AS ts, TIMESTAMP '1969-12-31 23:59:59.000001' AS ntz`,
    });
    const [add] = (await t.snapshot()).files;
    assert.deepEqual(add!.partitionValues, { ts: '2024-01-01T10:00:00.123456Z', ntz: '1969-12-31 23:59:59.000001' });
    assert.deepEqual(await t.sql.all(`SELECT ts::VARCHAR AS ts, ntz::VARCHAR AS ntz FROM (${(await t.scan()).sql})`), [
      { ts: '2024-01-01 10:00:00.123456+00', ntz: '1969-12-31 23:59:59.000001' },
    ]);
  });

  it('a retried txn (appId, version) commits nothing', async () => {
    const t = await tempTable();
    await t.create({ columns: [{ name: 'n', type: 'long' }] });
    const batch = { rows: [{ n: 1 }, { n: 2 }] };
    assert.deepEqual(await t.append(batch, { txn: { appId: 'loader', version: 7 } }), {
      status: 'committed',
      version: 1,
    });
    assert.deepEqual(await t.append(batch, { txn: { appId: 'loader', version: 7 } }), {
      status: 'already-committed',
      version: 1,
    });
    assert.deepEqual(await t.append(batch, { txn: { appId: 'loader', version: 6 } }), {
      status: 'already-committed',
      version: 1,
    });
    assert.equal((await t.query()).length, 2);
    assert.equal((await t.snapshot()).txns.get('loader')?.version, 7);
  });

  it('a query whose columns the caller declares is written without describing it, and a wrong declaration fails', async () => {
    const shared = await sharedDuckDB();
    let describes = 0;
    const sql: Sql = {
      all: (q) => shared.all(q),
      run: (q) => shared.run(q),
      describe: (q) => (describes++, shared.describe(q)),
    };
    const t = await DeltaTable.open(await mkdtemp(join(tmpdir(), 'lens-tbl-')), { sql });
    await t.create({
      columns: [
        { name: 'n', type: 'long', nullable: false },
        { name: 's', type: 'string' },
      ],
    });
    const query = 'SELECT range AS n, range::VARCHAR AS s FROM range(3)';
    await t.append({ sql: query, columns: ['n', 's'] });
    assert.equal(describes, 0);
    // Declaring fewer columns than the query yields writes only the declared ones (nullable `s` becomes NULL).
    await t.append({ sql: "SELECT 7 AS n, 'x' AS s", columns: ['n'] });
    assert.equal(describes, 0);
    assert.deepEqual(
      (await t.query()).map((r) => [Number(r['n']), r['s']]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [0, '0'],
        [1, '1'],
        [2, '2'],
        [7, null],
      ],
    );
    // A declared name the query lacks, and one the table lacks, both fail and commit nothing.
    await assert.rejects(t.append({ sql: 'SELECT 1 AS n', columns: ['n', 's'] }), /Binder Error: Column "s"/);
    await assert.rejects(t.append({ sql: query, columns: ['n', 's', 'zz'] }), /columns the table lacks: zz/);
    assert.equal((await t.snapshot()).version, 2);
    // Undeclared, the query is described (one statement more per append; reading the table above described too).
    const before = describes;
    await t.append({ sql: query });
    assert.equal(describes, before + 1);
  });

  it('tiered optimize packs the small files and leaves a large one alone; plain optimize rewrites it', async () => {
    for (const tiered of [true, false]) {
      const t = await tempTable();
      await t.create({ columns: [{ name: 'n', type: 'long' }] });
      await t.append({ sql: 'SELECT range AS n FROM range(0, 200000)' });
      const [large] = (await t.snapshot()).files;
      for (let i = 0; i < 3; i++) await t.append({ sql: `SELECT ${i} AS n` });
      const opt = await t.optimize({ tiered });
      const files = (await t.snapshot()).files;
      if (tiered) {
        assert.deepEqual([opt.filesRemoved, opt.filesAdded, files.length], [3, 1, 2]);
        assert.ok(files.some((f) => f.path === large!.path));
      } else {
        assert.deepEqual([opt.filesRemoved, opt.filesAdded, files.length], [4, 1, 1]);
      }
      assert.equal((await t.query()).length, 200003);
    }
  });

  it('tiered optimize after every few appends rewrites a fraction of what plain optimize does, in a few files', async () => {
    const run = async (tiered: boolean): Promise<{ files: number; bytesRewritten: number }> => {
      const t = await tempTable();
      await t.create({ columns: [{ name: 'n', type: 'long' }] });
      let bytesRewritten = 0;
      for (let round = 0; round < 24; round++) {
        // Four appends of the same size (values that do not compress away), then a compaction, as the loader does.
        for (let i = 0; i < 4; i++) {
          const from = (round * 4 + i) * 1000;
          await t.append({ sql: `SELECT (hash(range) % 1000000000)::BIGINT AS n FROM range(${from}, ${from + 1000})` });
        }
        const before = (await t.snapshot()).files;
        await t.optimize({ tiered });
        const kept = new Set((await t.snapshot()).files.map((f) => f.path));
        bytesRewritten += before.filter((f) => !kept.has(f.path)).reduce((sum, f) => sum + f.size, 0);
      }
      assert.equal((await t.query()).length, 96_000);
      return { files: (await t.snapshot()).files.length, bytesRewritten };
    };
    const plain = await run(false);
    const tiered = await run(true);
    assert.equal(plain.files, 1);
    assert.ok(tiered.files <= 5, `${tiered.files} files`);
    // Plain rewrites the growing file at every round (quadratic); tiered about log2(rounds) times per byte.
    assert.ok(tiered.bytesRewritten < plain.bytesRewritten / 2, JSON.stringify({ plain, tiered }));
  });

  it('overwrite, delete-where, add columns, optimize, history and vacuum', async () => {
    const t = await tempTable();
    const dir = t.store.description;
    await t.create({
      columns: [
        { name: 'day', type: 'date' },
        { name: 'n', type: 'long' },
      ],
      partitionColumns: ['day'],
    });
    for (let i = 0; i < 4; i++)
      await t.append({
        sql: `SELECT DATE '2024-01-01' + (${i} % 2) AS day, range AS n FROM range(${i * 10}, ${i * 10 + 10})`,
      });
    assert.equal((await t.snapshot()).files.length, 4);
    const del = await t.delete(where.gte('n', 35));
    assert.equal(del.deletedRows, 5);
    assert.deepEqual(
      (await t.query()).map((r) => Number(r['n'])).sort((a, b) => a - b),
      Array.from({ length: 35 }, (_, i) => i),
    );
    await t.addColumns([{ name: 'note', type: 'string' }]);
    await t.append({ rows: [{ day: '2024-01-01', n: 100, note: 'new' }] });
    const opt = await t.optimize();
    assert.equal(opt.filesAdded, 2);
    const after = await t.snapshot();
    assert.equal(after.files.length, 2);
    const rows = await t.query();
    assert.equal(rows.length, 36);
    assert.equal(rows.find((r) => Number(r['n']) === 100)?.['note'], 'new');
    assert.equal(rows.filter((r) => r['note'] === null).length, 35);
    const optCommit = await logLines(dir, opt.commit!.version);
    assert.ok(
      optCommit.filter((a) => a['add'] || a['remove']).every((a) => (a['add'] ?? a['remove']).dataChange === false),
    );
    const ops = (await t.history()).map((h) => h.operation);
    assert.deepEqual(ops, [
      'OPTIMIZE',
      'WRITE',
      'ADD COLUMNS',
      'DELETE',
      'WRITE',
      'WRITE',
      'WRITE',
      'WRITE',
      'CREATE TABLE',
    ]);
    assert.equal((await t.history())[1]!.isBlindAppend, true);
    await t.append({ rows: [{ day: '2024-01-03', n: 1 }] }, { mode: 'overwrite' });
    assert.equal((await t.query()).length, 1);
    await assert.rejects(t.vacuum({ retentionHours: 0 }), /shorter than the table/);
    const dry = await t.vacuum({ retentionHours: 0, force: true, dryRun: true });
    assert.ok(dry.length >= 6);
    assert.deepEqual(await t.vacuum({ retentionHours: 0, force: true }), dry);
    assert.equal((await t.query()).length, 1);
    // Vacuum with zero retention removed the files older versions need: time travel there now fails.
    assert.equal((await t.snapshot({ version: 3 })).files.length, 3);
    await assert.rejects(
      t.query({ version: 3 }),
      (e: unknown) =>
        e instanceof VersionNotFoundError &&
        /^version 3 of .* can no longer be read: its data file day=2024-01-01\/part-[^ ]+\.parquet is gone \(deleted by VACUUM/.test(
          e.message,
        ),
    );
  });

  it("vacuum counts the retention from a file's removal, not from its write", async () => {
    const t = await tempTable();
    const dir = t.store.description;
    await t.create({ columns: [{ name: 'n', type: 'long' }] });
    await t.append({ rows: [{ n: 1 }] });
    await t.append({ rows: [{ n: 2 }] });
    // Files written 30 days ago (a lake that old), replaced by a compaction just now.
    const month = new Date(Date.now() - 30 * 86_400_000);
    for (const f of (await readdir(dir)).filter((name) => name.endsWith('.parquet')))
      await utimes(join(dir, f), month, month);
    const before = (await t.snapshot()).version;
    await t.optimize();
    // Default retention (7 days): version `before` still reads both files, so nothing goes …
    assert.deepEqual(await t.vacuum(), []);
    assert.equal((await t.query({ version: before })).length, 2);
    // … until 7 days after the removal.
    assert.equal((await t.vacuum({ now: Date.now() + 7 * 86_400_000 + 60_000, dryRun: true })).length, 2);
  });

  it('vacuum deletes in the directories of a partition column named with a leading underscore, as Spark does', async () => {
    const t = await tempTable();
    const dir = t.store.description;
    await t.create({
      columns: [
        { name: '_day', type: 'date' },
        { name: 'n', type: 'long' },
      ],
      partitionColumns: ['_day'],
    });
    await t.append({ rows: [{ _day: '2024-01-01', n: 1 }] });
    await t.append({ rows: [{ _day: '2024-01-01', n: 2 }] });
    await t.optimize();
    // Other hidden paths stay: a `_`/`.` file in a partition directory, and a hidden directory.
    await writeFile(join(dir, '_day=2024-01-01', '_SUCCESS'), '');
    await mkdir(join(dir, '_tmp'));
    await writeFile(join(dir, '_tmp', 'part-0.parquet'), '');
    const doomed = await t.vacuum({ retentionHours: 0, force: true, now: Date.now() + 60_000 });
    assert.equal(doomed.length, 2, `the two files optimize replaced: ${doomed.join(', ')}`);
    assert.ok(doomed.every((key) => /^_day=2024-01-01\/part-[^/]+\.parquet$/.test(key)));
    assert.deepEqual((await readdir(join(dir, '_day=2024-01-01'))).filter((f) => f.endsWith('.parquet')).length, 1);
    assert.deepEqual(await readdir(join(dir, '_tmp')), ['part-0.parquet']);
    assert.deepEqual((await t.query()).map((r) => Number(r['n'])).sort(), [1, 2]);
  });

  it("a checkpoint keeps tombstones for the table's own retention, so vacuum still spares what it protects", async () => {
    const t = await tempTable();
    const dir = t.store.description;
    await t.create({
      columns: [{ name: 'n', type: 'long' }],
      properties: { 'delta.deletedFileRetentionDuration': 'interval 30 days' },
    });
    await t.append({ rows: [{ n: 1 }] });
    await t.append({ rows: [{ n: 2 }] });
    const old = new Date(Date.now() - 40 * 86_400_000); // files written 40 days ago …
    for (const f of (await readdir(dir)).filter((name) => name.endsWith('.parquet')))
      await utimes(join(dir, f), old, old);
    const before = (await t.snapshot()).version;
    await t.optimize(); // … replaced now
    // Eight days on, a checkpoint is written (every 10th commit does it) and vacuum runs at the table's 30 days.
    const later = Date.now() + 8 * 86_400_000;
    await writeCheckpoint(t.store, t.sql, await t.snapshot(), later);
    assert.equal((await t.snapshot()).tombstones.length, 2);
    assert.deepEqual(await t.vacuum({ now: later }), []);
    assert.equal((await t.query({ version: before })).length, 2);
    // Past the 30 days they go.
    assert.equal((await t.vacuum({ now: Date.now() + 31 * 86_400_000, dryRun: true })).length, 2);
  });

  it("checkpoints every 10 commits in Spark's schema and reloads the same state from it", async () => {
    const t = await tempTable();
    const dir = t.store.description;
    await t.create({ columns: [{ name: 'n', type: 'long' }], partitionColumns: [] });
    for (let i = 0; i < 11; i++) await t.append({ rows: [{ n: i }] }, { txn: { appId: 'a', version: i } });
    const names = await readdir(join(dir, '_delta_log'));
    assert.ok(names.includes('00000000000000000010.checkpoint.parquet'));
    assert.equal(JSON.parse(await readFile(join(dir, '_delta_log', '_last_checkpoint'), 'utf8')).version, 10);
    const sql = await sharedDuckDB();
    const cols = await sql.describe(
      `SELECT * FROM read_parquet('${join(dir, '_delta_log', '00000000000000000010.checkpoint.parquet')}')`,
    );
    assert.deepEqual(
      cols.map((c) => c.name),
      ['txn', 'add', 'remove', 'metaData', 'protocol', 'domainMetadata'],
    );
    const actions = await readParquetActions(createFsObjectStore(dir), sql, [
      '_delta_log/00000000000000000010.checkpoint.parquet',
    ]);
    assert.equal(actions.filter((a) => a.add).length, 10);
    assert.equal(actions.find((a) => a.txn)?.txn?.version, 9);
    const s = await t.snapshot();
    assert.equal(s.version, 11);
    assert.deepEqual(
      (await t.query()).map((r) => Number(r['n'])).sort((a, b) => a - b),
      Array.from({ length: 11 }, (_, i) => i),
    );
  });

  it('writes log JSON exactly as the spec lays it out', async () => {
    const t = await tempTable();
    const dir = t.store.description;
    await t.create({
      columns: [
        { name: 'ts', type: 'timestamp', nullable: false },
        { name: 'p', type: 'string' },
      ],
      partitionColumns: ['p'],
      properties: { 'delta.appendOnly': 'true' },
    });
    const [ci, proto, meta] = await logLines(dir, 0);
    assert.equal(ci!['commitInfo'].operation, 'CREATE TABLE');
    assert.deepEqual(proto, { protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
    assert.deepEqual(Object.keys(meta!['metaData']).sort(), [
      'configuration',
      'createdTime',
      'description',
      'format',
      'id',
      'name',
      'partitionColumns',
      'schemaString',
    ]);
    assert.deepEqual(meta!['metaData'].format, { provider: 'parquet', options: {} });
    assert.deepEqual(JSON.parse(meta!['metaData'].schemaString), {
      type: 'struct',
      fields: [
        { name: 'ts', type: 'timestamp', nullable: false, metadata: {} },
        { name: 'p', type: 'string', nullable: true, metadata: {} },
      ],
    });
    await t.append({ rows: [{ ts: '2024-05-01T10:00:00.5Z', p: 'x' }] }, { txn: { appId: 'app', version: 1 } });
    const lines = await logLines(dir, 1);
    assert.deepEqual(
      lines.map((l) => Object.keys(l)[0]),
      ['commitInfo', 'txn', 'add'],
    );
    const add = lines[2]!['add'];
    assert.deepEqual(Object.keys(add).sort(), [
      'dataChange',
      'modificationTime',
      'partitionValues',
      'path',
      'size',
      'stats',
    ]);
    assert.deepEqual(add.partitionValues, { p: 'x' });
    assert.equal(typeof add.size, 'number');
    assert.equal(add.dataChange, true);
    assert.deepEqual(JSON.parse(add.stats), {
      numRecords: 1,
      minValues: { ts: '2024-05-01T10:00:00.500Z' },
      maxValues: { ts: '2024-05-01T10:00:00.500Z' },
      nullCount: { ts: 0 },
    });
    assert.deepEqual(Object.keys(lines[1]!['txn']).sort(), ['appId', 'lastUpdated', 'version']);
    assert.equal(lines[0]!['commitInfo'].readVersion, 0);
    assert.equal(lines[0]!['commitInfo'].isBlindAppend, true);
    await assert.rejects(t.delete("p = 'x'"), /append-only/);
    await assert.rejects(t.append({ rows: [{ ts: null, p: 'y' }] }), /NULL in non-nullable column ts/);
    assert.equal((await t.snapshot()).version, 1);
  });

  it('a crash mid-commit (staged files, temp log file, orphan data) leaves a readable table', async () => {
    const t = await tempTable();
    const dir = t.store.description;
    await t.create({ columns: [{ name: 'n', type: 'long' }] });
    await t.append({ rows: [{ n: 1 }] });
    await mkdir(join(dir, '_lens_staging', 'dead'), { recursive: true });
    await writeFile(join(dir, '_lens_staging', 'dead', 'part-x.parquet'), 'partial');
    await writeFile(join(dir, '_delta_log', '.lens-tmp-deadbeef'), '{"add":');
    await writeFile(join(dir, 'part-orphan.parquet'), 'not referenced');
    assert.equal((await t.snapshot()).version, 1);
    assert.deepEqual(
      (await t.query()).map((r) => Number(r['n'])),
      [1],
    );
    assert.deepEqual(await t.append({ rows: [{ n: 2 }] }), { status: 'committed', version: 2 });
    assert.deepEqual(await t.vacuum({ retentionHours: 0, force: true, dryRun: true }), ['part-orphan.parquet']);
  });
});
