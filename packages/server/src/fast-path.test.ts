// A plugin's node:http fast path in front of Fastify: it answers the requests it claims, with the read token
// applied when the plugin is protected (no token: Fastify answers 401 as for any protected route), the request
// metrics recorded as for a Fastify route, and everything it leaves to Fastify served as before.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { tempDataDir } from '@lens/insights';
import { ServerConfig } from '@lens/protocol';
import type { FastifyInstance } from 'fastify';
import { createServer, type LensServer } from './create-server.js';

const TOKEN = 'read-token-0123456789';

describe('ServerPlugin.fastPath', () => {
  let server: LensServer;
  let url: string;
  const fast: string[] = [];
  const claim =
    (path: string) =>
    (req: IncomingMessage, res: ServerResponse): boolean => {
      if (req.method !== 'GET' || !req.url?.startsWith(path)) return false;
      fast.push(req.url);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"via":"fast"}');
      return true;
    };
  const routes =
    (path: string) =>
    async (app: FastifyInstance): Promise<void> => {
      app.get(path, async () => ({ via: 'fastify' }));
    };

  before(async () => {
    server = await createServer({
      config: ServerConfig.parse({ readTokens: [TOKEN] }),
      dataDir: await tempDataDir(),
      plugins: [
        { plugin: routes('/v1/open'), fastPath: claim('/v1/open') },
        { plugin: routes('/v1/locked'), fastPath: claim('/v1/locked'), protected: true },
      ],
    });
    ({ url } = await server.listen({ host: '127.0.0.1', port: 0 }));
  });
  after(() => server.close());

  it('answers what it claims; a protected one only with a read token (else Fastify answers 401)', async () => {
    const open = await fetch(`${url}/v1/open?x=1`);
    assert.deepEqual(await open.json(), { via: 'fast' });
    const denied = await fetch(`${url}/v1/locked`);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('www-authenticate'), 'Bearer realm="lens"');
    assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'unauthorized');
    const allowed = await fetch(`${url}/v1/locked`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(await allowed.json(), { via: 'fast' });
    assert.deepEqual(fast, ['/v1/open?x=1', '/v1/locked']);
  });

  it('records request metrics for fast answers, by path', async () => {
    const before = fast.length;
    await (await fetch(`${url}/v1/open`)).text();
    await (await fetch(`${url}/v1/open?y=2`)).text();
    assert.equal(fast.length, before + 2);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      metrics,
      /lens_server_request_duration_seconds_count\{route="\/v1\/open",method="GET",status="200"\} 3/,
    );
    assert.match(
      metrics,
      /lens_server_request_duration_seconds_count\{route="\/v1\/locked",method="GET",status="200"\} 1/,
    );
    assert.match(
      metrics,
      /lens_server_request_duration_seconds_count\{route="\/v1\/locked",method="GET",status="401"\} 1/,
    );
  });

  it('leaves the rest to Fastify: other methods, other paths, inject', async () => {
    const before = fast.length;
    assert.equal((await fetch(`${url}/v1/open`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.deepEqual((await server.inject('/v1/open')).json(), { via: 'fastify' });
    assert.equal(fast.length, before);
  });
});
