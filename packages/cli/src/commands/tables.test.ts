// The lake's own tables through the real `lens` binary: query by name (with time travel and the read-only
// gate), `lens tables`, `lens history` and `lens vacuum`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DeltaTable, LakeCatalog } from '@lens/lake';
import { LENS_BIN } from '../testing/lens-process.js';

const data = join(mkdtempSync(join(tmpdir(), 'lens-tables-')), 'data');
const lens = (...args: string[]) =>
  spawnSync(process.execPath, [LENS_BIN, ...args, '--data', data], { encoding: 'utf8' });

before(async () => {
  const catalog = new LakeCatalog(join(data, 'lake'));
  const events = await DeltaTable.open(catalog.tablePath('bronze.events'));
  await events.create({
    columns: [
      { name: 'message_id', type: 'string' },
      { name: 'type', type: 'string' },
      { name: 'event_date', type: 'date' },
    ],
    partitionColumns: ['event_date'],
  });
  await events.append({
    rows: [
      { message_id: 'm1', type: 'track', event_date: '2026-11-25' },
      { message_id: 'm2', type: 'page', event_date: '2026-11-26' },
    ],
  });
  await events.append({ rows: [{ message_id: 'm3', type: 'track', event_date: '2026-11-26' }] });
});

it('lens tables, history and vacuum on a directory without a lake say so (exit 1), not an empty list', () => {
  for (const args of [['tables'], ['history', 'bronze.events'], ['vacuum']]) {
    const out = spawnSync(process.execPath, [LENS_BIN, ...args, '--data', join(data, 'no-such-dir')], {
      encoding: 'utf8',
    });
    assert.equal(out.status, 1, args.join(' '));
    assert.match(out.stderr, /no lake in .*no-such-dir: check --data/, args.join(' '));
  }
});

describe('lens query over the lake', () => {
  it('resolves bronze.events by name and prints a JSON array of row objects', () => {
    const out = lens(
      'query',
      "SELECT type, count(*) AS n FROM bronze.events WHERE event_date = DATE '2026-11-26' GROUP BY 1 ORDER BY 1",
      '--format',
      'json',
    );
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), [
      { type: 'page', n: 1 },
      { type: 'track', n: 1 },
    ]);
  });

  it('travels in time with --as-of VERSION', () => {
    const out = lens('query', 'SELECT count(*) AS n FROM bronze.events', '--format', 'json', '--as-of', '1');
    assert.deepEqual(JSON.parse(out.stdout), [{ n: 2 }]);
    const bad = lens('query', 'SELECT 1', '--as-of', 'last tuesday');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--as-of: "last tuesday" is neither a table version nor a timestamp/);
    const negative = lens('query', 'SELECT 1', '--as-of', '-1');
    assert.equal(negative.status, 1);
    assert.match(negative.stderr, /--as-of: "-1": a table version is 0 or more/);
    assert.match(
      lens('query', 'SELECT 1', '--as-of', '12 monkeys').stderr,
      /is neither a table version nor a timestamp/,
    );
    // A time in the future (a mistyped year) is refused rather than silently read as the latest version.
    const future = lens('query', 'SELECT count(*) AS n FROM bronze.events', '--as-of', '2300-01-01');
    assert.equal(future.status, 1);
    assert.match(future.stderr, /--as-of: 2300-01-01T00:00:00\.000Z is in the future \(now 20\d\d-/);
  });

  it('reads an --as-of time without a zone as UTC, whatever the machine zone', () => {
    // Now, written without a zone: read as UTC it is after every commit (the latest version, 3 rows); read in
    // Tokyo's zone it would be 9 hours before the table existed.
    const unzoned = new Date().toISOString().replace('T', ' ').replace('Z', '');
    const out = spawnSync(
      process.execPath,
      [
        LENS_BIN,
        'query',
        'SELECT count(*) AS n FROM bronze.events',
        '--format',
        'json',
        '--as-of',
        unzoned,
        '--data',
        data,
      ],
      { encoding: 'utf8', env: { ...process.env, TZ: 'Asia/Tokyo' } },
    );
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), [{ n: 3 }], `as of ${unzoned} (UTC)`);
  });

  it('explains a SELECT over lake tables (EXPLAIN and EXPLAIN ANALYZE); EXPLAIN of a write is refused', () => {
    const plan = lens('query', 'EXPLAIN SELECT count(*) FROM bronze.events');
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /^┌/, 'the plan as DuckDB draws it');
    assert.match(plan.stdout, /READ_PARQUET/);
    const analyzed = lens('query', 'explain analyze SELECT count(*) FROM bronze.events', '--format', 'json');
    assert.equal(analyzed.status, 0, analyzed.stderr);
    assert.equal((JSON.parse(analyzed.stdout) as unknown[]).length, 1);
    const write = lens('query', 'EXPLAIN DELETE FROM bronze.events');
    assert.equal(write.status, 1);
    assert.match(write.stderr, /read-only: only SELECT queries/);
  });

  it('is read-only, names unknown tables, and shows DuckDB errors with exit code 1', () => {
    const write = lens('query', 'DELETE FROM bronze.events');
    assert.equal(write.status, 1);
    assert.match(write.stderr, /read-only: only SELECT queries/);
    const unknown = lens('query', 'SELECT * FROM gold.kpi_daily');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /table gold\.kpi_daily does not exist .*\(tables: bronze\.events\)/);
    const sqlError = lens('query', 'SELECT no_such_column FROM bronze.events');
    assert.equal(sqlError.status, 1);
    assert.match(sqlError.stderr, /Binder Error.*no_such_column/s);
    const two = lens('query', 'SELECT 1; SELECT 2');
    assert.equal(two.status, 1);
    assert.match(two.stderr, /one statement at a time: this text holds 2/);
    // A syntax error reads as DuckDB words it when it runs the statement: kind, message, the line and a caret.
    const syntax = lens('query', 'SELECT 1,\nSELEC 2');
    assert.equal(syntax.status, 1);
    assert.match(syntax.stderr, /Parser Error: syntax error at or near "2"\n\nLINE 2: SELEC 2\n {14}\^/);
  });
});

