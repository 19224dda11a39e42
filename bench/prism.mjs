// Prism benchmark: (1) full refresh of every shipped pipeline over N bronze events (demo generator);
// (2) streaming: bronze batches at a target rate while the scheduler runs; lag from a bronze commit to the
// silver.events / gold.kpi_daily commit that has processed it (txn markers). Usage:
//   node bench/prism.mjs [--events 1000000] [--rate 5000] [--stream-seconds 30] [--data DIR]
// --data DIR: run the full refresh on that data directory's bronze.events instead (e.g. one filled by
// `lens demo --bulk 10000000 --out DIR`); its silver/gold tables are rebuilt. --stream-seconds 0 skips (2).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable } from '@lens/lake';
import { lakeTablePath } from '@lens/loader';
import { appendBronze, bronzeRows, buildGraph, inputTxnId, loadDefinitions, runPipelines, startScheduler } from '@lens/prism';

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const EVENTS = arg('events', 1_000_000);
const RATE = arg('rate', 5000);
const STREAM_S = arg('stream-seconds', 30);
const DATA = (() => { const i = process.argv.indexOf('--data'); return i > 0 ? process.argv[i + 1] : undefined; })();
const graph = buildGraph(loadDefinitions());
const dir = DATA ?? await mkdtemp(join(tmpdir(), 'prism-bench-'));
let t = Date.now();
let n = 0;
if (DATA === undefined) {
  // About 52 events per person over 28 days in the demo: size the population so N events span the period.
  const users = Math.max(100, Math.round(EVENTS / 50));
  let chunk = [];
  for (const row of bronzeRows({ seed: 11, users, days: 28, start: '2025-01-06T00:00:00Z' })) {
    chunk.push(row);
    if (++n >= EVENTS) break;
    if (chunk.length === 250_000) { await appendBronze(dir, chunk); chunk = []; }
  }
  if (chunk.length) await appendBronze(dir, chunk);
  console.log(`bronze: ${n} events (${users} users) written in ${((Date.now() - t) / 1000).toFixed(1)} s`);
} else {
  const snapshot = await (await DeltaTable.open(lakeTablePath(dir, 'bronze.events'))).snapshot();
  n = snapshot.files.reduce((sum, f) => sum + (f.stats ? JSON.parse(f.stats).numRecords ?? 0 : 0), 0);
  console.log(`bronze: ${n} events in ${dir} (version ${snapshot.version}, ${snapshot.files.length} files)`);
}
t = Date.now();
const records = await runPipelines({ dataDir: dir, graph, mode: { kind: 'full' }, retries: 0 });
const total = (Date.now() - t) / 1000;
for (const r of records) console.log(`  ${r.pipeline.padEnd(20)} ${r.status} ${(r.endedAt - r.startedAt).toString().padStart(7)} ms  out ${r.rowsOut}${r.error ? ' ' + r.error : ''}`);
console.log(`full refresh of ${records.length} pipelines over ${n} events: ${total.toFixed(1)} s, ${Math.round(n / total)} events/s`);
if (STREAM_S <= 0) process.exit(0);

// Streaming: one bronze commit a second of RATE events (live timestamps), scheduler ticking every 100 ms.
const live = bronzeRows({ seed: 12, users: Math.max(600, RATE), days: 28, start: '2025-02-03T00:00:00Z' });
const commits = new Map();
const lags = { 'silver.events': [], 'gold.kpi_daily': [] };
const seen = { 'silver.events': -1, 'gold.kpi_daily': -1 };
const scheduler = startScheduler({ dataDir: dir, graph: buildGraph(graph.ordered.map((d) => ({ ...d, schedule: d.name === 'gold.kpi_daily' ? 'every 10s' : d.schedule }))), tickMs: 100 });
const poll = setInterval(async () => {
  for (const name of Object.keys(lags)) {
    const out = await DeltaTable.open(lakeTablePath(dir, name));
    const v = (await out.snapshot()).txns.get(inputTxnId(name, name === 'gold.kpi_daily' ? 'silver.events' : 'bronze.events'))?.version ?? -1;
    if (name === 'silver.events' && v > seen[name]) {
      for (const [bv, at] of commits) if (bv > seen[name] && bv <= v) lags[name].push(Date.now() - at);
      seen[name] = v;
    }
    if (name === 'gold.kpi_daily' && v > seen[name]) { seen[name] = v; lags[name].push(Date.now() - (commits.get(lastBronzeFor(v)) ?? Date.now())); }
  }
}, 100);
function lastBronzeFor() { return Math.max(...commits.keys()); }
const end = Date.now() + STREAM_S * 1000;
while (Date.now() < end) {
  const started = Date.now();
  const batch = [];
  for (const row of live) { batch.push({ ...row, timestamp: new Date().toISOString(), received_at: new Date().toISOString(), event_date: new Date().toISOString().slice(0, 10) }); if (batch.length >= RATE) break; }
  const v = await appendBronze(dir, batch);
  commits.set(v, Date.now());
  await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - started))));
}
await new Promise((r) => setTimeout(r, 12_000));
clearInterval(poll);
await scheduler.stop();
const p = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN; };
console.log(`streaming at ${RATE} events/s for ${STREAM_S} s: ${commits.size} bronze commits`);
console.log(`  bronze → silver.events lag: p50 ${p(lags['silver.events'], 0.5)} ms, p95 ${p(lags['silver.events'], 0.95)} ms (${lags['silver.events'].length} commits)`);
console.log(`  bronze → gold.kpi_daily lag (every 10 s schedule): max ${Math.max(...lags['gold.kpi_daily'])} ms`);
if (DATA === undefined) await rm(dir, { recursive: true, force: true });
