// Recommendations benchmark (issue 10). (1) API: GET /v1/recommendations (Fastify plugin, SQLite store + LRU
// cache, served-lists log to Delta) against a bare node:http server answering a fixed JSON of the same size,
// in the same run, autocannon on the same machine, 50 connections. (2) Training time: demo events as bronze,
// the silver inputs, then the recs pipelines, the propensity models and the load into the store, timed apart.
// Usage: node bench/recs.mjs [--users 5000] [--days 14] [--duration 10] [--connections 50] [--train-events 0] [--api 0]
//        (child roles: --role bare|api, used by the benchmark itself)
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const recs = await import('@lens/recs');

if (args.role === 'bare') {
  const body = process.env.BENCH_BODY;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else if (args.role === 'api') {
  const { default: Fastify } = await import('fastify');
  const store = recs.withLruCache(recs.createSqliteKeyValueStore({ backend: 'sqlite', path: args.kv }), { maxEntries: 50_000, uncachedPrefixes: [recs.POINTER_KEY] });
  const servedLog = process.env.BENCH_SERVED_LOG === 'off' ? recs.noopServedListLog : recs.createDeltaServedListLog({ dataDir: args.data });
  const app = Fastify({ logger: false });
  await app.register(recs.recommendationsPlugin({ store, servedLog }));
  const { port } = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  process.stdout.write(`${JSON.stringify({ port: Number(port) })}\n`);
  process.on('SIGTERM', async () => {
    process.stdout.write(`${JSON.stringify({ cache: store.stats() })}\n`);
    await app.close();
    await servedLog.close();
    process.exit(0);
  });
} else {
  await main();
}

function startChild(argv, env = {}) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...argv], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let out = '';
  const lines = [];
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /"port":(\d+)/.exec(out);
      if (m && !child.port) resolve(Object.assign(child, { port: Number(m[1]), lines }));
      lines.push(...String(chunk).split('\n').filter(Boolean));
    });
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited ${code}: ${out}`)));
  });
}

async function load(port, paths, duration, connections) {
  const { default: autocannon } = await import('autocannon');
  let i = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`, connections, duration, pipelining: 1,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

