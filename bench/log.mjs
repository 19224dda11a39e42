// Benchmark of the local EventLog: appends/s with 1, 10 and 50 concurrent appenders (the group commit effect)
// and the latency of one durable append (write + fdatasync). Usage: node packages/log/bench/log.mjs [dir] [seconds]
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventLog } from '@lens/log';

const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'lens-log-bench-')));
const seconds = Number(process.argv[3] ?? 3);
const value = Buffer.from(JSON.stringify({ v: 1, kind: 'event', sourceId: 'web', event: { type: 'track', event: 'Page Viewed', properties: { path: '/a/b/c', title: 'x'.repeat(200) } } }));

async function run(concurrency) {
  const log = await createEventLog({ backend: 'local', dir: join(dir, `c${concurrency}`), minFreeDiskBytes: 0 });
  const writer = await log.openWriter();
  const latencies = [];
  let appends = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      await writer.append([value]);
      latencies.push(performance.now() - t);
      appends++;
    }
  }));
  await log.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
  const mean = (latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(2);
  return { concurrency, appendsPerSec: Math.round(appends / seconds), meanMs: mean, p50ms: pct(0.5), p99ms: pct(0.99) };
}

console.log(`local EventLog, ${value.length}-byte records, ${seconds}s per run, dir ${dir}`);
const results = [];
for (const c of [1, 10, 50]) {
  const r = await run(c);
  results.push(r);
  console.log(`concurrency ${String(c).padStart(2)}: ${String(r.appendsPerSec).padStart(7)} appends/s  latency mean ${r.meanMs} ms  p50 ${r.p50ms} ms  p99 ${r.p99ms} ms`);
}
console.log(`group commit speed-up, 50 vs 1 appenders: ${(results[2].appendsPerSec / results[0].appendsPerSec).toFixed(1)}x`);

/** Raw cost of the disk flush every acknowledgement waits for: 500 x (pwrite 328 bytes + fdatasync). */
const fh = await open(join(dir, 'fsync-probe'), 'w');
const syncs = [];
for (let i = 0; i < 500; i++) {
  const t = performance.now();
  await fh.write(value, 0, value.length, i * value.length);
  await fh.datasync();
  syncs.push(performance.now() - t);
}
await fh.close();
syncs.sort((a, b) => a - b);
console.log(`raw write+fdatasync latency: p50 ${syncs[250].toFixed(2)} ms  p99 ${syncs[495].toFixed(2)} ms  mean ${(syncs.reduce((a, b) => a + b, 0) / 500).toFixed(2)} ms`);
if (process.argv[2] === undefined) await rm(dir, { recursive: true, force: true });
