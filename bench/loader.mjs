// bench/loader.mjs: sustained load throughput of the loader (log → bronze.events, exactly once, dedup on)
// (records as the collector writes them) against DuckDB writing the same rows straight to Parquet in the same run. Goal: >= 100,000 events/s on 2 cores.
//   node bench/loader.mjs [events=1000000] [partitions=2] [record version, default 3] [events per request, default 100]
//   Version 3: request records, as the collector writes an SDK's batch (the body as sent; the loader enriches
//   each event). 2: one record per event with its head (the collector's per-event path). 1: as a collector before
//   the record head wrote them, which the loader maps by parsing each record whole.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDuckDB, DeltaTable } from '@lens/lake';
import { createEventLog } from '@lens/log';
import { encodeLogRecord, encodeRequestRecord, LoaderConfig, requestRecordHead } from '@lens/protocol';
import { lakeTablePath, runLoaderOnce } from '../packages/loader/dist/index.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const PARTITIONS = Number(process.argv[3] ?? 2);
const VERSION = Number(process.argv[4] ?? 3);
const PER_REQUEST = Number(process.argv[5] ?? 100);
const root = await mkdtemp(join(tmpdir(), 'lens-bench-loader-'));
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];

/** A collector-shaped accepted record (analytics.js track/page with a typical context), ~700 bytes. */
function record(i, base) {
  const received = new Date(base + i * 3).toISOString();
  const original = new Date(base + i * 3 - 1500).toISOString();
  const event = {
    type: i % 5 === 0 ? 'page' : 'track',
    event: i % 5 === 0 ? undefined : `event_${i % 40}`,
    name: i % 5 === 0 ? 'Home' : undefined,
    messageId: randomUUID(),
    anonymousId: `anon-${i % 200_000}`,
    userId: i % 3 === 0 ? `user-${i % 50_000}` : undefined,
    properties: { path: `/p/${i % 900}`, referrer: 'https://www.example.com/', value: (i % 1000) / 10 },
    context: {
      ip: '203.0.113.7',
      userAgent: UAS[i % 3],
      locale: 'en-US',
      library: { name: 'analytics.js', version: '5.2.0' },
      page: { path: `/p/${i % 900}`, title: 'Example', url: `https://shop.example.com/p/${i % 900}` },
    },
    integrations: {},
    originalTimestamp: original,
    sentAt: original,
    receivedAt: received,
    timestamp: original,
  };
  return encodeLogRecord({ v: VERSION, kind: 'event', sourceId: 'web', requestIp: '203.0.113.7', event });
}

/** A request record of events i .. i + n − 1 as an SDK sends them (no receivedAt, no context.ip: the loader's to add). */
function request(i, n, base) {
  const batch = [];
  for (let k = i; k < i + n; k++) {
    const { event } = JSON.parse(record(k, base).toString());
    delete event.receivedAt;
    delete event.timestamp;
    delete event.context.ip;
    batch.push(event);
  }
  const facts = { sourceId: 'web', requestIp: '203.0.113.7', receivedAt: new Date(base + i * 3).toISOString() };
  const events = JSON.stringify(batch.map((e, k) => [k, e.messageId]));
  const body = Buffer.from(JSON.stringify({ batch, sentAt: batch[0].sentAt }));
  return encodeRequestRecord(requestRecordHead(facts, events), body);
}

/** The records of events i .. i + n − 1 in the chosen layout. */
function records(i, n, base) {
  if (VERSION !== 3) return Array.from({ length: n }, (_, k) => record(i + k, base));
  const out = [];
  for (let k = 0; k < n; k += PER_REQUEST) out.push(request(i + k, Math.min(PER_REQUEST, n - k), base));
  return out;
}

