// The serving plugin in-process (fastify.inject) over the real Vite build: shell for client routes, long
// cache for hashed assets, precompressed bodies, real 404s for API paths and missing files.
import Fastify from 'fastify';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DASHBOARD_APP_DIR, dashboardPlugin } from './index.js';

async function app() {
  const server = Fastify();
  server.get('/api/health', async () => ({ ok: true }));
  await server.register(dashboardPlugin);
  return server;
}

test('client routes get index.html (no-cache); API routes still answer', async () => {
  const server = await app();
  for (const url of ['/', '/realtime', '/insights/funnels?q=%7B%7D', '/data/catalog/silver.events']) {
    const res = await server.inject(url);
    assert.equal(res.statusCode, 200, url);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.body, /<div id="root">/);
  }
  assert.deepEqual((await server.inject('/api/health')).json(), { ok: true });
  await server.close();
});

test('unknown API paths and missing files are 404, not the app shell', async () => {
  const server = await app();
  for (const url of ['/api/nope', '/api', '/assets/gone-123.js']) {
    const res = await server.inject(url);
    assert.equal(res.statusCode, 404, url);
    assert.doesNotMatch(res.body, /<div id="root">/);
  }
  await server.close();
});

test('hashed assets are immutable for a year and sent brotli/gzip-compressed when accepted', async () => {
  const server = await app();
  const js = readdirSync(join(DASHBOARD_APP_DIR, 'assets')).find((f) => f.endsWith('.js'));
  assert.ok(js, 'the build has JS assets');
  const plain = await server.inject(`/assets/${js}`);
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  const br = await server.inject({ url: `/assets/${js}`, headers: { 'accept-encoding': 'br, gzip' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.ok(br.rawPayload.length < plain.rawPayload.length / 2, 'compressed body is much smaller');
  const gz = await server.inject({ url: `/assets/${js}`, headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  await server.close();
});

test('an unbuilt app answers 503 with how to build it', async () => {
  const server = Fastify();
  await server.register(dashboardPlugin, { root: join(DASHBOARD_APP_DIR, 'does-not-exist') });
  const res = await server.inject('/');
  assert.equal(res.statusCode, 503);
  assert.match(res.body, /build:app/);
  await server.close();
});

test('assets written after the server started (a rebuild) are served', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lens-dashboard-app-'));
  cpSync(DASHBOARD_APP_DIR, root, { recursive: true });
  const server = Fastify();
  await server.register(dashboardPlugin, { root });
  await server.ready();
  writeFileSync(join(root, 'assets', 'rebuilt-abc123.js'), 'export const rebuilt = true;\n');
  const res = await server.inject('/assets/rebuilt-abc123.js');
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /rebuilt = true/);
  assert.equal((await server.inject('/favicon.svg')).statusCode, 200);
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
