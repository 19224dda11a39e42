// The server's recommendations lifecycle: a server stopped while it loads the serving store lets the load end
// (no "refresh failed" warning from a store closed under it), and loads never overlap.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { LensConfig } from '@lens/protocol';
import { buildDemoLake } from '@lens/recs';
import { pino } from 'pino';
import { serverPlugins } from './server-plugins.js';

test('stopping the server while it loads recommendations waits for the load instead of failing it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lens-server-plugins-'));
  await buildDemoLake(dataDir, { users: 300, days: 14 });
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const plugins = await serverPlugins(LensConfig.parse({ dataDir }), logger);
  const app = Fastify();
  // The recommendations route and its lifecycle (the dashboard plugin is not needed here).
  for (const p of plugins.slice(0, 2)) await app.register(p.plugin);
  await app.ready(); // starts the first load
  await app.close(); // at once, while it runs
  const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  assert.ok(!messages.includes('recs_refresh_failed'), lines.join(''));
  assert.ok(messages.includes('recs_loaded'), `the load finished: ${messages.join(', ')}`);
});
