// The server in-process (inject) and end to end (a started server on a free port, real HTTP): every route,
// 400s naming the field, read tokens, the OpenAPI document, cached answers, plugins mounted by other packages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appendSilverEvents, tempDataDir } from '@lens/insights';
import { ServerConfig } from '@lens/protocol';
import type { FastifyInstance } from 'fastify';
import { createServer, type LensServer } from './create-server.js';

const AV = 'Article Viewed';
const TOKEN = 'read-token-0123456789';
const TRENDS = { series: [{ event: AV, math: 'unique' }], dateRange: { from: '2025-01-06', to: '2025-01-07' } };

describe('lens server', () => {
  let server: LensServer;
  let open: LensServer;
  let dataDir: string;
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    dataDir = await tempDataDir();
    await appendSilverEvents(dataDir, [
      { actor: 'a', event: AV, at: '2025-01-06T10:00:00Z' },
      { actor: 'a', event: AV, at: '2025-01-06T11:00:00Z' },
      { actor: 'b', event: AV, at: '2025-01-07T10:00:00Z' },
      { actor: 'b', event: 'Paywall Shown', at: '2025-01-07T10:01:00Z' },
    ]);
    const recs = async (app: FastifyInstance): Promise<void> => {
      app.get('/recommendations', async () => ({ items: ['x'] }));
    };
    server = await createServer({
      config: ServerConfig.parse({ readTokens: [TOKEN], sqlRowCap: 2 }),
      dataDir,
      plugins: [
        {
          plugin: recs,
          prefix: '/v1',
          openapi: { '/v1/recommendations': { get: { summary: 'plugin route' } } },
          refusedRequestHeaders: (path, origin) =>
            path === '/v1/recommendations' && origin === 'https://news.example'
              ? ['access-control-allow-origin', origin]
              : [],
        },
      ],
    });
    open = await createServer({ config: ServerConfig.parse({}), dataDir });
  });
  after(async () => {
    await server.close();
    await open.close();
  });

  it('POST /api/insights/{kind} answers, then serves the same query from the cache', async () => {
    const first = await server.inject({ method: 'POST', url: '/api/insights/trends', headers: auth, payload: TRENDS });
    assert.equal(first.statusCode, 200);
    const body = first.json();
    assert.deepEqual(body.result.series[0].values, [1, 1]);
    assert.equal(body.meta.cached, false);
    assert.equal(body.meta.versions['silver.events'], 1);
    const second = await server.inject({ method: 'POST', url: '/api/insights/trends', headers: auth, payload: TRENDS });
    assert.equal(second.json().meta.cached, true);
    const funnel = await server.inject({
      method: 'POST',
      url: '/api/insights/funnels',
      headers: auth,
      payload: { steps: [{ event: AV }, { event: 'Paywall Shown' }], dateRange: TRENDS.dateRange },
    });
    assert.deepEqual(
      funnel.json().result.steps.map((s: { count: number }) => s.count),
      [2, 1],
    );
  });

  it('a JSON body sent as text/plain is read as JSON; a body that is not JSON is a 400 saying so', async () => {
    const plain = { ...auth, 'content-type': 'text/plain;charset=UTF-8' };
    // Not the other tests' query: a cache hit here would change the metrics they count.
    const query = { ...TRENDS, series: [{ event: AV, math: 'total' }] };
    const res = await server.inject({
      method: 'POST',
      url: '/api/insights/trends',
      headers: plain,
      payload: JSON.stringify(query),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().meta.cached, false);
    assert.equal(res.json().result.series.length, 1);
    for (const type of ['text/plain', 'application/json']) {
      const bad = await server.inject({
        method: 'POST',
        url: '/api/insights/trends',
        headers: { ...auth, 'content-type': type },
        payload: '{"series": [',
      });
      assert.equal(bad.statusCode, 400, type);
      assert.equal(bad.json().error.code, 'invalid_json', type);
      assert.equal(bad.json().error.message, 'request body: not valid JSON', type);
    }
    const post = (headers: Record<string, string>, payload: string) =>
      server.inject({ method: 'POST', url: '/api/insights/trends', headers, payload });
    const empty = await post({ ...auth, 'content-type': 'application/json' }, '');
    assert.deepEqual([empty.statusCode, empty.json().error.code], [400, 'invalid_json']);
    const form = await post({ ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1');
    assert.deepEqual([form.statusCode, form.json().error.code], [415, 'unsupported_media_type']);
    const big = await post({ ...auth, 'content-type': 'application/json' }, `{"x":"${'y'.repeat(1_100_000)}"}`);
    assert.deepEqual([big.statusCode, big.json().error.code], [413, 'body_too_large']);
    // No token: 401 before the body is read, whatever it is.
    const anonymous = await post({ 'content-type': 'application/json' }, '{bad');
    assert.deepEqual([anonymous.statusCode, anonymous.json().error.code], [401, 'unauthorized']);
  });

  it('GET /api/tables/:name gives the version history and the live files; bad and unknown names are 400/404', async () => {
    const res = await open.inject({ method: 'GET', url: '/api/tables/silver.events' });
    assert.equal(res.statusCode, 200);
    const detail = res.json();
    assert.equal(detail.name, 'silver.events');
    assert.deepEqual(
      detail.history.map((h: { version: number }) => h.version),
      [...Array(detail.version + 1).keys()].reverse(),
    );
    assert.equal(detail.history.at(-1).operation, 'CREATE TABLE');
    assert.equal(
      detail.files.reduce((n: number, f: { rows: number }) => n + f.rows, 0),
      4,
    );
    assert.ok(
      detail.files.every((f: { sizeBytes: number; path: string }) => f.sizeBytes > 0 && f.path.endsWith('.parquet')),
    );
    assert.equal((await open.inject({ method: 'GET', url: '/api/tables/gold.nothing' })).statusCode, 404);
    const bad = await open.inject({ method: 'GET', url: '/api/tables/nolayer' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /expected layer\.name/);
  });

  it('answers 400 naming the field, 404 for an unknown kind', async () => {
    const bad = await server.inject({
      method: 'POST',
      url: '/api/insights/trends',
      headers: auth,
      payload: { ...TRENDS, interval: 'fortnight' },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'interval');
    assert.equal(bad.json().error.code, 'invalid_query');
    const unknown = await server.inject({ method: 'POST', url: '/api/insights/horoscope', headers: auth, payload: {} });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().error.message, /one of trends, funnels/);
  });

  it('requires a read token on /api/* when tokens are configured', async () => {
    assert.equal(
      (await server.inject({ method: 'POST', url: '/api/insights/trends', payload: TRENDS })).statusCode,
      401,
    );
    assert.equal(
      (
        await server.inject({
          method: 'GET',
          url: '/api/tables',
          headers: { authorization: 'Bearer wrong-token-0123456789' },
        })
      ).statusCode,
      401,
    );
    assert.equal((await server.inject({ method: 'GET', url: '/api/tables', headers: auth })).statusCode, 200);
    assert.equal((await open.inject({ method: 'GET', url: '/api/tables' })).statusCode, 200);
  });

  it('POST /api/sql runs a capped SELECT and refuses the rest', async () => {
    const ok = await server.inject({
      method: 'POST',
      url: '/api/sql',
      headers: auth,
      payload: { sql: 'SELECT actor_id FROM silver.events ORDER BY timestamp' },
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual([ok.json().rows.length, ok.json().truncated], [2, true]);
    const refused = await server.inject({
      method: 'POST',
      url: '/api/sql',
      headers: auth,
      payload: { sql: `SELECT * FROM read_csv('/etc/passwd')` },
    });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error.code, 'sql_refused');
    const missing = await server.inject({ method: 'POST', url: '/api/sql', headers: auth, payload: { query: 'x' } });
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(
      [missing.json().error.code, missing.json().error.field, missing.json().error.message],
      ['invalid_query', 'sql', 'sql: a SELECT statement (string) is required'],
    );
    const cap = await server.inject({
      method: 'POST',
      url: '/api/sql',
      headers: auth,
      payload: { sql: 'SELECT 1', rowCap: 0 },
    });
    assert.equal(cap.json().error.field, 'rowCap');
  });

  it('GET /api/tables lists the catalog; /api/trending answers (no bronze yet: empty)', async () => {
    const tables = (await server.inject({ method: 'GET', url: '/api/tables', headers: auth })).json().tables;
    assert.deepEqual(
      tables.map((t: { table: string; rows: number }) => [t.table, t.rows]),
      [['silver.events', 4]],
    );
    const trending = await server.inject({ method: 'GET', url: '/api/trending?minutes=30&limit=5', headers: auth });
    assert.equal(trending.statusCode, 200);
    assert.deepEqual(trending.json().articles, []);
    assert.equal(
      (await server.inject({ method: 'GET', url: '/api/trending?minutes=abc', headers: auth })).statusCode,
      400,
    );
  });

  it('serves an OpenAPI document generated from the query schemas, /health and /metrics', async () => {
    const doc = (await server.inject('/api/openapi.json')).json();
    assert.equal(doc.openapi, '3.0.3');
    assert.ok(doc.paths['/api/insights/funnels'].post);
    assert.equal(doc.paths['/api/tables/{name}'].get.parameters[0].name, 'name');
    assert.equal(doc.paths['/v1/recommendations'].get.summary, 'plugin route'); // a plugin's own path item
    assert.deepEqual(doc.components.schemas.funnelsQuery.properties.order.enum, ['strict', 'ordered', 'any']);
    assert.ok(doc.components.schemas.trendsQuery.required.includes('series'));
    assert.equal((await server.inject('/health')).json().status, 'ok');
    assert.match((await server.inject('/metrics')).body, /lens_server_insights_total\{kind="trends",cached="true"\} 1/);
  });

  it('mounts plugins from other packages (recommendations under /v1) and answers end to end over HTTP', async () => {
    const { url } = await server.listen({ host: '127.0.0.1', port: 0 });
    const recs = await fetch(`${url}/v1/recommendations`);
    assert.deepEqual(await recs.json(), { items: ['x'] });
    const res = await fetch(`${url}/api/insights/trends`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(TRENDS),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      ((await res.json()) as { result: { series: { values: number[] }[] } }).result.series[0]!.values,
      [1, 1],
    );
    assert.equal((await fetch(`${url}/api/tables`)).status, 401);
    // Headers over Node's 16 KB (a long query string) are refused by the parser: in the server's error shape.
    const long = await fetch(`${url}/v1/recommendations?exclude=${'a1,'.repeat(6000)}`);
    assert.equal(long.status, 431);
    assert.equal(((await long.json()) as { error: { code: string } }).error.code, 'headers_too_large');
    assert.equal(long.headers.get('access-control-allow-origin'), null);
    // From a page: the plugin's CORS headers, or its fetch could not read the reason.
    const fromPage = await fetch(`${url}/v1/recommendations?exclude=${'a1,'.repeat(6000)}`, {
      headers: { origin: 'https://news.example' },
    });
    assert.equal(fromPage.status, 431);
    assert.equal(fromPage.headers.get('access-control-allow-origin'), 'https://news.example');
    assert.equal((await fetch(`${url}/nope`)).status, 404);
  });
});
