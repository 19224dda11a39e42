// bench/delta-week.mjs: a table committed to every second, on its first day and after a week, in the same run.
// After a week such a table carries the tombstones of every file compaction removed in the last 7 days (Delta keeps
// them in each checkpoint for delta.deletedFileRetentionDuration): ~600,000 at a commit a second; and its
// _delta_log holds a file per commit (30 days of them are kept). Both tables are built as logs (a commit adding the
// files, one removing them, then commits of commitInfo only) with the real checkpoint writer; then, on each:
//   1. 100 appends (one checkpoint among them at delta.checkpointInterval=100), and the reload after each
//      (what the loader does at every commit); then 100 more with the checkpoint in the background;
//   2. another process's first load (an empty cache), and its first read of the tombstones;
//   3. latestTableVersion (what Prism's lanes poll), and a listing of _delta_log (what every load cost before).
// The baseline is the first-day table. Usage: node bench/delta-week.mjs [tombstones=600000] [logFiles=300000]
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile, mkdir, readFile, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DeltaTable, createDuckDB, createFsObjectStore, latestTableVersion, loadSnapshot, loadTombstones, maintenanceIdle } from '@lens/lake';

const tombstones = Number(process.argv[2] ?? 600_000);
const logFiles = Number(process.argv[3] ?? 300_000);
const root = await mkdtemp(join(tmpdir(), 'lens-bench-week-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pad = (v) => String(v).padStart(20, '0');
const schemaString = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'n', type: 'long', nullable: true, metadata: {} },
    { name: 'day', type: 'date', nullable: true, metadata: {} },
  ],
});

