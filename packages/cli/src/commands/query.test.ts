// `lens query` and `lens delta inspect` end to end in a child process (as the CLI runs them): delta_scan over a
// real table, every output format, DuckDB errors with exit code 1, and the inspect report.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { DeltaTable } from '@lens/lake';
import { LENS_BIN } from '../testing/lens-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const runner = `
import { Command } from 'commander';
import { registerQueryCommand } from ${JSON.stringify(join(here, 'query.js'))};
import { registerDeltaCommand } from ${JSON.stringify(join(here, 'delta.js'))};
const program = new Command('lens'); registerQueryCommand(program); registerDeltaCommand(program);
await program.parseAsync(process.argv.slice(1).filter((a, i) => !(i === 0 && a === '--')), { from: 'user' });`;
const lens = (...args: string[]) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', runner, '--', ...args], { cwd: here, encoding: 'utf8' });

it('lens query reads Delta tables through delta_scan in json, csv and table formats; lens delta inspect reports', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-cli-'));
  const t = await DeltaTable.open(dir);
  await t.create({
    columns: [
      { name: 'day', type: 'date' },
      { name: 'name', type: 'string' },
      { name: 'n', type: 'long' },
    ],
    partitionColumns: ['day'],
  });
  await t.append({
    rows: [
      { day: '2024-01-01', name: 'a,"b"', n: 1 },
      { day: '2024-01-02', name: 'c', n: 2 },
    ],
  });
  await t.append({ rows: [{ day: '2024-01-02', name: 'd', n: 3 }] });
  const q = `SELECT day, name, n FROM delta_scan('${dir}') ORDER BY n`;
  const json = lens('query', q, '--format', 'json');
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), [
    { day: '2024-01-01', name: 'a,"b"', n: 1 },
    { day: '2024-01-02', name: 'c', n: 2 },
    { day: '2024-01-02', name: 'd', n: 3 },
  ]);
  const v1 = lens('query', `SELECT count(*) AS c FROM delta_scan('${dir}', version => 1)`, '--format', 'json');
  assert.deepEqual(JSON.parse(v1.stdout), [{ c: 2 }]);
  const csv = lens('query', q, '--format', 'csv');
  assert.equal(csv.stdout, 'day,name,n\n2024-01-01,"a,""b""",1\n2024-01-02,c,2\n2024-01-02,d,3\n');
  const table = lens('query', q);
  assert.match(table.stdout, /\| day +\| name +\| n \|/);
  assert.match(table.stdout, /\(3 rows\)/);
  const bad = lens('query', 'SELECT * FROM no_such_table');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Catalog Error: Table with name no_such_table does not exist/);
  const inspect = lens('delta', 'inspect', dir, '--json');
  assert.equal(inspect.status, 0, inspect.stderr);
  const report = JSON.parse(inspect.stdout);
  assert.equal(report.version, 2);
  assert.equal(report.rows, 3);
  assert.equal(report.files, 3);
  assert.deepEqual(report.partitionColumns, ['day']);
  assert.deepEqual(
    report.history.map((h: { operation: string }) => h.operation),
    ['WRITE', 'WRITE', 'CREATE TABLE'],
  );
  const old = lens('delta', 'inspect', dir, '--version', '1');
  assert.match(old.stdout, /version: +1\n/);
  assert.match(old.stdout, /rows: +2\n/);
});

it('lens query shows TIMESTAMPTZ results in UTC, the zone queries run in, whatever the machine zone (nested too); infinities as such', () => {
  const out = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      runner,
      '--',
      'query',
      `SELECT TIMESTAMPTZ '2026-01-02 10:00:00.1234+00' AS t, TIMESTAMPTZ '1969-12-31 23:59:59.5+00' AS u,
        'infinity'::TIMESTAMPTZ AS tz_inf, '-infinity'::TIMESTAMPTZ AS tz_ninf, 'infinity'::DATE AS d_inf,
        '-infinity'::DATE AS d_ninf, DATE '2026-01-02' AS d,
        [TIMESTAMPTZ '2026-01-02 10:00:00+00'] AS nested_t, {'n': 9007199254740993::BIGINT, 'l': [1::BIGINT]} AS nested_n`,
      '--format',
      'json',
    ],
    { cwd: here, encoding: 'utf8', env: { ...process.env, TZ: 'America/Los_Angeles' } },
  );
  assert.equal(out.status, 0, out.stderr);
  // The infinities as DuckDB writes them (the node client's text gave their raw microseconds and day numbers).
  assert.deepEqual(JSON.parse(out.stdout), [
    {
      t: '2026-01-02 10:00:00.1234+00',
      u: '1969-12-31 23:59:59.5+00',
      tz_inf: 'infinity',
      tz_ninf: '-infinity',
      d_inf: 'infinity',
      d_ninf: '-infinity',
      d: '2026-01-02',
      // Inside lists and structs the same: a TIMESTAMPTZ in UTC (not the machine's zone), whole numbers as numbers.
      nested_t: ['2026-01-02 10:00:00+00'],
      nested_n: { n: 9007199254740992, l: [1] },
    },
  ]);
  assert.match(out.stdout, /"nested_n":\{"n":9007199254740993,"l":\[1\]\}/, 'every digit of the nested integer');
});

it('lens query piped into head stops quietly when the reader goes away (exit 0, no EPIPE stack)', async () => {
  const data = await mkdtemp(join(tmpdir(), 'lens-cli-epipe-'));
  for (const format of ['table', 'json', 'csv']) {
    const out = spawnSync(
      'bash',
      [
        '-c',
        `"$0" "$1" query 'SELECT range AS n FROM range(300000)' --format ${format} --data "$2" | head -c 64 >/dev/null; echo "status=\${PIPESTATUS[0]}"`,
        process.execPath,
        LENS_BIN,
        data,
      ],
      { encoding: 'utf8' },
    );
    assert.match(out.stdout, /status=0/, `${format}: ${out.stderr}`);
    assert.doesNotMatch(out.stderr, /EPIPE|Unhandled/, format);
  }
});

it('lens query writes an INTERVAL as DuckDB does (`01:30:00`), not as its months/days/micros parts (nested too)', () => {
  const q = `SELECT INTERVAL 90 MINUTE AS i, INTERVAL '1 year 2 days 00:00:01.5' AS j, INTERVAL '-5 hours' AS k,
    [INTERVAL 1 SECOND] AS l`;
  const json = lens('query', q, '--format', 'json');
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), [
    { i: '01:30:00', j: '1 year 2 days 00:00:01.5', k: '-05:00:00', l: ['00:00:01'] },
  ]);
  const csv = lens('query', q, '--format', 'csv');
  assert.equal(csv.stdout, 'i,j,k,l\n01:30:00,1 year 2 days 00:00:01.5,-05:00:00,"[""00:00:01""]"\n');
  assert.match(lens('query', q).stdout, /\| 01:30:00 +\| 1 year 2 days 00:00:01\.5 \|/);
});

it('lens query refuses a text holding no statement (exit 1), instead of printing nothing with exit 0', () => {
  for (const text of ['', '   ', ';', '/* nothing */']) {
    const out = lens('query', text);
    assert.equal(out.status, 1, `${JSON.stringify(text)}: ${out.stdout}`);
    assert.match(out.stderr, /no SQL statement/, JSON.stringify(text));
  }
});