async function apiBench(users, days, duration, connections) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lens-bench-recs-'));
  try {
    console.error(`building the demo lake: ${users} people × ${days} days…`);
    await recs.buildDemoLake(dataDir, { users, days });
    const kv = join(dataDir, 'recs', 'kv.sqlite');
    const store = recs.createSqliteKeyValueStore({ backend: 'sqlite', path: kv });
    const loaded = await recs.loadRecommendations({ dataDir, store });
    const { DeltaTable } = await import('@lens/lake');
    const { lakeTablePath } = await import('@lens/loader');
    const people = [...new Set((await (await DeltaTable.open(lakeTablePath(dataDir, 'gold.recommendations'))).query()).map((r) => String(r.person_id)))];
    const articles = [...new Set((await (await DeltaTable.open(lakeTablePath(dataDir, 'gold.similar_articles'))).query()).map((r) => String(r.article_id)))];
    // 70 % known people, 20 % unknown devices reading an article (context), 10 % nobody (trending)
    const paths = Array.from({ length: 20_000 }, (_, i) => i % 10 < 7 ? `/v1/recommendations?userId=${encodeURIComponent(people[(i * 7919) % people.length])}&k=10`
      : i % 10 < 9 ? `/v1/recommendations?anonymousId=bench-${i}&context=${articles[(i * 104729) % articles.length]}&k=10` : `/v1/recommendations?anonymousId=bench-${i}&k=10`);
    const sample = await recs.createRecommendationService({ store }).recommend({ userId: people[0], k: 10 });
    await store.close();
    const bare = await startChild(['--role', 'bare'], { BENCH_BODY: JSON.stringify(sample) });
    const ceiling = await load(bare.port, paths, duration, connections);
    bare.kill('SIGTERM');
    const api = await startChild(['--role', 'api', '--kv', kv, '--data', dataDir]);
    await load(api.port, paths, 2, connections); // warm-up (JIT, cache)
    const lens = await load(api.port, paths, duration, connections);
    const exited = new Promise((r) => api.on('exit', r));
    api.kill('SIGTERM');
    await exited;
    const cache = api.lines.map((l) => { try { return JSON.parse(l).cache; } catch { return undefined; } }).find(Boolean);
    return { people: people.length, keys: loaded.keys, loadMs: loaded.ms, ceiling, lens, cache, responseBytes: JSON.stringify(sample).length };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function trainingBench(events) {
  const { bronzeRows, appendBronze, runPipelines } = await import('@lens/prism');
  const dataDir = mkdtempSync(join(tmpdir(), 'lens-bench-recs-train-'));
  try {
    const users = Math.round(events / 56); // ≈ 56 events per person over 28 days (seed 42)
    let t = Date.now();
    let n = 0;
    let chunk = [];
    for (const row of bronzeRows({ seed: 42, users, days: 28, start: recs.DEMO_START })) {
      chunk.push(row);
      if (chunk.length === 150_000) { await appendBronze(dataDir, chunk); n += chunk.length; chunk = []; console.error(`bronze ${n}`); }
    }
    if (chunk.length) { await appendBronze(dataDir, chunk); n += chunk.length; }
    const bronzeMs = Date.now() - t;
    const graph = recs.recsPipelineGraph();
    const time = async (names) => { const s = Date.now(); const r = await runPipelines({ dataDir, graph, names, retries: 0 }); return { ms: Date.now() - s, runs: r.map((x) => ({ pipeline: x.pipeline, status: x.status, rowsOut: x.rowsOut, ms: x.endedAt - x.startedAt, error: x.error })) }; };
    const silver = await time(['silver.events', 'silver.identities', 'silver.content', 'gold.user_features']);
    console.error(`silver inputs ${silver.ms} ms`);
    const training = await time([...recs.RECS_DATASETS]);
    t = Date.now();
    const predictions = await recs.trainPredictions({ dataDir });
    const predictionsMs = Date.now() - t;
    const store = recs.createSqliteKeyValueStore({ backend: 'sqlite', path: join(dataDir, 'kv.sqlite') });
    const loaded = await recs.loadRecommendations({ dataDir, store });
    await store.close();
    return { events: n, users, bronzeMs, silver, training, predictionsMs, predictions: predictions.map((p) => ({ model: p.model, auc: p.aucHoldout, rows: p.rowsTrain + p.rowsHoldout })), load: { ms: loaded.ms, keys: loaded.keys } };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const duration = Number(args.duration ?? 10);
  const connections = Number(args.connections ?? 50);
  const result = { when: new Date().toISOString(), duration, connections };
  if (args.api !== '0') {
  result.api = await apiBench(Number(args.users ?? 5000), Number(args.days ?? 14), duration, connections);
  const { ceiling, lens } = result.api;
  console.log(`\nRecommendations API: ${connections} connections, ${duration} s per load, autocannon on the same machine; ${result.api.people} people loaded (${result.api.keys} keys), response ${result.api.responseBytes} B\n`);
  console.log('| measure | bare node:http (fixed JSON) | lens /v1/recommendations | ratio | goal |\n|---|---|---|---|---|');
  console.log(`| req/s | ${ceiling.reqPerSec.toFixed(0)} | ${lens.reqPerSec.toFixed(0)} | ${(lens.reqPerSec / ceiling.reqPerSec).toFixed(2)} | >= 0.50 |`);
  console.log(`| p50 ms | ${ceiling.p50} | ${lens.p50} | | |`);
  console.log(`| p99 ms | ${ceiling.p99} | ${lens.p99} | | <= 5 ms |`);
  console.log(`| non-2xx / errors | ${ceiling.non2xx}/${ceiling.errors} | ${lens.non2xx}/${lens.errors} | | 0/0 |`);
  if (result.api.cache) console.log(`\nLRU cache: ${JSON.stringify(result.api.cache)}`);
  }
  const events = Number(args['train-events'] ?? 0);
  if (events > 0) {
    result.training = await trainingBench(events);
    const t = result.training;
    console.log(`\nTraining on ${t.events} events (${t.users} people, 28 days): bronze write ${t.bronzeMs} ms; silver inputs ${t.silver.ms} ms;`);
    console.log(`recs pipelines ${t.training.ms} ms (${t.training.runs.map((r) => `${r.pipeline} ${r.ms} ms`).join(', ')}); predictions ${t.predictionsMs} ms (${t.predictions.map((p) => `${p.model} AUC ${p.auc.toFixed(3)}`).join(', ')}); load ${t.load.ms} ms (${t.load.keys} keys)`);
  }
  mkdirSync(join(here, '.out'), { recursive: true });
  writeFileSync(join(here, '.out', args.api === '0' ? 'recs-training.json' : 'recs.json'), JSON.stringify(result, null, 2));
}
