// GET /health of a started server over HTTP: ready while the lake is readable and DuckDB answers, 503 naming the
// check that fails, answers cached for healthCacheMs, a plugin's failing check only `degraded`.
import assert from 'node:assert/strict';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { appendSilverEvents, InsightEngine, tempDataDir } from '@lens/insights';
import { ServerConfig } from '@lens/protocol';
import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.js';
import type { HealthCheck, HealthReport } from './server-health.js';

const port = (): number => 47_000 + Math.floor(Math.random() * 1000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

it('GET /health: 200 while the lake reads and DuckDB answers, 503 naming the failing check, cached', async () => {
  const dataDir = await tempDataDir();
  await appendSilverEvents(dataDir, [{ actor: 'a', event: 'Article Viewed', at: '2025-01-06T10:00:00Z' }]);
  const engine = await InsightEngine.create({ dataDir });
  let extra: HealthCheck = { ok: true, loaded: true };
  const server = await createServer({
    config: ServerConfig.parse({}),
    dataDir,
    engine,
    healthCacheMs: 400,
    plugins: [{ plugin: async (_app: FastifyInstance) => {}, health: { name: 'extra', check: () => extra } }],
  });
  const { url } = await server.listen({ host: '127.0.0.1', port: port() });
  const health = async (): Promise<{ status: number; body: HealthReport }> => {
    const response = await fetch(`${url}/health`);
    return { status: response.status, body: (await response.json()) as HealthReport };
  };
  try {
    const ok = await health();
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, 'ok');
    assert.deepEqual(ok.body.checks['lake'], { ok: true, path: join(dataDir, 'lake'), tables: 1 });
    assert.equal(ok.body.checks['duckdb']!.ok, true);
    assert.equal(ok.body.checks['duckdb']!['state'], 'answered');
    assert.deepEqual(ok.body.checks['extra'], { ok: true, loaded: true });

    // The lake goes (a volume unmounted, a directory replaced): the cached answer first, then 503.
    const lake = join(dataDir, 'lake');
    await rename(lake, `${lake}.away`);
    await writeFile(lake, '');
    const cached = await health();
    assert.equal(cached.status, 200, 'within healthCacheMs the last check answers');
    assert.equal(cached.body.checkedAt, ok.body.checkedAt);
    await sleep(450);
    const failing = await health();
    assert.equal(failing.status, 503);
    assert.equal(failing.body.status, 'failing');
    assert.equal(failing.body.checks['lake']!.ok, false);
    assert.match(String(failing.body.checks['lake']!['error']), /ENOTDIR/);
    assert.equal(failing.body.checks['duckdb']!.ok, true);
    await rm(lake);
    await rename(`${lake}.away`, lake);
    await sleep(450);
    assert.equal((await health()).status, 200);

    // A plugin's check failing leaves the server ready: degraded.
    extra = { ok: false, loaded: true, error: 'store unreachable' };
    await sleep(450);
    const degraded = await health();
    assert.equal(degraded.status, 200);
    assert.equal(degraded.body.status, 'degraded');
    assert.deepEqual(degraded.body.checks['extra'], extra);

    // DuckDB gone: 503 with its error.
    extra = { ok: true };
    await engine.close();
    await sleep(450);
    const broken = await health();
    assert.equal(broken.status, 503);
    assert.equal(broken.body.checks['duckdb']!.ok, false);
    assert.equal(broken.body.checks['duckdb']!['state'], 'failed');
    assert.equal(broken.body.checks['lake']!.ok, true);
  } finally {
    await server.close();
  }
});

it('GET /health: a data directory that does not exist is not ready; one without a lake yet is', async () => {
  const dataDir = await tempDataDir();
  const server = await createServer({ config: ServerConfig.parse({}), dataDir: join(dataDir, 'missing') });
  const fresh = await createServer({ config: ServerConfig.parse({}), dataDir });
  try {
    const missing = await server.inject('/health');
    assert.equal(missing.statusCode, 503);
    assert.match(String(missing.json().checks.lake.error), /ENOENT/);
    const empty = await fresh.inject('/health');
    assert.equal(empty.statusCode, 200);
    assert.equal(empty.json().checks.lake.tables, 0);
  } finally {
    await server.close();
    await fresh.close();
  }
});
