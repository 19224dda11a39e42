// Collector benchmark (issue 2): the collector with durable acks against a bare node:http server that only
// parses JSON (the Node ceiling on this machine), in the same run, with autocannon on the same machine.
// Usage: node bench/collector.mjs [--duration 10] [--connections 50] [--workers 2] [--rounds 3]
// The headline figures are one collector process against one bare process. `--workers N` (N > 1) adds the same
// loads against `lens collector --workers N` (N processes on one port, one log partition each), reported apart.
// `--rounds N` (N > 1) measures the bare server and the collector N times, alternately (the machine's speed drifts
// within minutes), prints each round's ratios and reports the round with the median single-event ratio.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const duration = Number(args.duration ?? 10);
const extraWorkers = Number(args.workers ?? 0);
const connections = Number(args.connections ?? 50);
const rounds = Math.max(1, Number(args.rounds ?? 3));
const WRITE_KEY = 'bench-write-key-1';

function startChild(cmd, argv, matchPort) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk;
      const port = matchPort(out);
      if (port) resolve({ child, port });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited ${code}:\n${out}`)));
  });
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const own = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  // With --workers the primary forks the processes that serve: count them too.
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return own + children.reduce((sum, child) => { try { return sum + rssMb(Number(child)); } catch { return sum; } }, 0);
}

function event(i) {
  return {
    type: 'track', event: 'Article Viewed', anonymousId: `anon-${i % 5000}`, userId: i % 3 ? undefined : `user-${i % 1000}`,
    messageId: undefined, timestamp: new Date().toISOString(),
    properties: { article_id: `a-${i % 2000}`, section: 'politics', author: 'J. Doe', scroll_depth: 0.6, read_time_s: 42 },
    context: { page: { url: 'https://news.example/politics/a-123', path: '/politics/a-123', title: 'A headline', referrer: 'https://www.google.com/' }, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', locale: 'en-GB', library: { name: 'analytics.js', version: '2.11.1' } },
  };
}

async function load(port, path, body) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`, method: 'POST', connections, duration, pipelining: 1,
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
    body,
  });
  return { reqPerSec: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function measure(label, target, pid) {
  let peakRss = 0;
  const sampler = pid ? setInterval(() => { peakRss = Math.max(peakRss, rssMb(pid)); }, 200) : undefined;
  const single = await load(target, '/v1/track', JSON.stringify(event(1)));
  const batchBody = JSON.stringify({ batch: Array.from({ length: 100 }, (_, i) => event(i)), sentAt: new Date().toISOString() });
  const batch = await load(target, '/v1/batch', batchBody);
  if (sampler) clearInterval(sampler);
  return { label, single, batch: { ...batch, eventsPerSec: batch.reqPerSec * 100 }, peakRssMb: pid ? Math.round(peakRss) : undefined };
}

const home = mkdtempSync(join(tmpdir(), 'lens-bench-'));
writeFileSync(join(home, 'lens.yaml'), `sources:\n  - { id: bench, name: Bench, writeKey: ${WRITE_KEY} }\n`);

async function measureBare() {
  const bare = await startChild(process.execPath, [join(here, 'bare-http-server.mjs')], (out) => /"port":(\d+)/.exec(out)?.[1]);
  const result = await measure('bare node:http (parse JSON, 200)', bare.port);
  bare.child.kill('SIGTERM');
  return result;
}

const lensBin = join(here, '..', 'packages', 'cli', 'bin', 'lens.js');
let run = 0;
async function measureCollector(workers) {
  const data = join(home, `data-${workers}-${run++}`);
  const collector = await startChild(process.execPath, [lensBin, 'collector', '--config', join(home, 'lens.yaml'), '--data', data, '--port', workers > 1 ? '18181' : '0', '--log-level', 'info', '--workers', String(workers)],
    (out) => (workers > 1 ? /collector_listening/.test(out) && '18181' : /"port":(\d+)[^\n]*collector_listening/.exec(out)?.[1]));
  if (workers > 1) await new Promise((resolve) => setTimeout(resolve, 1000)); // every worker listening
  const result = await measure(`lens collector × ${workers} (durable acks, fsync group commit)`, collector.port, collector.child.pid);
  collector.child.kill('SIGTERM');
  await new Promise((resolve) => collector.child.once('exit', resolve));
  rmSync(data, { recursive: true, force: true }); // ~1 GB of log per batch load
  return result;
}
const ratio = (a, b) => (a / b).toFixed(2);
const measured = [];
for (let r = 0; r < rounds; r++) {
  const ceiling = await measureBare();
  const lens = await measureCollector(1);
  measured.push({ ceiling, lens, single: lens.single.reqPerSec / ceiling.single.reqPerSec, batch: lens.batch.eventsPerSec / ceiling.batch.eventsPerSec });
}
/** The round with the median value of `key` (the lower one of the middle two for an even count). */
const medianRound = (key) => [...measured].sort((a, b) => a[key] - b[key])[Math.floor((measured.length - 1) / 2)];
const { ceiling, lens } = medianRound('single');
const multi = extraWorkers > 1 ? await measureCollector(extraWorkers) : undefined;
if (rounds > 1) {
  console.log(`\nRounds (bare server, then collector, ${rounds} times):\n`);
  console.log('| round | single req/s bare / lens (ratio) | single p99 ms | batch events/s bare / lens (ratio) | batch p99 ms | peak RSS MB |\n|---|---|---|---|---|---|');
  measured.forEach((m, i) => console.log(`| ${i + 1} | ${m.ceiling.single.reqPerSec.toFixed(0)} / ${m.lens.single.reqPerSec.toFixed(0)} (${m.single.toFixed(2)}) | ${m.lens.single.p99} | ${m.ceiling.batch.eventsPerSec.toFixed(0)} / ${m.lens.batch.eventsPerSec.toFixed(0)} (${m.batch.toFixed(2)}) | ${m.lens.batch.p99} | ${m.lens.peakRssMb} |`));
  console.log(`\nMedian ratios: single ${medianRound('single').single.toFixed(2)}, batch ${medianRound('batch').batch.toFixed(2)}; the table below is the round with the median single ratio.`);
}
const rows = [
  ['single /v1/track req/s', ceiling.single.reqPerSec.toFixed(0), lens.single.reqPerSec.toFixed(0), ratio(lens.single.reqPerSec, ceiling.single.reqPerSec), '>= 0.60'],
  ['single /v1/track p50 ms', ceiling.single.p50, lens.single.p50, '', ''],
  ['single /v1/track p99 ms', ceiling.single.p99, lens.single.p99, '', '<= 10 ms'],
  ['batch(100) events/s', ceiling.batch.eventsPerSec.toFixed(0), lens.batch.eventsPerSec.toFixed(0), ratio(lens.batch.eventsPerSec, ceiling.batch.eventsPerSec), '>= 100000 and >= 0.50'],
  ['batch(100) p99 ms', ceiling.batch.p99, lens.batch.p99, '', ''],
  ['collector peak RSS MB', '', lens.peakRssMb, '', '<= 256'],
  ['non-2xx / errors', `${ceiling.single.non2xx + ceiling.batch.non2xx}/${ceiling.single.errors + ceiling.batch.errors}`, `${lens.single.non2xx + lens.batch.non2xx}/${lens.single.errors + lens.batch.errors}`, '', '0/0'],
];
console.log(`\nCollector benchmark: ${connections} connections, ${duration} s per load, autocannon on the same machine\n`);
console.log('| measure | bare node:http | lens collector | ratio | goal |\n|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
if (multi) {
  console.log(`\nThe same loads against lens collector --workers ${extraWorkers} (one bare process as before):\n`);
  console.log('| measure | bare node:http | lens collector × ' + extraWorkers + ' | ratio |\n|---|---|---|---|');
  console.log(`| single /v1/track req/s | ${ceiling.single.reqPerSec.toFixed(0)} | ${multi.single.reqPerSec.toFixed(0)} | ${ratio(multi.single.reqPerSec, ceiling.single.reqPerSec)} |`);
  console.log(`| single /v1/track p50 / p99 ms | ${ceiling.single.p50} / ${ceiling.single.p99} | ${multi.single.p50} / ${multi.single.p99} | |`);
  console.log(`| batch(100) events/s | ${ceiling.batch.eventsPerSec.toFixed(0)} | ${multi.batch.eventsPerSec.toFixed(0)} | ${ratio(multi.batch.eventsPerSec, ceiling.batch.eventsPerSec)} |`);
  console.log(`| peak RSS MB (all processes) | | ${multi.peakRssMb} | |`);
  console.log(`| non-2xx / errors | | ${multi.single.non2xx + multi.batch.non2xx}/${multi.single.errors + multi.batch.errors} | |`);
}
mkdirSync(join(here, '.out'), { recursive: true });
writeFileSync(join(here, '.out', 'collector.json'), JSON.stringify({ when: new Date().toISOString(), duration, connections, rounds: measured, ceiling, lens, multi }, null, 2));
rmSync(home, { recursive: true, force: true });
