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

/** Runs `lens up` with no sources on a fresh data directory until `ready(stdout, stderr)`, then stops it. */
async function upOutput(
  logLevel: string,
  ready: (stdout: string, stderr: string) => Promise<boolean> | boolean,
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lens-up-out-'));
  const up = spawn(
    process.execPath,
    [
      LENS_BIN,
      'up',
      '--data',
      join(dir, 'data'),
      '--log-level',
      logLevel,
      ...(env['LENS_COLLECTOR_PORT'] ? [] : ['--port', '0']),
    ],
    {
      env: { ...process.env, LENS_SERVER_PORT: '0', LENS_LOADER_PORT: '0', LENS_PIPELINES_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  up.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  up.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => up.on('exit', resolve));
  try {
    for (let i = 0; i < 1200 && !(await ready(stdout, stderr)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(await ready(stdout, stderr), `lens up did not get ready:\n${stdout}\n${stderr}`);
  } finally {
    up.kill('SIGTERM');
    await exited;
  }
  return { stdout, stderr };
}

test('lens up: stdout is JSON log lines only; the banner, write key and curl line go to stderr', async () => {
  const { stdout, stderr } = await upOutput(
    'info',
    (out, err) => out.includes('"lens_up_ready"') && err.includes('Press Ctrl+C'),
  );
  const lines = stdout.split('\n').filter((l) => l !== '');
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON line on stdout: ${line}`);
  const ready = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'lens_up_ready')!;
  assert.match(String(ready['collector']), /^http:\/\/localhost:\d+$/);
  assert.equal(ready['devSource'], 'dev');
  assert.doesNotMatch(stdout, /dev_[0-9a-f]{24}/, 'the write key stays out of the shipped log');
  assert.match(stderr, /Lens is up\. Data directory: /);
  assert.match(stderr, /write key: dev_[0-9a-f]{24}/);
  assert.match(stderr, /curl -u 'dev_[0-9a-f]{24}:' .*\/v1\/track/);
});

test('lens up --log-level warn prints no banner (and no info line)', async () => {
  // Without the banner, the collector answering on its port and the server on its own say lens up is there.
  const collector = 47_000 + Math.floor(Math.random() * 500);
  const server = collector + 500;
  let started = 0;
  const { stdout, stderr } = await upOutput(
    'warn',
    async () => {
      const up = async (port: number): Promise<boolean> =>
        fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        );
      if (!((await up(collector)) && (await up(server)))) return false;
      started ||= Date.now();
      return Date.now() - started > 1000; // the banner would follow the server's start at once
    },
    { LENS_COLLECTOR_PORT: String(collector), LENS_SERVER_PORT: String(server) },
  );
  assert.doesNotMatch(`${stdout}${stderr}`, /Lens is up|write key|Press Ctrl\+C/);
  assert.doesNotMatch(stdout, /lens_up_ready/);
});
