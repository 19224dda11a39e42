// Recommendations benchmark (issue 10). (1) API: GET /v1/recommendations (mounted as `lens server` does, SQLite
// store + LRU cache, served-lists log to Delta; env BENCH_SERVED_LOG=off, BENCH_MOUNT=fastify to compare)
// against a bare node:http server answering a fixed JSON of the same size, in the same run, autocannon on the
// same machine, 50 connections; then counts the served lists that reached the Delta table, and reports the API
// process's event-loop delay, GC pauses by kind and (Linux) each thread's CPU per request and wait for a CPU. (2) Training time: demo events as bronze,
// the silver inputs, then the recs pipelines, the propensity models and the load into the store, timed apart.
// Usage: node bench/recs.mjs [--users 5000] [--days 14] [--duration 10] [--connections 50] [--train-events 0] [--api 0] [--reload 0]
//        [--profile DIR] (writes a CPU profile of the API process, `node --cpu-prof`, to DIR)
//        [--lake DIR] (keeps the demo lake in DIR and reuses it on the next run, to iterate faster)
//        (child roles: --role bare|api, used by the benchmark itself)
//        env BENCH_API_NODE_ARGS="--max-semi-space-size=64 …": extra node options for the API process only
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
  // Mounted as `lens server` mounts it (packages/cli/src/roles/server-plugins.ts): createServer with the plugin
  // and its node:http fast path, request metrics on. BENCH_MOUNT=fastify: the plugin on a bare Fastify instead.
  const store = recs.withLruCache(recs.createSqliteKeyValueStore({ backend: 'sqlite', path: args.kv }), { maxEntries: 50_000, uncachedPrefixes: [recs.POINTER_KEY] });
  const servedLog = process.env.BENCH_SERVED_LOG === 'off' ? recs.noopServedListLog : recs.createDeltaServedListLog({ dataDir: args.data, onError: (e) => console.error('served lists:', e) });
  const plugin = recs.recommendationsPlugin({ store, servedLog });
  let app;
  let port;
  if (process.env.BENCH_MOUNT === 'fastify') {
    const { default: Fastify } = await import('fastify');
    app = Fastify({ logger: false });
    await app.register(plugin);
    port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
  } else {
    const { createServer: createLensServer } = await import('@lens/server');
    const { ServerConfig } = await import('@lens/protocol');
    app = await createLensServer({ config: ServerConfig.parse({}), dataDir: args.data, plugins: [{ plugin, fastPath: plugin.fastPath }] });
    ({ port } = await app.listen({ host: '127.0.0.1', port: 0 }));
  }
  const { monitorEventLoopDelay, performance: perf, PerformanceObserver } = await import('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // GC pauses of the serving thread by kind (scavenge, mark-compact, incremental marking, weak callbacks)
  const gcKinds = { 1: 'scavenge', 2: 'markCompact', 4: 'incremental', 8: 'weakCallbacks' };
  const gc = {};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const g = (gc[gcKinds[e.detail?.kind] ?? 'other'] ??= { n: 0, ms: 0, maxMs: 0 });
      g.n++;
      g.ms = Math.round((g.ms + e.duration) * 10) / 10;
      g.maxMs = Math.max(g.maxMs, Math.round(e.duration * 10) / 10);
    }
  }).observe({ entryTypes: ['gc'] });
  const elu = perf.eventLoopUtilization();
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  // SIGUSR2: what the server does when training produced a new version (packages/cli/src/roles/server-plugins.ts) —
  // a load on a worker thread with a one-thread DuckDB — here a whole version, into a store file of its own so that
  // the served one stays as measured.
  process.on('SIGUSR2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-bench-reload-'));
    const started = Date.now();
    try {
      const kv = { backend: 'sqlite', path: join(dir, 'kv.sqlite') };
      let r;
      if (process.env.BENCH_RELOAD === 'thread') {
        // As the server loaded before the nineteenth session: on the serving thread, DuckDB on every core.
        const store = recs.createSqliteKeyValueStore(kv);
        try { r = await recs.loadRecommendations({ dataDir: args.data, store }); } finally { await store.close(); }
      } else r = await recs.loadRecommendationsInWorker({ dataDir: args.data, kv, session: { threads: 1, spillUnder: join(args.data, 'tmp', 'recs') } });
      process.stdout.write(`${JSON.stringify({ reload: { ms: Date.now() - started, keys: r.keys } })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ reload: { error: String(error) } })}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  process.on('SIGTERM', async () => {
    // Event-loop delay (stalls) and utilisation of the serving thread; CPU of the whole process (all threads).
    const used = process.cpuUsage(cpu);
    const loop = { delayP99Ms: delay.percentile(99) / 1e6, delayMaxMs: delay.max / 1e6, utilization: perf.eventLoopUtilization(elu).utilization, processCpuMs: Math.round((used.user + used.system) / 1000), gc };
    process.stdout.write(`${JSON.stringify({ cache: store.stats(), loop })}\n`);
    await app.close();
    await servedLog.close();
    process.exit(0);
  });
} else {
  await main();
}

function startChild(argv, env = {}, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(import.meta.url), ...argv], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
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

/** CPU (ms) and run-queue wait (ms: runnable, not running) of each thread of a process, from /proc (Linux; else undefined). */
async function threadTimes(pid) {
  const { readdirSync, readFileSync } = await import('node:fs');
  try {
    return Object.fromEntries(readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const sched = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      return [tid, { cpuMs: (Number(f[11]) + Number(f[12])) * 10, waitMs: sched[1] / 1e6 }];
    }));
  } catch { return undefined; }
}

/** The serving thread (the process's main thread) and the others over a load: CPU µs per request, wait for a CPU. */
function threadShare(pid, before, after, requests) {
  if (!before || !after) return undefined;
  let others = 0;
  for (const [tid, t] of Object.entries(after)) if (Number(tid) !== pid) others += t.cpuMs - (before[tid]?.cpuMs ?? 0);
  const main = after[pid];
  return {
    servingUsPerRequest: Math.round((main.cpuMs - before[pid].cpuMs) * 10000 / requests) / 10,
    servingWaitedMs: Math.round(main.waitMs - before[pid].waitMs),
    otherThreadsUsPerRequest: Math.round(others * 10000 / requests) / 10,
  };
}

async function load(port, paths, duration, connections, amount = undefined) {
  const { default: autocannon } = await import('autocannon');
  let i = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`, connections, pipelining: 1, ...(amount === undefined ? { duration } : { amount }),
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, answered: r['2xx'] };
}