describe('lens tables and lens history', () => {
  it('lists tables with version, files, rows and size', () => {
    const out = lens('tables', '--format', 'json');
    assert.equal(out.status, 0, out.stderr);
    const [row] = JSON.parse(out.stdout);
    assert.equal(row.table, 'bronze.events');
    assert.equal(row.version, 2);
    assert.equal(row.files, 3);
    assert.equal(row.rows, 3);
    assert.ok(row.size_bytes > 0);
    assert.ok(Date.parse(row.last_commit) > 0);
  });

  it('shows the commit history, newest first; unknown tables are an error', () => {
    const out = lens('history', 'bronze.events', '--format', 'json');
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(
      JSON.parse(out.stdout).map((h: { version: number; operation: string }) => [h.version, h.operation]),
      [
        [2, 'WRITE'],
        [1, 'WRITE'],
        [0, 'CREATE TABLE'],
      ],
    );
    const upper = lens('history', 'BRONZE.Events', '--format', 'json'); // case-insensitive, as in SQL
    assert.equal(upper.status, 0, upper.stderr);
    assert.equal(JSON.parse(upper.stdout).length, 3);
    const missing = lens('history', 'silver.nope');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /table silver\.nope does not exist/);
  });
});

describe('lens vacuum', () => {
  it("deletes the files compaction left once they are past the retention; never below the table's without --force", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lens-vacuum-')), 'data');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [LENS_BIN, ...args, '--data', dir, '--format', 'json'], { encoding: 'utf8' });
    const table = await DeltaTable.open(new LakeCatalog(join(dir, 'lake')).tablePath('bronze.events'));
    await table.create({ columns: [{ name: 'message_id', type: 'string' }] });
    for (const id of ['m1', 'm2', 'm3']) await table.append({ rows: [{ message_id: id }] });
    await table.optimize(); // three small files → one; the three stay on disk for older versions
    const parquet = async (): Promise<number> =>
      (await readdir(join(dir, 'lake', 'bronze', 'events'))).filter((f) => f.endsWith('.parquet')).length;
    assert.equal(await parquet(), 4);

    const kept = run('vacuum'); // the default retention (7 days): the files are minutes old
    assert.equal(kept.status, 0, kept.stderr);
    assert.deepEqual(JSON.parse(kept.stdout), [{ table: 'bronze.events', deleted_files: 0 }]);
    const unsafe = run('vacuum', 'BRONZE.EVENTS', '--retention-hours', '0');
    assert.equal(unsafe.status, 1);
    assert.match(
      unsafe.stderr,
      /retention 0h is shorter than the table's 168h; force it to proceed \(lens vacuum --force\)/,
    );
    const dry = run('vacuum', '--retention-hours', '0', '--force', '--dry-run');
    const listed = JSON.parse(dry.stdout) as { table: string; would_delete: string }[];
    assert.equal(listed.length, 3, dry.stdout);
    for (const row of listed) {
      assert.equal(row.table, 'bronze.events');
      assert.match(row.would_delete, /\.parquet$/);
    }
    assert.equal(await parquet(), 4);
    const done = run('vacuum', 'bronze.events', '--retention-hours', '0', '--force');
    assert.deepEqual(JSON.parse(done.stdout), [{ table: 'bronze.events', deleted_files: 3 }]);
    assert.equal(await parquet(), 1);
    assert.equal((await table.query()).length, 3); // the current version reads whole
  });
});
