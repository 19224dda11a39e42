// `lens server`'s GET /health through the real binary: the recommendations store's state beside the lake and
// DuckDB checks — not trained yet is fine (ready, loaded false), and a trained lake shows the loaded version.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildDemoLake } from '@lens/recs';
import { LENS_BIN } from '../testing/lens-process.js';

interface Health {
  status: string;
  checks: Record<string, { ok: boolean } & Record<string, unknown>>;
}

async function withServer(dataDir: string, probe: (url: string) => Promise<void>): Promise<void> {
  const port = 47_000 + Math.floor(Math.random() * 1000);
  const child = spawn(
    process.execPath,
    [LENS_BIN, 'server', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const url = await Promise.race([
      new Promise<string>((resolve) =>
        child.on('message', (m: { type?: string; url?: string }) => m.type === 'lens:ready' && resolve(m.url!)),
      ),
      exited.then((code) => {
        throw new Error(`lens server exited (${code}):\n${output}`);
      }),
    ]);
    await probe(url);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function until(url: string, done: (h: Health, status: number) => boolean): Promise<Health> {
  for (const end = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 200))) {
    const response = await fetch(`${url}/health`);
    const body = (await response.json()) as Health;
    if (done(body, response.status)) return body;
    if (Date.now() > end) throw new Error(`/health never matched: ${JSON.stringify(body)}`);
  }
}

test('lens server /health: the recommendations store, not trained yet, then loaded, beside lake and DuckDB', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'lens-server-health-empty-'));
  await withServer(empty, async (url) => {
    // The first refresh finds no gold tables: ready all the same (the API serves insights; recs answer 503).
    const h = await until(url, (b) => b.checks['recs']?.['state'] === 'not_trained');
    assert.equal(h.status, 'ok');
    assert.deepEqual(h.checks['recs'], {
      ok: true,
      loaded: false,
      state: 'not_trained',
      error: h.checks['recs']!['error'],
    });
    assert.equal(h.checks['lake']!['tables'], 0);
    assert.equal((await fetch(`${url}/v1/recommendations?anonymousId=a`)).status, 503);
  });
  const trained = mkdtempSync(join(tmpdir(), 'lens-server-health-trained-'));
  await buildDemoLake(trained, { users: 300, days: 14 });
  await withServer(trained, async (url) => {
    const h = await until(url, (b, status) => status === 200 && b.checks['recs']?.['loaded'] === true);
    assert.equal(h.status, 'ok');
    assert.equal(h.checks['recs']!['state'], 'loaded');
    assert.match(String(h.checks['recs']!['version']), /^\d+-/);
    assert.ok(Date.parse(String(h.checks['recs']!['loadedAt'])) > Date.now() - 120_000);
    assert.ok((h.checks['lake']!['tables'] as number) > 5);
    assert.equal(h.checks['duckdb']!['state'], 'answered');
  });
});