async function apiBench(users, days, duration, connections) {
  const dataDir = args.lake ?? mkdtempSync(join(tmpdir(), 'lens-bench-recs-'));
  try {
    if (!args.lake || !existsSync(join(dataDir, 'recs', 'kv.sqlite'))) {
      console.error(`building the demo lake: ${users} people × ${days} days…`);
      await recs.buildDemoLake(dataDir, { users, days });
    }
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
    const bareBefore = await threadTimes(bare.pid);
    const ceiling = await load(bare.port, paths, duration, connections);
    const bareThreads = threadShare(bare.pid, bareBefore, await threadTimes(bare.pid), ceiling.answered + ceiling.non2xx);
    bare.kill('SIGTERM');
    const servedRows = async () => {
      const { DeltaTable: T, createDuckDB } = await import('@lens/lake');
      try {
        const db = await createDuckDB();
        const [row] = await db.all(`SELECT count(*) AS n FROM (${(await (await T.open(lakeTablePath(dataDir, recs.SERVED_TABLE), { sql: db })).scan()).sql})`);
        db.close();
        return Number(row.n);
      } catch { return 0; } // no table yet
    };
    const servedBefore = await servedRows();
    const api = await startChild(['--role', 'api', '--kv', kv, '--data', dataDir], {}, [...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : []), ...(process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [])]);
    // Warm-up: every request path of the mix once (the first pass reads each list from SQLite and fills the
    // caches), then 2 s more for the JIT; its figures are reported apart as the cold pass.
    const cold = await load(api.port, paths, 0, connections, paths.length);
    const warm = await load(api.port, paths, 2, connections);
    const threadsBefore = await threadTimes(api.pid);
    const lens = await load(api.port, paths, duration, connections);
    const threads = threadShare(api.pid, threadsBefore, await threadTimes(api.pid), lens.answered + lens.non2xx);
    // The same load again while the server loads a whole new version (1 s in): what a training run costs the API.
    let reloading;
    let reload;
    if (args.reload !== '0') {
      const during = load(api.port, paths, duration, connections);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      api.kill('SIGUSR2');
      reloading = await during;
      for (let i = 0; i < 1200 && !reload; i++) {
        reload = api.lines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).find((x) => x?.reload)?.reload;
        if (!reload) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const exited = new Promise((r) => api.on('exit', r));
    api.kill('SIGTERM');
    await exited;
    const stats = api.lines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).find((x) => x?.cache);
    const served = { answered: cold.answered + warm.answered + lens.answered + (reloading?.answered ?? 0), written: (await servedRows()) - servedBefore };
    return { people: people.length, keys: loaded.keys, loadMs: loaded.ms, ceiling, cold, lens, reloading, reload, served, cache: stats?.cache, loop: stats?.loop, threads, bareThreads, responseBytes: JSON.stringify(sample).length };
  } finally {
    if (!args.lake) rmSync(dataDir, { recursive: true, force: true });
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
    // One dataset at a time, each reported as it ends (a long training run shows where it is).
    const time = async (names) => {
      const s = Date.now();
      const runs = [];
      for (const name of names) {
        for (const x of await runPipelines({ dataDir, graph, names: [name], retries: 0 })) {
          runs.push({ pipeline: x.pipeline, status: x.status, rowsOut: x.rowsOut, ms: x.endedAt - x.startedAt, error: x.error });
          console.error(`${x.pipeline} ${x.status} ${x.endedAt - x.startedAt} ms, ${x.rowsOut} rows, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
        }
      }
      return { ms: Date.now() - s, runs };
    };
    const silver = await time(['silver.events', 'silver.identities', 'silver.content', 'gold.user_features']);
    console.error(`silver inputs ${silver.ms} ms`);
    const training = await time([...recs.RECS_DATASETS]);
    t = Date.now();
    const predictions = await recs.trainPredictions({ dataDir });
    const predictionsMs = Date.now() - t;
    const store = recs.createSqliteKeyValueStore({ backend: 'sqlite', path: join(dataDir, 'kv.sqlite') });
    const loaded = await recs.loadRecommendations({ dataDir, store });
    // What a scheduled run costs next: the following 10 minutes of events (day 29's first, the generator's next
    // day), the silver inputs and the recs pipelines incrementally, and the load (a layer over the served version).
    const nextDay = new Date(Date.parse(recs.DEMO_START) + 28 * 86_400_000).toISOString().slice(0, 10);
    const until = `${nextDay}T00:10:00`;
    const step = [];
    for (const r of bronzeRows({ seed: 42, users, days: 29, start: recs.DEMO_START })) if (r.timestamp >= nextDay && r.timestamp < until) step.push(r);
    await appendBronze(dataDir, step);
    const stepSilver = await time(['silver.events', 'silver.identities', 'silver.content', 'gold.user_features']);
    const stepTraining = await time([...recs.RECS_DATASETS]);
    const stepLoaded = await recs.loadRecommendations({ dataDir, store });
    await store.close();
    return {
      events: n, users, bronzeMs, silver, training, predictionsMs,
      predictions: predictions.map((p) => ({ model: p.model, auc: p.aucHoldout, rows: p.rowsTrain + p.rowsHoldout })),
      load: { ms: loaded.ms, keys: loaded.keys },
      step: { events: step.length, silver: stepSilver, training: stepTraining, load: { ms: stepLoaded.ms, keys: stepLoaded.keys, kind: stepLoaded.kind } },
    };
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
  const { reloading, reload } = result.api;
  if (reloading) console.log(`\nWhile the server loads a whole new version (${reload?.error ? `failed: ${reload.error}` : `${reload?.keys} keys in ${reload?.ms} ms`}, ${process.env.BENCH_RELOAD === 'thread' ? 'on the serving thread (BENCH_RELOAD=thread)' : 'on its worker thread'}, from 1 s into a second ${duration}-s load; --reload 0 skips it): ${reloading.reqPerSec.toFixed(0)} req/s (${(reloading.reqPerSec / ceiling.reqPerSec).toFixed(2)} of the bare server), p50 ${reloading.p50} ms, p99 ${reloading.p99} ms, non-2xx/errors ${reloading.non2xx}/${reloading.errors}`);
  const { cold } = result.api;
  console.log(`\nCold pass (warm-up: each of the ${cold.answered + cold.non2xx} request paths once, before the measured load): ${cold.reqPerSec.toFixed(0)} req/s, p50 ${cold.p50} ms, p99 ${cold.p99} ms`);
  if (result.api.cache) console.log(`\nLRU cache: ${JSON.stringify(result.api.cache)}`);
  if (process.env.BENCH_SERVED_LOG !== 'off') console.log(`Served lists in lens.served_recommendations after a clean shutdown: ${result.api.served.written}; 2xx counted by autocannon (warm-up + load): ${result.api.served.answered} (requests in flight when a load stops are answered and logged, not counted)`);
  if (result.api.loop) console.log(`API process (warm-up + loads, the reload pass included): ${JSON.stringify(result.api.loop)}`);
  if (result.api.threads) console.log(`API threads during the measured load (/proc): ${JSON.stringify(result.api.threads)} (serving = the event loop's thread; waited = runnable but not running); bare server: ${JSON.stringify(result.api.bareThreads)}`);
  }
  const events = Number(args['train-events'] ?? 0);
  if (events > 0) {
    result.training = await trainingBench(events);
    const t = result.training;
    console.log(`\nTraining on ${t.events} events (${t.users} people, 28 days): bronze write ${t.bronzeMs} ms; silver inputs ${t.silver.ms} ms;`);
    console.log(`recs pipelines ${t.training.ms} ms (${t.training.runs.map((r) => `${r.pipeline} ${r.ms} ms`).join(', ')}); predictions ${t.predictionsMs} ms (${t.predictions.map((p) => `${p.model} AUC ${p.auc.toFixed(3)}`).join(', ')}); load ${t.load.ms} ms (${t.load.keys} keys)`);
    const s = t.step;
    const rows = (r) => `${r.pipeline} ${r.ms} ms${r.rowsOut === undefined ? '' : `, ${r.rowsOut} rows`}`;
    console.log(`\nThe next 10 minutes (${s.events} events): silver inputs ${s.silver.ms} ms; recs pipelines ${s.training.ms} ms (${s.training.runs.map(rows).join('; ')}); load ${s.load.ms} ms (${s.load.keys} keys, ${s.load.kind})`);
  }
  mkdirSync(join(here, '.out'), { recursive: true });
  writeFileSync(join(here, '.out', args.api === '0' ? 'recs-training.json' : 'recs.json'), JSON.stringify(result, null, 2));
}
