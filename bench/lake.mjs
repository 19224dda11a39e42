// bench/lake.mjs: the Delta library against baselines measured in the same run.
//  1. append 1M event rows through @lens/lake vs DuckDB writing the same rows to plain Parquet (goal <= 1.2x)
//  2. snapshot load of a 10,000-commit table without and with a checkpoint, as a new process (goal <= 200 ms with),
//     and again in a process that has loaded it
//  3. a one-day time-range query on a 1,000-file partitioned table, with data skipping vs reading every file
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DeltaTable, createDuckDB, createFsObjectStore, loadSnapshot, where } from '@lens/lake';

const root = await mkdtemp(join(tmpdir(), 'lens-bench-lake-'));
const db = await createDuckDB();
const ms = (t0) => performance.now() - t0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${x.toFixed(0)} ms`;

// Event-shaped rows: what the loader appends to bronze.events.
const EVENTS = `SELECT uuid()::VARCHAR AS event_id, TIMESTAMPTZ '2026-01-01 00:00:00+00' + INTERVAL (i * 37 % 86400000) MILLISECOND AS ts,
  DATE '2026-01-01' AS day, 'user-' || (i % 50000) AS user_id, ['page','track','identify'][1 + i % 3] AS type,
  'event_' || (i % 40) AS event, '{"path":"/p/' || (i % 900) || '","ref":"x"}' AS properties, (i % 1000) / 10.0 AS value
  FROM range(1000000) t(i)`;
const COLUMNS = [
  { name: 'event_id', type: 'string' }, { name: 'ts', type: 'timestamp' }, { name: 'day', type: 'date' }, { name: 'user_id', type: 'string' },
  { name: 'type', type: 'string' }, { name: 'event', type: 'string' }, { name: 'properties', type: 'string' }, { name: 'value', type: 'double' },
];

try {
  // 1. Append throughput.
  await db.run(`CREATE TABLE src AS ${EVENTS}`);
  const plain = [];
  const lake = [];
  // Interleaved, alternating which goes first, because the machine is shared and timings are noisy.
  for (let i = 0; i < 5; i++) {
    const runPlain = async () => {
      const t0 = performance.now();
      await db.run(`COPY (SELECT * FROM src) TO '${join(root, `plain-${i}`)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day), ROW_GROUP_SIZE 131072)`);
      plain.push(ms(t0));
    };
    const runLake = async () => {
      const table = await DeltaTable.open(join(root, `lake-${i}`), { sql: db });
      await table.create({ columns: COLUMNS, partitionColumns: ['day'] });
      const t0 = performance.now();
      await table.append({ sql: 'SELECT * FROM src' }, { txn: { appId: 'bench', version: 1 } });
      lake.push(ms(t0));
    };
    if (i % 2 === 0) { await runPlain(); await runLake(); } else { await runLake(); await runPlain(); }
  }
  const ratio1 = median(lake) / median(plain);
  console.log(`append 1M rows: lake ${fmt(median(lake))}, plain Parquet ${fmt(median(plain))}, ratio ${ratio1.toFixed(2)}x (goal <= 1.2x)`);

  // 2. Snapshot load over 10,000 commits.
  const logDir = join(root, 'long-log');
  await mkdir(join(logDir, '_delta_log'), { recursive: true });
  const meta = { id: 'bench', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify({ type: 'struct', fields: COLUMNS.map((c) => ({ ...c, nullable: true, metadata: {} })) }), partitionColumns: ['day'], configuration: {}, createdTime: 0 };
  const commitFile = (v) => join(logDir, '_delta_log', `${String(v).padStart(20, '0')}.json`);
  const addLine = (v) => JSON.stringify({ add: { path: `day=2026-01-01/part-${v}.parquet`, partitionValues: { day: '2026-01-01' }, size: 1000, modificationTime: v, dataChange: true, stats: '{"numRecords":10,"minValues":{"value":0},"maxValues":{"value":9},"nullCount":{"value":0}}' } });
  await writeFile(commitFile(0), `${JSON.stringify({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } })}\n${JSON.stringify({ metaData: meta })}\n`);
  for (let v = 1; v < 10000; v += 500) await Promise.all(Array.from({ length: Math.min(500, 10000 - v) }, (_, k) => writeFile(commitFile(v + k), `${JSON.stringify({ commitInfo: { operation: 'WRITE' } })}\n${addLine(v + k)}\n`)));
  const longTable = await DeltaTable.open(logDir, { sql: db });
  const noCkpt = [];
  // Each load with a cache of its own (`{}`), as a new process: a DeltaTable's shared cache would answer from the
  // state it already holds (see the third figure).
  const logStore = createFsObjectStore(logDir);
  for (let i = 0; i < 3; i++) { const t0 = performance.now(); const s = await loadSnapshot(logStore, db, 9999, {}); noCkpt.push(ms(t0)); if (s.files.length !== 9999) throw new Error('bad replay'); }
  // Checkpoint at 9990 (as the 10-commit cadence would), 9 commits after it.
  await longTable.snapshot({ version: 9990 });
  {
    // Public API: checkpoint() writes at the latest version, so hide the last 9 commits while it runs.
    const { rename } = await import('node:fs/promises');
    for (let v = 9991; v < 10000; v++) await rename(commitFile(v), `${commitFile(v)}.hidden`);
    await longTable.checkpoint();
    for (let v = 9991; v < 10000; v++) await rename(`${commitFile(v)}.hidden`, commitFile(v));
  }
  const withCkpt = [];
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); const s = await loadSnapshot(logStore, db, undefined, {}); withCkpt.push(ms(t0)); if (s.files.length !== 9999) throw new Error('bad checkpoint replay'); }
  const held = [];
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); const s = await longTable.snapshot(); held.push(ms(t0)); if (s.files.length !== 9999) throw new Error('bad cached load'); }
  console.log(`snapshot load, 10,000 commits, as a new process: without checkpoint ${fmt(median(noCkpt))}, with checkpoint ${fmt(median(withCkpt))} (goal <= 200 ms), speed-up ${(median(noCkpt) / median(withCkpt)).toFixed(1)}x; again in the same process ${median(held).toFixed(1)} ms`);

  // 3. Data skipping on a 1,000-file partitioned table (100 days x 10 appends).
  const skipTable = await DeltaTable.open(join(root, 'skip'), { sql: db });
  await skipTable.create({ columns: COLUMNS, partitionColumns: ['day'] });
  for (let a = 0; a < 10; a++) {
    await skipTable.append({ sql: `SELECT event_id, TIMESTAMPTZ '2026-01-01 00:00:00+00' + INTERVAL (d) DAY + INTERVAL (k * 86) SECOND AS ts, DATE '2026-01-01' + d::INT AS day,
      user_id, type, event, properties, value FROM (SELECT *, (row_number() OVER () - 1) AS rn FROM src LIMIT 100000) s, LATERAL (SELECT rn % 100 AS d, rn // 100 AS k)` });
  }
  const predicate = where.between('ts', '2026-02-10T00:00:00Z', '2026-02-11T00:00:00Z');
  const skipped = [];
  const full = [];
  let plan;
  let fullPlan;
  for (let i = 0; i < 3; i++) {
    let t0 = performance.now();
    plan = await skipTable.scan({ predicate });
    const a = await db.all(`SELECT count(*) AS n FROM (${plan.sql})`);
    skipped.push(ms(t0));
    t0 = performance.now();
    fullPlan = await skipTable.scan();
    const b = await db.all(`SELECT count(*) AS n FROM (${fullPlan.sql}) WHERE ts >= TIMESTAMPTZ '2026-02-10 00:00:00+00' AND ts < TIMESTAMPTZ '2026-02-11 00:00:00+00'`);
    full.push(ms(t0));
    if (a[0].n !== b[0].n) throw new Error(`skipping changed the answer: ${a[0].n} vs ${b[0].n}`);
  }
  console.log(`time-range query, ${fullPlan.filesTotal} files: with skipping ${plan.filesRead} files in ${fmt(median(skipped))}, without ${fullPlan.filesRead} files in ${fmt(median(full))}, speed-up ${(median(full) / median(skipped)).toFixed(1)}x`);
} finally {
  db.close();
  await rm(root, { recursive: true, force: true });
}
