// Several writer processes (appenders with txn ids, an optimizer, a deleter) commit to one table at once:
// afterwards no row is lost or duplicated, retried batches committed nothing, and the log is contiguous.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';

const run = promisify(execFile);
const worker = join(dirname(fileURLToPath(import.meta.url)), 'concurrency-worker.js');

it('concurrent appends, optimize and delete from separate processes lose and duplicate nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-conc-'));
  const table = await DeltaTable.open(dir);
  await table.create({
    columns: [
      { name: 'day', type: 'date' },
      { name: 'n', type: 'long' },
    ],
    partitionColumns: ['day'],
  });
  await table.append({ sql: `SELECT DATE '2024-01-01' + (range % 3)::INT AS day, range - 100 AS n FROM range(100)` });
  const roles: [string, number][] = [
    ['append', 1],
    ['append', 2],
    ['append', 3],
    ['optimize', 0],
    ['delete', 0],
  ];
  const results = await Promise.all(
    roles.map(async ([role, id]) => JSON.parse((await run(process.execPath, [worker, role, dir, String(id)])).stdout)),
  );
  for (const appender of results.slice(0, 3)) {
    const statuses = (appender as { status: string }[]).map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 'committed').length, 8);
    assert.equal(statuses.filter((s) => s === 'already-committed').length, 3);
  }
  assert.equal(results[4][0].deletedRows, 50);
  const compacted = (results[3] as { removed: number }[]).reduce((n, r) => n + r.removed, 0);
  assert.ok(compacted > 0, 'the optimizer compacted files while appends ran');
  const expected = [...Array.from({ length: 50 }, (_, i) => i - 50)];
  for (const w of [1, 2, 3]) for (let i = 0; i < 80; i++) expected.push(w * 1000 + i);
  const rows = (await table.query()).map((r) => Number(r['n'])).sort((a, b) => a - b);
  assert.deepEqual(
    rows,
    expected.sort((a, b) => a - b),
  );
  const log = (await readdir(join(dir, '_delta_log'))).filter((n) => /^\d{20}\.json$/.test(n)).sort();
  log.forEach((name, i) => assert.equal(Number(name.slice(0, 20)), i, 'versions are contiguous'));
  for (const name of log) {
    for (const line of (await readFile(join(dir, '_delta_log', name), 'utf8')).trim().split('\n')) JSON.parse(line);
  }
  const snapshot = await table.snapshot();
  for (const w of [1, 2, 3]) assert.equal(snapshot.txns.get(`writer-${w}`)?.version, 7);
});

it('an append given a snapshot that went stale builds on the commits made since (and honours their txns)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-stale-'));
  const table = await DeltaTable.open(dir);
  await table.create({ columns: [{ name: 'n', type: 'long' }] });
  const stale = await table.snapshot();
  await table.append({ sql: 'SELECT 1::BIGINT AS n' }, { txn: { appId: 'a', version: 1 } });
  const other = await DeltaTable.open(dir);
  const result = await other.append({ sql: 'SELECT 2::BIGINT AS n' }, { snapshot: stale });
  assert.equal(result.status, 'committed');
  assert.equal(result.version, 2);
  // The txn committed after the stale snapshot is seen by the retry: the same batch commits nothing.
  const again = await other.append(
    { sql: 'SELECT 1::BIGINT AS n' },
    { txn: { appId: 'a', version: 1 }, snapshot: stale },
  );
  assert.equal(again.status, 'already-committed');
  const rows = (await table.query()).map((r) => Number(r['n'])).sort();
  assert.deepEqual(rows, [1, 2]);
});
