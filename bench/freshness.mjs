// bench/freshness.mjs (issue 4): with events arriving at a steady rate, the time from the collector's 2xx to the
// event being visible to `lens query` (a Delta snapshot of bronze.events). Collector and loader run as the real
// child processes (`lens collector`, `lens loader`); the sender is autocannon-free plain fetch at RATE events/s
// in batches of 10. Goals: p95 <= 2 s, p99 <= 3 s; loader RSS <= 1 GB.
//   node bench/freshness.mjs [rate=5000] [seconds=30]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LakeCatalog, createDuckDB, prepareLakeQuery } from '@lens/lake';

const here = dirname(fileURLToPath(import.meta.url));
const RATE = Number(process.argv[2] ?? 5000);
const SECONDS = Number(process.argv[3] ?? 30);
const BATCH = 10;
const WRITE_KEY = 'freshness-write-key';
const home = mkdtempSync(join(tmpdir(), 'lens-fresh-'));
writeFileSync(join(home, 'lens.yaml'), `sources:\n  - { id: bench, name: Bench, writeKey: ${WRITE_KEY} }\nloader:\n  port: 0\n`);
const lens = join(here, '..', 'packages', 'cli', 'bin', 'lens.js');
const common = ['--config', join(home, 'lens.yaml'), '--data', join(home, 'data'), '--log-level', 'info'];

function start(role, extra, ready) {
  const child = spawn(process.execPath, [lens, role, ...common, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (chunk) => { out += chunk; const m = ready(out); if (m) resolve({ child, match: m }); };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(new Error(`lens ${role} exited ${code}:\n${out}`)));
  });
}

const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const collector = await start('collector', ['--port', '0'], (out) => /"port":(\d+)[^\n]*collector_listening/.exec(out)?.[1]);
const loader = await start("loader", [], (out) => /"msg":"loader_started"/.exec(out));
const url = `http://127.0.0.1:${collector.match}/v1/batch`;
const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

const ackedAt = new Map(); // messageId → ms of the 2xx
const visibleAfter = [];
let sent = 0;
let failed = 0;
let peakLoaderRss = 0;
const began = Date.now();
const sender = (async () => {
  const interval = (1000 * BATCH) / RATE;
  let next = performance.now();
  const inflight = new Set();
  while (Date.now() - began < SECONDS * 1000) {
    const ids = Array.from({ length: BATCH }, (_, i) => `f-${sent + i}`);
    sent += BATCH;
    const p = fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: ids.map((messageId) => ({ type: 'track', event: 'Article Viewed', anonymousId: `a-${messageId}`, messageId, properties: { article_id: 'x' } })) }) })
      .then(async (res) => { await res.arrayBuffer(); const now = Date.now(); if (res.ok) for (const id of ids) ackedAt.set(id, now); else failed += BATCH; })
      .catch(() => { failed += BATCH; })
      .finally(() => inflight.delete(p));
    inflight.add(p);
    next += interval;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inflight);
})();

// Poll like a user running `lens query`: a fresh snapshot each time, new rows by log position.
const db = await createDuckDB();
const catalog = new LakeCatalog(join(home, 'data', 'lake'));
const seen = new Set();
const poll = async () => {
  if (!(await catalog.exists('bronze.events'))) return;
  const text = "SELECT message_id FROM bronze.events WHERE message_id LIKE 'f-%'";
  await prepareLakeQuery(catalog, db, text);
  const now = Date.now();
  for (const row of await db.all(text)) {
    const id = row.message_id;
    if (seen.has(id)) continue;
    seen.add(id);
    const acked = ackedAt.get(id);
    if (acked !== undefined) visibleAfter.push(now - acked);
  }
};
const deadline = began + (SECONDS + 20) * 1000;
while (Date.now() < deadline) {
  await poll();
  peakLoaderRss = Math.max(peakLoaderRss, rss(loader.child.pid));
  if (Date.now() - began > SECONDS * 1000 && seen.size >= ackedAt.size) break;
  await new Promise((r) => setTimeout(r, 100));
}
await sender;
collector.child.kill('SIGTERM');
loader.child.kill('SIGTERM');
db.close();
// The run's data directory goes once both processes have stopped (72 MB for 30 s at 5,000 events/s).
await Promise.all(
  [collector.child, loader.child].map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))),
);
rmSync(home, { recursive: true, force: true });

visibleAfter.sort((a, b) => a - b);
const q = (p) => visibleAfter[Math.min(visibleAfter.length - 1, Math.floor(p * visibleAfter.length))] ?? NaN;
console.log(`\nFreshness: ${RATE} events/s for ${SECONDS} s (batches of ${BATCH}); polled every 100 ms through a fresh Delta snapshot\n`);
console.log('| measure | value | goal |\n|---|---|---|');
console.log(`| events acknowledged / visible / failed | ${ackedAt.size} / ${seen.size} / ${failed} | all visible |`);
console.log(`| achieved send rate | ${Math.round(ackedAt.size / SECONDS)} events/s | ${RATE} |`);
console.log(`| 2xx → visible p50 | ${q(0.5)} ms | |`);
console.log(`| 2xx → visible p95 | ${q(0.95)} ms | <= 2000 ms |`);
console.log(`| 2xx → visible p99 | ${q(0.99)} ms | <= 3000 ms |`);
console.log(`| loader peak RSS | ${Math.round(peakLoaderRss)} MB | <= 1024 MB |`);
process.exit(0);
