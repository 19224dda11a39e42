// Time travel by timestamp (commit file times), and metadata clean-up that keeps the log reconstructible.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { VersionNotFoundError } from '../errors.js';
import { cleanupExpiredLogs } from './log-cleanup.js';

const commitPath = (dir: string, v: number) => join(dir, '_delta_log', `${String(v).padStart(20, '0')}.json`);

it('snapshot({ timestamp }) picks the latest version committed at or before it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-tt-'));
  const t = await DeltaTable.open(dir);
  await t.create({ columns: [{ name: 'n', type: 'long' }] });
  await t.append({ rows: [{ n: 1 }] });
  await t.append({ rows: [{ n: 2 }] });
  const day = (d: number) => new Date(Date.UTC(2024, 0, d));
  for (const v of [0, 1, 2]) await utimes(commitPath(dir, v), day(v + 1), day(v + 1));
  assert.equal((await t.snapshot({ timestamp: day(2) })).version, 1);
  assert.equal((await t.snapshot({ timestamp: new Date(day(2).getTime() + 3600_000) })).version, 1);
  assert.equal((await t.snapshot({ timestamp: '2024-01-03T00:00:00Z' })).version, 2);
  assert.equal((await t.query({ timestamp: day(2) })).length, 1);
  await assert.rejects(t.snapshot({ timestamp: day(0) }), VersionNotFoundError);
});

it('log clean-up removes only expired files before an expired checkpoint, and the table still loads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-clean-'));
  const t = await DeltaTable.open(dir);
  await t.create({ columns: [{ name: 'n', type: 'long' }] });
  for (let i = 0; i < 12; i++) await t.append({ rows: [{ n: i }] });
  const snapshot = await t.snapshot();
  const old = new Date(Date.now() - 40 * 86400_000);
  for (let v = 0; v <= 10; v++) await utimes(commitPath(dir, v), old, old);
  await utimes(join(dir, '_delta_log', '00000000000000000010.checkpoint.parquet'), old, old);
  const deleted = await cleanupExpiredLogs(t.store, snapshot.metadata);
  assert.equal(deleted.length, 10);
  const left = (await readdir(join(dir, '_delta_log'))).filter((n) => n.endsWith('.json'));
  assert.deepEqual(
    left.map((n) => Number(n.slice(0, 20))),
    [10, 11, 12],
  );
  assert.equal((await t.query()).length, 12);
  await assert.rejects(t.snapshot({ version: 5 }), VersionNotFoundError);
});
