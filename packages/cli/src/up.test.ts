// `lens up` as a whole, through the real binary: a stop stops every role, whatever the demo traffic ran into.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LENS_BIN } from './testing/lens-process.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('SIGTERM stops lens up and every role even when the demo traffic failed (its write key refused)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-up-'));
  const config = join(dir, 'lens.yaml');
  // The only source is disabled: the collector refuses its key, so the demo's batches fail with 401.
  writeFileSync(
    config,
    `dataDir: ${JSON.stringify(join(dir, 'data'))}\nsources:\n  - { id: off, name: Off, writeKey: off_key_12345, enabled: false }\n`,
  );
  const up = spawn(
    process.execPath,
    [LENS_BIN, 'up', '--config', config, '--port', '0', '--demo', '--demo-rate', '20', '--log-level', 'info'],
    {
      env: { ...process.env, LENS_SERVER_PORT: '0', LENS_LOADER_PORT: '0', LENS_PIPELINES_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  up.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  up.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => up.on('exit', resolve));
  try {
    for (let i = 0; i < 1200 && !(out.includes('Press Ctrl+C') && out.includes('401')); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(out.includes('Press Ctrl+C') && out.includes('401'), out);
    const roles = [...new Set([...out.matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1])))].filter(
      (pid) => pid !== up.pid,
    );
    assert.ok(roles.length >= 4, `the role processes' pids: ${roles.join(', ')}`);
    up.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 20_000))]);
    assert.notEqual(code, 'running', `lens up still running 20 s after SIGTERM:\n${out}`);
    await new Promise((r) => setTimeout(r, 500));
    for (const pid of roles) assert.ok(!alive(pid), `role process ${pid} left running`);
  } finally {
    if (up.exitCode === null) up.kill('SIGKILL');
  }
});

test('two roles given the same port: lens up says which keys, before starting any role', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-up-ports-'));
  const up = spawn(process.execPath, [LENS_BIN, 'up', '--data', join(dir, 'data'), '--port', '47311'], {
    env: { ...process.env, LENS_SERVER_PORT: '47311', LENS_LOADER_PORT: '0', LENS_PIPELINES_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  up.stdout.on('data', (d: Buffer) => (out += String(d)));
  up.stderr.on('data', (d: Buffer) => (out += String(d)));
  const code = await new Promise<number | null>((resolve) => up.on('exit', resolve));
  assert.equal(code, 1, out);
  assert.match(out, /collector\.port and server\.port are both 47311: lens up runs both roles on this machine/);
  assert.doesNotMatch(out, /role_started|collector_listening/, 'no role was started');
});
