// Insights benchmark: latency of each insight kind answered by DuckDB straight on the Delta lake (demo events →
// bronze → Prism silver.events/identities), and the same insights answered by PostgreSQL 15 on the same rows
// (a cluster this script starts in a temp dir; indexes on (event, timestamp) and (person, timestamp)).
// Usage: node bench/insights.mjs [--events 10000000] [--runs 5] [--data DIR (reuse a built lake)] [--no-pg]
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InsightEngine, buildDemoLake } from '@lens/insights';
import { LakeCatalog, createDuckDB, prepareLakeQuery } from '@lens/lake';
import { appendBronze, bronzeRows } from '@lens/prism';

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const EVENTS = Number(arg('events', 10_000_000));
const RUNS = Number(arg('runs', 5));
const NO_PG = process.argv.includes('--no-pg');
const START = '2025-01-06T00:00:00Z';
let RANGE = { from: '2025-01-06', to: '2025-03-02' };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms === undefined ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

// ---- the lake -------------------------------------------------------------------------------------------
let dataDir = arg('data', undefined);
if (dataDir === undefined) {
  // About 76 human+bot events per person over 8 weeks in the demo world.
  const users = Math.max(200, Math.round(EVENTS / 76));
  const t = performance.now();
  ({ dataDir } = await buildDemoLake({ seed: 7, users, days: 56, start: START, batchRows: 100_000 }));
  console.log(`lake: ${users} demo people, 56 days → ${dataDir} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}
const db = await createDuckDB();
const catalog = new LakeCatalog(join(dataDir, 'lake'));
const count = async (table) => { const q = `SELECT count(*) AS n FROM ${table}`; await prepareLakeQuery(catalog, db, q); return Number((await db.all(q))[0].n); };
const [bronzeN, silverN] = [await count('bronze.events'), await count('silver.events')];
console.log(`bronze.events ${bronzeN} rows, silver.events ${silverN} rows (bots dropped)`);
// "Now" is the end of the lake's silver data: the benchmark itself appends small bronze commits (the trending
// top-up below), and a bronze-based "now" would drift past the data run after run on a reused lake.
const nowQ = 'SELECT max(timestamp) AS t FROM silver.events';
await prepareLakeQuery(catalog, db, nowQ);
const NOW = new Date((await db.all(nowQ))[0].t).toISOString();
if (arg('data', undefined) !== undefined) {
  // A lake built elsewhere (e.g. `lens demo --bulk`): the 8 weeks ending at its last event day (or all of it).
  const spanQ = 'SELECT min(timestamp)::DATE::VARCHAR AS lo, max(timestamp)::DATE::VARCHAR AS hi FROM silver.events';
  await prepareLakeQuery(catalog, db, spanQ);
  const [{ lo, hi }] = await db.all(spanQ);
  const from = new Date(Date.parse(hi) - 55 * 86_400_000).toISOString().slice(0, 10);
  RANGE = { from: from < lo ? lo : from, to: hi };
}
console.log(`date range ${RANGE.from} … ${RANGE.to}`);

const AV = 'Article Viewed';
const QUERIES = {
  'trend: daily unique persons, 8 weeks': ['trends', { series: [{ event: '$any', math: 'unique' }], interval: 'day', dateRange: RANGE }],
  'funnel: 4 steps, 7-day window': ['funnels', { steps: [{ event: AV }, { event: 'Recommendation Shown' }, { event: 'Recommendation Clicked' }, { event: 'Paywall Shown' }], window: { value: 7, unit: 'day' }, dateRange: RANGE }],
  'retention: 8 weekly cohorts': ['retention', { startEvent: { event: AV }, returnEvent: { event: AV }, period: 'week', periods: 8, dateRange: RANGE }],
  'paths: 5 steps from session start': ['paths', { steps: 5, exclude: ['identify', 'alias', 'group'], dateRange: RANGE }],
  'stickiness: days active': ['stickiness', { event: { event: AV }, dateRange: RANGE }],
  'lifecycle: weekly': ['lifecycle', { event: { event: AV }, interval: 'week', dateRange: RANGE }],
  'affinity: sections co-read': ['affinity', { dateRange: RANGE }],
  'search: queries': ['search', { dateRange: RANGE }],
};

// ---- Lens (DuckDB on Delta) -------------------------------------------------------------------------------
const engine = await InsightEngine.create({ dataDir, cacheSize: 0, timeoutMs: 600_000 });
const lens = {};
for (const [label, [kind, query]] of Object.entries(QUERIES)) {
  await engine.run(kind, query);
  const times = [];
  for (let i = 0; i < RUNS; i++) { const t = performance.now(); await engine.run(kind, query); times.push(performance.now() - t); }
  lens[label] = median(times);
  console.log(`lens  ${label.padEnd(40)} ${fmt(lens[label])}`);
}
{
  const label = 'trending now (bronze, warm)';
  let t = performance.now();
  await engine.trending({ now: NOW, minutes: 60 });
  const cold = performance.now() - t;
  const times = [];
  // A dashboard polls trending: the median of 20 calls after the first (the first dozen still run unoptimised JS).
  for (let i = 0; i < Math.max(RUNS, 20); i++) { t = performance.now(); await engine.trending({ now: NOW, minutes: 60 }); times.push(performance.now() - t); }
  lens[label] = median(times);
  // A new bronze commit since the last call: the answer includes it (top-up from the commit's files only).
  const fresh = [...bronzeRows({ seed: 99, users: 300, days: 1, start: new Date(Date.parse(NOW) - 3_600_000).toISOString() })].slice(0, 2000);
  await appendBronze(dataDir, fresh);
  t = performance.now();
  const after = await engine.trending({ now: NOW, minutes: 60 });
  lens['trending now after a new bronze commit'] = performance.now() - t;
  console.log(`lens  ${label.padEnd(40)} ${fmt(lens[label])} (first call, building the warm index: ${fmt(cold)}; after a new commit: ${fmt(lens['trending now after a new bronze commit'])}, bronze v${after.bronzeVersion})`);
}
const cached = await InsightEngine.create({ dataDir });
{
  const [kind, query] = QUERIES['funnel: 4 steps, 7-day window'];
  await cached.run(kind, query);
  const t = performance.now();
  await cached.run(kind, query);
  lens['funnel, cached (same table versions)'] = performance.now() - t;
  console.log(`lens  ${'funnel, cached (same table versions)'.padEnd(40)} ${fmt(lens['funnel, cached (same table versions)'])}`);
}
await cached.close();
await engine.close();

// ---- PostgreSQL 15 ----------------------------------------------------------------------------------------
const pg = {};
if (!NO_PG) {
  try { await runPostgres(); } catch (error) { console.log(`postgres: skipped (${error.message.split('\n')[0]})`); }
}

async function runPostgres() {
  const bin = ['/usr/lib/postgresql/15/bin', '/usr/local/bin'].find((d) => existsSync(join(d, 'pg_ctl')));
  if (!bin) throw new Error('PostgreSQL 15 not installed (apt-get install -y postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'lens-pg-'));
  chmodSync(dir, 0o777);
  const asPg = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (cmd, args) => { const [c, ...a] = [...asPg, cmd, ...args]; return execFileSync(c, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); };
  if (asPg.length) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const port = 55432 + Math.floor(Math.random() * 1000);
  run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c shared_buffers=1GB -c work_mem=256MB -c max_parallel_workers_per_gather=2 -c fsync=off -c synchronous_commit=off`, '-w', 'start']);
  const psql = (sql, timing = false) => {
    const r = spawnSync('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'SET TimeZone = \'UTC\'', ...(timing ? ['-c', '\\timing on'] : []), '-c', 'SET statement_timeout = \'600s\'', '-c', sql], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout;
  };
  try {
    const csv = join(dir, 'events.csv');
    const select = `SELECT e.message_id, coalesce(i.person_id, e.user_id, e.actor_id) AS person_id, e.event_name, e.timestamp, e.section, e.article_id,
      lower(trim(e.search_query)) AS search_query, e.result_count FROM silver.events e LEFT JOIN silver.identities i ON i.anonymous_id = e.anonymous_id`;
    await prepareLakeQuery(catalog, db, select);
    await db.run(`COPY (${select}) TO '${csv}' (HEADER false)`);
    chmodSync(csv, 0o644);
    let t = performance.now();
    psql(`CREATE TABLE events (message_id text, person_id text, event_name text, ts timestamptz, section text, article_id text, search_query text, result_count bigint)`);
    psql(`COPY events FROM '${csv}' (FORMAT csv)`);
    psql('CREATE INDEX ON events (event_name, ts); CREATE INDEX ON events (person_id, ts); ANALYZE events;');
    console.log(`postgres: ${silverN} rows loaded and indexed in ${((performance.now() - t) / 1000).toFixed(0)} s (person resolved at load)`);
    const from = `'${RANGE.from}'::timestamptz`;
    const to = `'${new Date(Date.parse(RANGE.to) + 86_400_000).toISOString().slice(0, 10)}'::timestamptz`;
    const PG = {
      'trend: daily unique persons, 8 weeks': `SELECT date_trunc('day', ts) AS d, count(DISTINCT person_id) FROM events WHERE ts >= ${from} AND ts < ${to} GROUP BY 1`,
      'funnel: 4 steps, 7-day window': `WITH s AS (SELECT person_id, ts AS t1 FROM events WHERE event_name = '${AV}' AND ts >= ${from} AND ts < ${to}),
        c2 AS (SELECT s.*, (SELECT min(ts) FROM events e WHERE e.person_id = s.person_id AND e.event_name = 'Recommendation Shown' AND e.ts > s.t1 AND e.ts <= s.t1 + interval '7 days') AS t2 FROM s),
        c3 AS (SELECT c.*, (SELECT min(ts) FROM events e WHERE c.t2 IS NOT NULL AND e.person_id = c.person_id AND e.event_name = 'Recommendation Clicked' AND e.ts > c.t2 AND e.ts <= c.t1 + interval '7 days') AS t3 FROM c2 c),
        c4 AS (SELECT c.*, (SELECT min(ts) FROM events e WHERE c.t3 IS NOT NULL AND e.person_id = c.person_id AND e.event_name = 'Paywall Shown' AND e.ts > c.t3 AND e.ts <= c.t1 + interval '7 days') AS t4 FROM c3 c),
        best AS (SELECT person_id, max((t2 IS NOT NULL)::int + (t3 IS NOT NULL)::int + (t4 IS NOT NULL)::int) + 1 AS reached FROM c4 GROUP BY 1)
        SELECT count(*) FILTER (WHERE reached >= 1), count(*) FILTER (WHERE reached >= 2), count(*) FILTER (WHERE reached >= 3), count(*) FILTER (WHERE reached >= 4) FROM best`,
      'retention: 8 weekly cohorts': `WITH c AS (SELECT person_id, date_trunc('week', min(ts)) AS cohort FROM events WHERE event_name = '${AV}' GROUP BY 1),
        a AS (SELECT DISTINCT person_id, date_trunc('week', ts) AS w FROM events WHERE event_name = '${AV}')
        SELECT cohort, (w::date - cohort::date) / 7 AS k, count(*) FROM c JOIN a USING (person_id) WHERE cohort >= ${from} AND cohort < ${to} AND w >= cohort AND w <= cohort + interval '8 weeks' GROUP BY 1, 2`,
      'paths: 5 steps from session start': `WITH n AS (SELECT person_id, ts, message_id, event_name AS node FROM events WHERE ts >= ${from} AND ts < ${to} AND event_name NOT IN ('identify', 'alias', 'group')),
        g AS (SELECT *, sum(CASE WHEN prev IS NULL OR ts > prev + interval '30 minutes' THEN 1 ELSE 0 END) OVER (PARTITION BY person_id ORDER BY ts, message_id) AS sess FROM (SELECT *, lag(ts) OVER (PARTITION BY person_id ORDER BY ts, message_id) AS prev FROM n) x),
        d AS (SELECT * FROM (SELECT *, lag(node) OVER (PARTITION BY person_id, sess ORDER BY ts, message_id) AS pn FROM g) y WHERE pn IS DISTINCT FROM node),
        r AS (SELECT person_id, sess, node, row_number() OVER (PARTITION BY person_id, sess ORDER BY ts, message_id) AS i FROM d),
        t AS (SELECT i, node, lead(node) OVER (PARTITION BY person_id, sess ORDER BY i) AS nxt FROM r WHERE i <= 5)
        SELECT i, node, nxt, count(*) FROM t WHERE nxt IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 50`,
      'stickiness: days active': `SELECT k, count(*) FROM (SELECT person_id, count(DISTINCT date_trunc('day', ts)) AS k FROM events WHERE event_name = '${AV}' AND ts >= ${from} AND ts < ${to} GROUP BY 1) x GROUP BY 1`,
      'search: queries': `WITH s AS (SELECT person_id, ts, message_id, event_name, search_query AS q, result_count FROM events WHERE event_name IN ('Search Performed', 'Search Result Clicked') AND ts >= ${from} AND ts < ${to}),
        o AS (SELECT *, lead(event_name) OVER w AS ne, lead(ts) OVER w AS nts, lead(q) OVER w AS nq FROM s WINDOW w AS (PARTITION BY person_id ORDER BY ts, message_id))
        SELECT q, count(*), count(*) FILTER (WHERE result_count = 0), count(*) FILTER (WHERE ne = 'Search Result Clicked' AND nts <= ts + interval '30 minutes') FROM o WHERE event_name = 'Search Performed' GROUP BY q ORDER BY 2 DESC LIMIT 20`,
      'trending now (bronze, warm)': `WITH w AS (SELECT article_id, count(*) AS views, sum(power(2, -extract(epoch FROM '${NOW}'::timestamptz - ts) / 60 / 15)) AS score FROM events WHERE event_name = '${AV}' AND ts > '${NOW}'::timestamptz - interval '60 minutes' AND ts <= '${NOW}' GROUP BY 1),
        b AS (SELECT article_id, count(*) AS base FROM events WHERE event_name = '${AV}' AND ts > '${NOW}'::timestamptz - interval '25 hours' AND ts <= '${NOW}'::timestamptz - interval '60 minutes' GROUP BY 1)
        SELECT w.*, coalesce(b.base, 0) FROM w LEFT JOIN b USING (article_id) ORDER BY score DESC LIMIT 20`,
    };
    for (const [label, sql] of Object.entries(PG)) {
      const times = [];
      for (let i = 0; i < Math.min(RUNS, 3); i++) {
        const out = psql(sql, true);
        const ms = [...out.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1])).pop();
        times.push(ms);
        if (ms > 20_000) break;
      }
      pg[label] = median(times);
      console.log(`pg    ${label.padEnd(40)} ${fmt(pg[label])}`);
    }
  } finally {
    try { run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']); } catch { /* already down */ }
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- report -------------------------------------------------------------------------------------------------
const GOALS = { 'funnel: 4 steps, 7-day window': 1000, 'retention: 8 weekly cohorts': 1000, 'trend: daily unique persons, 8 weeks': 300, 'paths: 5 steps from session start': 2000, 'trending now (bronze, warm)': 100 };
const lines = [`Insights benchmark: ${silverN} silver.events rows (${bronzeN} bronze), ${RUNS} runs, medians, no result cache`, '', '| insight | Lens (DuckDB on Delta) | goal | PostgreSQL 15 | speed-up |', '| --- | --- | --- | --- | --- |'];
for (const label of Object.keys(lens)) {
  const goal = GOALS[label];
  const speedup = pg[label] === undefined ? '—' : `${(pg[label] / lens[label]).toFixed(1)}×`;
  lines.push(`| ${label} | ${fmt(lens[label])}${goal ? (lens[label] <= goal ? ' ✓' : ' ✗') : ''} | ${goal ? `≤ ${fmt(goal)}` : '—'} | ${fmt(pg[label])} | ${speedup} |`);
}
console.log(`\n${lines.join('\n')}`);
const out = join(process.cwd(), 'bench', '.out');
try { execFileSync('mkdir', ['-p', out]); writeFileSync(join(out, 'insights.md'), `${lines.join('\n')}\n`); } catch { /* report printed anyway */ }
db.close();
if (arg('data', undefined) === undefined && !process.argv.includes('--keep')) rmSync(dataDir, { recursive: true, force: true });
