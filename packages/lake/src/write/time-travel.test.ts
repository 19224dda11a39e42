// Time travel by timestamp (commit file times), and metadata clean-up that keeps the log reconstructible.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DeltaTable } from '../delta-table.js';
import { VersionNotFoundError } from '../errors.js';
import { overStore } from '../testing/over-store.js';
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
  await assert.rejects(
    t.snapshot({ timestamp: day(0) }),
    (e: unknown) =>
      e instanceof VersionNotFoundError &&
      e.message ===
        'timestamp 2023-12-31T00:00:00.000Z is before the earliest commit still in the log (version 0 at 2024-01-01T00:00:00.000Z)',
  );
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

it('log clean-up keeps the newest checkpoints and one an hour (last day) or a day (before); every version still loads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-thin-'));
  const t = await DeltaTable.open(dir);
  // Clean-up after each checkpoint is off while the test sets the checkpoints' times, then run by hand.
  await t.create({
    columns: [{ name: 'n', type: 'long' }],
    properties: { 'delta.checkpointInterval': '2', 'delta.enableExpiredLogCleanup': 'false' },
  });
  for (let i = 1; i <= 20; i++) await t.append({ rows: [{ n: i }] });
  const checkpointPath = (v: number) => join(dir, '_delta_log', `${String(v).padStart(20, '0')}.checkpoint.parquet`);
  const now = Date.now();
  const dayStart = Math.floor(now / 86400_000) * 86400_000;
  const at = async (v: number, ms: number) => utimes(checkpointPath(v), ms / 1000, ms / 1000);
  // Checkpoints 2, 4: one day three days ago; 6: two days ago; 8, 10: one hour, five hours ago; 12–20: now.
  await at(2, dayStart - 3 * 86400_000 + 1000);
  await at(4, dayStart - 3 * 86400_000 + 2000);
  await at(6, dayStart - 2 * 86400_000);
  const hour = Math.floor((now - 5 * 3600_000) / 3600_000) * 3600_000;
  await at(8, hour + 1000);
  await at(10, hour + 2000);
  const snapshot = await t.snapshot();
  const deleted = await cleanupExpiredLogs(t.store, snapshot.metadata, now);
  assert.deepEqual(
    deleted.map((k) => Number(k.slice('_delta_log/'.length, '_delta_log/'.length + 20))),
    [4, 10, 14],
    'the second of a day, of an hour, and of the current hour but for the newest three (16, 18, 20)',
  );
  const left = (await readdir(join(dir, '_delta_log'))).filter((n) => n.endsWith('.checkpoint.parquet'));
  assert.deepEqual(
    left.map((n) => Number(n.slice(0, 20))),
    [2, 6, 8, 12, 16, 18, 20],
  );
  for (let v = 0; v <= 20; v++) assert.equal((await t.query({ version: v })).length, v, `version ${v}`);
});

it('log clean-up reads the log by name and asks only checkpoints for their times', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-clean-names-'));
  const t = await DeltaTable.open(dir);
  await t.create({
    columns: [{ name: 'n', type: 'long' }],
    properties: { 'delta.checkpointInterval': '5', 'delta.enableExpiredLogCleanup': 'false' },
  });
  for (let i = 1; i <= 25; i++) await t.append({ rows: [{ n: i }] });
  const old = new Date(Date.now() - 40 * 86400_000);
  for (let v = 0; v <= 10; v++) await utimes(commitPath(dir, v), old, old);
  await utimes(join(dir, '_delta_log', '00000000000000000010.checkpoint.parquet'), old, old);
  const asked = { list: 0, head: 0 };
  const store = t.store;
  const counting = overStore(store, {
    list: (prefix) => {
      asked.list++;
      return store.list(prefix);
    },
    head: (key) => {
      asked.head++;
      return store.head(key);
    },
  });
  const deleted = await cleanupExpiredLogs(counting, (await t.snapshot()).metadata);
  assert.deepEqual(asked, { list: 0, head: 5 }, 'the five checkpoints, nothing else');
  // Commits 0–9 and checkpoint 5, before the expired checkpoint 10; 15, 20 and 25 are the newest three.
  assert.equal(deleted.length, 11);
  assert.equal((await t.query()).length, 25);
});

it('time travel to a time read off history() reads that very version', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lens-tt-hist-'));
  const t = await DeltaTable.open(dir);
  await t.create({ columns: [{ name: 'n', type: 'long' }] });
  for (const n of [1, 2, 3]) await t.append({ rows: [{ n }] });
  // Commit files carry sub-millisecond times; versions 2 and 3 landed in the same millisecond.
  const base = Date.UTC(2024, 0, 1) / 1000;
  for (const [v, s] of [
    [0, base + 0.0103],
    [1, base + 1.2346],
    [2, base + 2.0004],
    [3, base + 2.0007],
  ] as const)
    await utimes(commitPath(dir, v), s, s);
  const entries = await t.history();
  assert.deepEqual(
    entries.map((h) => h.version),
    [3, 2, 1, 0],
  );
  for (const h of entries) {
    const asOf = new Date(h.timestamp).toISOString(); // what a user copies from `lens history`
    assert.equal((await t.snapshot({ timestamp: asOf })).version, h.version, `as of ${asOf}`);
    assert.equal((await t.query({ timestamp: asOf })).length, h.version, `rows as of ${asOf}`);
  }
  // One millisecond before a version's time is the version before it.
  assert.equal((await t.snapshot({ timestamp: new Date(entries[2]!.timestamp - 1) })).version, 0);
});