async function buildTable(name, files, commits) {
  const dir = join(root, name);
  const log = join(dir, '_delta_log');
  await mkdir(log, { recursive: true });
  const now = Date.now();
  const paths = Array.from({ length: files }, (_, i) => `day=2026-11-${String(1 + (i % 28)).padStart(2, '0')}/part-00000-${randomUUID()}.c000.snappy.parquet`);
  const value = (p) => ({ day: p.slice(4, 14) });
  const first = [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: randomUUID(), format: { provider: 'parquet', options: {} }, schemaString, partitionColumns: ['day'], configuration: { 'delta.checkpointInterval': '100' }, createdTime: now } },
    ...paths.map((p) => ({ add: { path: p, partitionValues: value(p), size: 20_000, modificationTime: now, dataChange: true } })),
  ];
  await writeFile(join(log, `${pad(0)}.json`), first.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const removed = paths.map((p) => ({ remove: { path: p, deletionTimestamp: now, dataChange: false, extendedFileMetadata: true, partitionValues: value(p), size: 20_000 } }));
  await writeFile(join(log, `${pad(1)}.json`), removed.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const sql = await createDuckDB();
  await (await DeltaTable.open(dir, { sql })).checkpoint(); // of version 1
  sql.close();
  for (let v = 2; v < commits; v += 1000)
    await Promise.all(
      Array.from({ length: Math.min(1000, commits - v) }, (_, i) =>
        writeFile(join(log, `${pad(v + i)}.json`), JSON.stringify({ commitInfo: { timestamp: now, operation: 'WRITE' } }) + '\n'),
      ),
    );
  // Commits of commitInfo alone leave the state as it was: version 1's checkpoint is also the last version's.
  const last = commits - 1;
  await copyFile(join(log, `${pad(1)}.checkpoint.parquet`), join(log, `${pad(last)}.checkpoint.parquet`));
  const hint = JSON.parse(await readFile(join(log, '_last_checkpoint'), 'utf8'));
  await writeFile(join(log, '_last_checkpoint'), JSON.stringify({ ...hint, version: last }));
  return dir;
}

async function measure(label, dir) {
  const sql = await createDuckDB();
  const out = { label };
  try {
    const store = createFsObjectStore(dir);
    let t0 = performance.now();
    const cold = await loadSnapshot(store, sql, undefined, {});
    out.coldLoadMs = performance.now() - t0;
    t0 = performance.now();
    out.tombstones = (await loadTombstones(cold, sql)).length; // what a checkpoint writer or VACUUM reads first
    out.tombstoneReadMs = performance.now() - t0;
    out.version = cold.version;
    const table = await DeltaTable.open(dir, { sql });
    await table.snapshot();
    const appends = [];
    const reloads = [];
    for (let i = 0; i < 100; i++) {
      t0 = performance.now();
      await table.append({ sql: `SELECT ${i}::BIGINT AS n, DATE '2026-11-28' AS day` });
      const t1 = performance.now();
      await table.snapshot();
      appends.push(t1 - t0);
      reloads.push(performance.now() - t1);
    }
    out.appendMeanMs = mean(appends);
    out.appendMaxMs = Math.max(...appends);
    out.reloadMedianMs = median(reloads);
    // The same with the checkpoint and log clean-up off the commit path (what the loader and Prism's outputs use).
    const background = await DeltaTable.open(dir, { sql, maintenance: 'background' });
    const bgAppends = [];
    for (let i = 0; i < 100; i++) {
      t0 = performance.now();
      await background.append({ sql: `SELECT ${i}::BIGINT AS n, DATE '2026-11-28' AS day` });
      bgAppends.push(performance.now() - t0);
      await background.snapshot();
    }
    out.bgAppendMeanMs = mean(bgAppends);
    out.bgAppendMaxMs = Math.max(...bgAppends);
    t0 = performance.now();
    await maintenanceIdle();
    out.bgIdleMs = performance.now() - t0;
    const polls = [];
    for (let i = 0; i < 10; i++) {
      t0 = performance.now();
      await latestTableVersion(dir);
      polls.push(performance.now() - t0);
    }
    out.pollMedianMs = median(polls);
    const lists = [];
    for (let i = 0; i < 3; i++) {
      t0 = performance.now();
      await store.list('_delta_log/', { startAfter: `_delta_log/${pad(out.version)}` });
      lists.push(performance.now() - t0);
    }
    out.listMedianMs = median(lists);
    const names = await readdir(join(dir, '_delta_log'));
    const checkpoint = names.filter((n) => n.endsWith('.checkpoint.parquet')).sort().at(-1);
    out.checkpointMb = (await stat(join(dir, '_delta_log', checkpoint))).size / 1e6;
    out.logFiles = names.length;
  } finally {
    sql.close();
  }
  return out;
}

try {
  console.log(`building: first day (100 tombstones, 100 log files) and a week (${tombstones} tombstones, ${logFiles} log files)…`);
  const day = await measure('first day', await buildTable('day', 100, 100));
  const week = await measure('a week', await buildTable('week', tombstones, logFiles));
  const row = (name, key, digits = 1) =>
    console.log(`| ${name} | ${day[key].toFixed(digits)} | ${week[key].toFixed(digits)} | ${(week[key] / day[key]).toFixed(1)}× |`);
  console.log('| measure | first day | a week | ratio |\n|---|---|---|---|');
  console.log(`| tombstones / log files | ${day.tombstones} / ${day.logFiles} | ${week.tombstones} / ${week.logFiles} | |`);
  row('reload after a commit, median ms', 'reloadMedianMs', 2);
  row('append (one checkpoint per 100), mean ms', 'appendMeanMs');
  row('append, slowest ms (the checkpoint)', 'appendMaxMs');
  row('append with background maintenance, mean ms', 'bgAppendMeanMs');
  row('append with background maintenance, slowest ms', 'bgAppendMaxMs');
  row('background checkpoint still running after the 100th append, ms', 'bgIdleMs');
  row('another process\'s first load ms', 'coldLoadMs');
  row('then reading its tombstones (a checkpoint writer, VACUUM) ms', 'tombstoneReadMs');
  row('latestTableVersion ms', 'pollMedianMs', 2);
  row('listing _delta_log ms (each load before)', 'listMedianMs');
  row('checkpoint MB', 'checkpointMb', 2);
} finally {
  await rm(root, { recursive: true, force: true });
}