try {
  const log = await createEventLog({ backend: 'local', dir: join(root, 'log'), minFreeDiskBytes: 0 });
  const writers = await Promise.all(Array.from({ length: PARTITIONS }, () => log.openWriter()));
  let t0 = performance.now();
  const base = Date.now() - 3_600_000;
  for (let i = 0; i < TOTAL; i += 5000) {
    await writers[(i / 5000) % PARTITIONS].append(records(i, Math.min(5000, TOTAL - i), base));
  }
  const recordCount = (await Promise.all(writers.map(async (w) => (await log.bounds(w.partition)).end))).reduce(
    (a, b) => a + b,
    0,
  );
  console.log(
    `pre-filled ${recordCount.toLocaleString()} version-${VERSION} records${VERSION === 3 ? ` (${PER_REQUEST} events each)` : ''} in ${PARTITIONS} partitions (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  await Promise.all(writers.map((w) => w.close()));

  const startRss = process.memoryUsage().rss; // what the pre-fill left in this process
  let peakRss = 0;
  let atPeak;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) [peakRss, atPeak] = [m.rss, m];
  }, 50);
  t0 = performance.now();
  const loadStartMs = Date.now();
  const cpu0 = process.cpuUsage();
  // Loading alone: deleting the passed log segments (which `lens loader --once` does at the end of its pass, the
  // running loader once a minute in the background) is timed apart below.
  const stats = await runLoaderOnce({
    config: LoaderConfig.parse({ port: 0 }),
    dataDir: root,
    log,
    logRetentionAfterPass: false,
  });
  const loadS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const retentionT0 = performance.now();
  await log.enforceRetention();
  const retentionS = (performance.now() - retentionT0) / 1000;
  clearInterval(sampler);
  const loaderRate = stats.eventsLoaded / loadS;
  console.log(
    `loader: ${stats.eventsLoaded.toLocaleString()} events in ${loadS.toFixed(2)} s = ${Math.round(loaderRate).toLocaleString()} events/s (goal >= 100,000); peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (${(startRss / 2 ** 20).toFixed(0)} MiB before the loader started; at the peak: JS heap ${(atPeak.heapTotal / 2 ** 20).toFixed(0)} MiB on the main thread, array buffers ${(atPeak.arrayBuffers / 2 ** 20).toFixed(0)} MiB)`,
  );
  // CPU per event (all threads: main, map workers, DuckDB) is steadier than wall time on a shared machine.
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(`log retention afterwards (deleting the ${PARTITIONS} partitions' passed segments): ${retentionS.toFixed(2)} s`);
  console.log(
    `loader CPU: ${cpuS.toFixed(1)} s over ${loadS.toFixed(1)} s wall (${(cpuS / loadS).toFixed(2)} cores) = ${((cpuS * 1e6) / stats.eventsLoaded).toFixed(1)} µs CPU per event; load average now ${(await import('node:os')).loadavg()[0].toFixed(1)}`,
  );

  // The rate while the pipeline is full: rows of the commits after each partition's first, over the time from the
  // last of those first commits to the last commit (commit timestamps from the Delta log). Leaves out the ramp-up
  // before the first batches are ready (reading, mapping and checking 50,000 records each); the drain after the
  // last read stays in.
  const db = await createDuckDB();
  const commits = (await (await DeltaTable.open(lakeTablePath(root, 'bronze.events'), { sql: db })).history())
    .filter((h) => Number(h.operationMetrics['numOutputRows'] ?? 0) > 0)
    .sort((a, b) => a.version - b.version);
  if (commits.length > PARTITIONS + 1) {
    const rows = commits.slice(PARTITIONS).reduce((n, h) => n + Number(h.operationMetrics['numOutputRows']), 0);
    const from = commits[PARTITIONS - 1].timestamp;
    const spanS = (commits.at(-1).timestamp - from) / 1000;
    console.log(
      `loader with its pipeline full (after each partition's first commit, ${((from - loadStartMs) / 1000).toFixed(2)} s into the run): ${rows.toLocaleString()} events in ${spanS.toFixed(2)} s = ${Math.round(rows / spanS).toLocaleString()} events/s (${commits.length} commits)`,
    );
  }

  // Baseline: the very same rows, exported as NDJSON, written by DuckDB straight to partitioned zstd Parquet.
  const scan = (await (await DeltaTable.open(lakeTablePath(root, 'bronze.events'), { sql: db })).scan()).sql;
  await db.run(`COPY (${scan}) TO '${root}/rows.ndjson' (FORMAT json)`);
  const columns = (await db.describe(`(${scan})`)).map((c) => `'${c.name}': '${c.type}'`).join(', ');
  t0 = performance.now();
  await db.run(
    `COPY (SELECT * FROM read_json('${root}/rows.ndjson', format = 'newline_delimited', columns = {${columns}})) TO '${root}/plain' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (event_date))`,
  );
  const plainS = (performance.now() - t0) / 1000;
  const plainRate = stats.eventsLoaded / plainS;
  console.log(
    `duckdb straight to parquet (same rows, NDJSON in): ${plainS.toFixed(2)} s = ${Math.round(plainRate).toLocaleString()} rows/s`,
  );
  console.log(`ratio loader/duckdb time: ${(loadS / plainS).toFixed(2)}x`);
  db.close();
  await log.close();
} finally {
  await rm(root, { recursive: true, force: true });
}
